"""Building investigations for tests through the real actions (this app's factories)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.cases import actions as case_actions
from safecase.cases.investigations import actions, evidence_actions
from safecase.cases.investigations.choices import FindingKind, IntervieweeRole
from safecase.cases.investigations.models import EvidenceItem, Finding, Interview, Investigation
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case
from safecase.people import actions as people_actions

TEXT = b"Session register, Tuesday (synthetic): Alex present 16:00-17:15; coach M. Example.\n"


def allegation_case(world: DemoWorld, **extra: Any) -> Case:
    """An allegation against a (synthetic) coach with the child and the coach on it."""
    lead = actor_for(world, "lead")
    extra.setdefault("title", "Allegation against a coach (synthetic)")
    case = open_case(world, code="allegation", **extra)
    for given, kind, role in (
        ("Alex", "child", "subject"),
        ("Mark", "adult_concerned", "adult_concerned"),
    ):
        person = people_actions.person_create(
            actor=lead,
            kind=kind,
            given_names=given,
            family_name="Example-Testcase",
            date_of_birth=date(2013, 3, 14) if kind == "child" else date(1984, 6, 2),
        )
        case = Case.objects.get(pk=case.pk)
        case_actions.case_add_subject(
            actor=lead, case=case, version=case.version, person=person, role=role
        )
    return Case.objects.select_related("case_type").get(pk=case.pk)


def open_investigation(
    world: DemoWorld, case: Case | None = None, persona: str = "lead"
) -> Investigation:
    case = case or allegation_case(world)
    return actions.investigation_open(
        actor=actor_for(world, persona),
        case=case,
        terms_of_reference="Establish what happened after football practice on Tuesday.",
        plan="Interview the child, the witness and the coach; obtain the session register.",
        investigator=world.users["case_worker"],
        reason="The allegation meets the threshold for an internal investigation.",
    )


def interview(
    world: DemoWorld, investigation: Investigation, persona: str = "lead", **extra: Any
) -> Interview:
    fields: dict[str, Any] = {
        "role": IntervieweeRole.WITNESS,
        "interviewee_name": "Sam Example-Witness",
        "held_at": timezone.now() - timedelta(hours=2),
        "interviewer": world.users["case_worker"],
        "summary": "Sam saw the coach hold Alex's arm by the lockers after practice.",
        "interviewer_opinion": "A calm, consistent account.",
        "own_words": "He had Alex by the arm, quite hard.",
        **extra,
    }
    return actions.interview_record(
        actor=actor_for(world, persona), investigation=investigation, **fields
    )


def evidence(
    world: DemoWorld, investigation: Investigation, persona: str = "lead", **extra: Any
) -> EvidenceItem:
    fields: dict[str, Any] = {
        "item": "Session register",
        "source": "Club administrator",
        "obtained_on": timezone.localdate() - timedelta(days=1),
        "description": "Who attended Tuesday's practice.",
        "file_name": "register.txt",
        "file_data": TEXT,
        **extra,
    }
    return evidence_actions.evidence_record(
        actor=actor_for(world, persona), investigation=investigation, **fields
    )


def finding(world: DemoWorld, investigation: Investigation, basis: Interview) -> Finding:
    return actions.finding_record(
        actor=actor_for(world, "lead"),
        investigation=investigation,
        kind=FindingKind.ESTABLISHED_FACT,
        text="The coach held Alex's arm by the lockers after practice.",
        interviews=[basis],
    )
