"""Building the allegation track for tests through the real actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from conftest import actor_for
from safecase.cases import actions as case_actions
from safecase.cases.allegations import actions
from safecase.cases.allegations.models import BarringReferral, HarmTest, SuspensionDecision
from safecase.cases.allegations.selectors import allegation_part
from safecase.cases.choices import SubjectRole
from safecase.cases.models import Case
from safecase.cases.tests.helpers import DemoWorld, open_case
from safecase.people.actions import person_create

ALL_NO = {"harmed": False, "offence": False, "risk": False, "unsuitable": False}


def allegation_case(world: DemoWorld, persona: str = "lead", **extra: Any) -> Case:
    return open_case(
        world,
        persona,
        code="allegation",
        title=extra.pop("title", "Allegation against a coach (synthetic)"),
        reason="A pupil alleges the coach grabbed them.",
        **extra,
    )


def version(case: Case) -> int:
    return allegation_part(case).version


def with_people(world: DemoWorld, case: Case, persona: str = "lead") -> tuple[Any, Any]:
    """A child and the adult concerned on the case: (child, adult)."""
    actor = actor_for(world, persona)
    child = person_create(
        actor=actor,
        kind="child",
        given_names="Alex",
        family_name="Example-Pupil",
        date_of_birth=date(2013, 3, 14),
    )
    adult = person_create(
        actor=actor,
        kind="adult_concerned",
        given_names="Mark",
        family_name="Example-Coach",
        date_of_birth=date(1984, 6, 2),
    )
    for person, role in ((child, SubjectRole.SUBJECT), (adult, SubjectRole.ADULT_CONCERNED)):
        case.refresh_from_db()
        case_actions.case_add_subject(
            actor=actor, case=case, version=case.version, person=person, role=role
        )
    return child, adult


def harm_test(world: DemoWorld, case: Case, persona: str = "lead", met: bool = True) -> HarmTest:
    return actions.harm_test_record(
        actor=actor_for(world, persona),
        case=case,
        version=version(case),
        answers={**ALL_NO, "harmed": met},
        notes={"harmed": "Bruising seen by the PE teacher."},
        summary="Physical harm alleged.",
    )


def suspend(
    world: DemoWorld, case: Case, persona: str = "lead", **extra: Any
) -> SuspensionDecision:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "decision": "suspended",
        "rationale": "Pending the LADO's advice; the coach works alone with pupils.",
        "starts_on": today,
        "next_review_on": today + timedelta(days=14),
        **extra,
    }
    return actions.suspension_decide(
        actor=actor_for(world, persona), case=case, version=version(case), **fields
    )


def refer(world: DemoWorld, case: Case, persona: str = "lead") -> BarringReferral:
    return actions.barring_refer(
        actor=actor_for(world, persona),
        case=case,
        version=version(case),
        body="governing_body",
        body_name="The Football Association (synthetic)",
        referred_on=timezone.localdate(),
        reference="FA-0001",
        reason="The coach holds an FA coaching licence.",
    )
