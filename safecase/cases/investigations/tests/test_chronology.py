"""The investigation in its subjects' chronologies: an interview held, evidence obtained (its
title only), the investigation concluded; an allegation's stay with the adult concerned (the
child gets the case's one link); the lines the actions keep are what a rebuild makes; and the
case's section for the snapshot and bundle."""

from __future__ import annotations

import pytest

from conftest import DemoWorld, actor_for
from safecase.cases import actions as case_actions
from safecase.cases import chronology as case_chronology
from safecase.cases import parts
from safecase.cases.investigations import actions
from safecase.cases.investigations.choices import InvestigationStatus
from safecase.cases.investigations.models import Investigation
from safecase.cases.investigations.tests.helpers import (
    evidence,
    finding,
    interview,
    open_investigation,
)
from safecase.cases.models import Case, CaseSubject
from safecase.cases.tests.helpers import open_case
from safecase.concerns import selectors
from safecase.concerns.tests.test_chronology_lines import lines
from safecase.people.actions import person_create
from safecase.people.models import ChronologyItem, Person

pytestmark = pytest.mark.django_db

# Newest first: concluded now, the interview two hours ago, the register obtained yesterday.
INVESTIGATION_LINES = [
    "Investigation concluded",
    "Investigation interview held (witness)",
    "Evidence obtained: Session register",
]


def _titles(world: DemoWorld, persona: str, person: Person) -> list[str]:
    actor = actor_for(world, persona)
    return [
        e.title
        for e in selectors.person_chronology(actor, person)
        if e.case_id and not e.title.startswith(("Case ", "Named on"))
    ]


def _conclude(world: DemoWorld, inv: Investigation) -> Investigation:
    for status in (InvestigationStatus.IN_PROGRESS, InvestigationStatus.CONCLUDED):
        inv = actions.investigation_update(
            actor=actor_for(world, "lead"),
            investigation=inv,
            version=inv.version,
            terms_of_reference=inv.terms_of_reference,
            plan=inv.plan,
            investigator=inv.investigator,
            status=status,
            reason="Moving on.",
        )
    return inv


def _run(world: DemoWorld, case: Case | None = None) -> Investigation:
    inv = open_investigation(world, case)
    held = interview(world, inv)
    evidence(world, inv)
    finding(world, inv, held)
    return _conclude(world, inv)


def test_the_adult_concerned_sees_the_investigation_the_child_only_the_link(
    world: DemoWorld,
) -> None:
    inv = _run(world)
    coach = CaseSubject.objects.get(case=inv.case, role="adult_concerned").person
    child = CaseSubject.objects.get(case=inv.case, role="subject").person
    assert _titles(world, "lead", coach) == INVESTIGATION_LINES
    assert _titles(world, "lead", child) == []
    # Evidence: the title only, never its description or content.
    line = ChronologyItem.objects.get(person=coach, title__startswith="Evidence")
    assert line.summary == ""
    for persona in ("reporter", "auditor", "other_org", "partner_without"):
        assert _titles(world, persona, coach) == [], persona


def test_a_child_protection_case_shows_its_subject_everything(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    case = open_case(world)
    child = person_create(actor=lead, kind="child", given_names="Robin", family_name="Invline")
    case_actions.case_add_subject(
        actor=lead, case=case, version=case.version, person=child, role="subject"
    )
    _run(world, Case.objects.select_related("case_type").get(pk=case.pk))
    assert _titles(world, "lead", child) == INVESTIGATION_LINES
    # Someone joining the case later gets the same lines.
    sibling = person_create(actor=lead, kind="child", given_names="Kit", family_name="Invline")
    case.refresh_from_db()
    case_actions.case_add_subject(
        actor=lead, case=case, version=case.version, person=sibling, role="subject"
    )
    assert _titles(world, "lead", sibling) == INVESTIGATION_LINES


def test_the_lines_the_actions_keep_are_what_a_rebuild_makes(world: DemoWorld) -> None:
    inv = _run(world)
    # Reopened and concluded again: a second "concluded" line, from its own revision.
    inv = actions.investigation_update(
        actor=actor_for(world, "lead"),
        investigation=inv,
        version=inv.version,
        terms_of_reference=inv.terms_of_reference,
        plan=inv.plan,
        investigator=inv.investigator,
        status=InvestigationStatus.IN_PROGRESS,
        reason="A new witness came forward.",
    )
    interview(world, inv, interviewee_name="Second witness")
    _conclude_again = actions.investigation_update(
        actor=actor_for(world, "lead"),
        investigation=inv,
        version=inv.version,
        terms_of_reference=inv.terms_of_reference,
        plan=inv.plan,
        investigator=inv.investigator,
        status=InvestigationStatus.CONCLUDED,
        reason="Nothing changes the findings.",
    )
    assert _conclude_again.status == InvestigationStatus.CONCLUDED
    kept = lines()
    assert sum(1 for line in kept if "Investigation concluded" in line) == 2
    ChronologyItem.objects.filter(case__isnull=False).delete()
    written = case_chronology.rebuild(organisation_id=inv.organisation_id)
    assert written == len(kept)
    assert lines() == kept


def test_the_section_holds_terms_interviews_evidence_and_findings(world: DemoWorld) -> None:
    inv = _run(world)
    [section] = [s for s in parts.case_sections(inv.case) if s["key"] == "investigation"]
    assert section["title"] == "Investigation"
    headings = [e["heading"] for e in section["entries"]]
    assert headings[0] == "Terms of reference"
    assert "Interview: Sam Example-Witness (witness)" in headings
    assert "Evidence: Session register" in headings
    assert "Finding – Established fact" in headings
    bodies = "\n".join(e["body"] for e in section["entries"])
    item = inv.evidence.get()
    assert f"SHA-256: {item.sha256}" in bodies
    assert "Interviewer's opinion (opinion, not fact): A calm, consistent account." in bodies
    assert [s.order for s in parts.sections() if s.key == "investigation"] == [40]


def test_a_case_without_an_investigation_has_no_section(world: DemoWorld) -> None:
    case = open_case(world)
    assert not [s for s in parts.case_sections(case) if s["key"] == "investigation"]


def test_a_restricted_cases_investigation_stays_out_of_others_chronologies(
    world: DemoWorld,
) -> None:
    from safecase.cases.tests.helpers import restricted_case, second_lead

    deputy = second_lead(world)
    case = restricted_case(world, "case_worker")
    coach = person_create(
        actor=actor_for(world, "lead"),
        kind="adult_concerned",
        given_names="Lee",
        family_name="Invline",
    )
    case_actions.case_add_subject(
        actor=deputy, case=case, version=case.version, person=coach, role="adult_concerned"
    )
    inv = actions.investigation_open(
        actor=deputy,
        case=case,
        terms_of_reference="Establish what happened.",
        plan="Interview.",
        investigator=world.users["case_worker"],
        reason="Threshold met.",
    )
    interview(world, inv, persona="deputy")
    assert _titles(world, "case_worker", coach) == ["Investigation interview held (witness)"]
    assert _titles(world, "lead", coach) == []
