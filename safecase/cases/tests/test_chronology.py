"""A case appears in its subjects' chronologies (issue 4), seen exactly by those who may see
the case; an allegation stays out of a child's record beyond one restricted link (W12); and
the lines the actions keep are exactly what a rebuild makes."""

from __future__ import annotations

import pytest

from conftest import actor_for
from safecase.cases import actions
from safecase.cases import chronology as case_chronology
from safecase.cases.choices import Stage, SubjectRole
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case, restricted_case, second_lead
from safecase.concerns import chronology as concern_chronology
from safecase.concerns import selectors
from safecase.concerns.tests.test_chronology_lines import lines
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create, person_merge
from safecase.people.models import ChronologyItem, Person

pytestmark = pytest.mark.django_db


def a_person(world: DemoWorld, given: str, kind: str = "child") -> Person:
    return person_create(
        actor=actor_for(world, "lead"), kind=kind, given_names=given, family_name="Caseline"
    )


def add(actor: Actor, case: Case, person: Person, role: str = SubjectRole.SUBJECT) -> None:
    case.refresh_from_db()
    actions.case_add_subject(actor=actor, case=case, version=case.version, person=person, role=role)


def titles(actor: Actor, person: Person) -> list[str]:
    return [e.title for e in selectors.person_chronology(actor, person) if e.case_id]


def test_a_case_and_its_moves_appear_in_the_childs_chronology(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    child = a_person(world, "Robin")
    case = open_case(world)
    add(lead, case, child)
    case.refresh_from_db()
    actions.case_advance_stage(
        actor=lead,
        case=case,
        version=case.version,
        to_stage=Stage.EXTERNAL_REFERRAL,
        reason="Referred to children's social care.",
    )
    shown = titles(lead, child)
    assert shown == [
        f"Case {case.reference}: Reporting to external referral",
        f"Case {case.reference} opened: {case.title}",
    ]
    entry = next(e for e in selectors.person_chronology(lead, child) if e.case_id)
    assert entry.kind == "Case" and entry.record_id == case.pk
    # The deputy and the case worker see the case, so its lines; nobody else does.
    assert titles(actor_for(world, "deputy"), child) == shown
    for persona in ("reporter", "auditor", "org_admin", "other_org", "partner_without"):
        assert titles(actor_for(world, persona), child) == [], persona


def test_a_restricted_case_is_absent_from_the_chronology_of_anyone_not_named(
    world: DemoWorld,
) -> None:
    child = a_person(world, "Sky")
    case = restricted_case(world, "case_worker")
    add(second_lead(world), case, child)
    assert titles(actor_for(world, "case_worker"), child) != []
    assert titles(second_lead(world), child) != []
    # Lena Lead may see the child and every concern about them, but not this case.
    assert titles(actor_for(world, "lead"), child) == []
    assert list(selectors.person_chronology(actor_for(world, "lead"), child)) == []


def test_an_allegation_reaches_a_childs_record_only_as_a_link(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    child, coach = a_person(world, "Ash"), a_person(world, "Morgan", kind="adult_concerned")
    case = open_case(world, code="allegation", title="Allegation against a coach (synthetic)")
    add(lead, case, child)
    add(lead, case, coach, SubjectRole.ADULT_CONCERNED)
    case.refresh_from_db()
    actions.case_advance_stage(
        actor=lead,
        case=case,
        version=case.version,
        to_stage=Stage.EXTERNAL_REFERRAL,
        reason="LADO informed by phone.",
    )
    assert titles(lead, child) == [f"Named on allegation case {case.reference}"]
    assert "LADO" not in " ".join(e.summary for e in selectors.person_chronology(lead, child))
    assert titles(lead, coach) == [
        f"Case {case.reference}: Reporting to external referral",
        f"Case {case.reference} opened: {case.title}",
    ]


def test_a_low_level_case_stays_on_the_leads_log(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    adult = a_person(world, "Kit", kind="adult_concerned")
    case = open_case(world, code="low_level", title="Low-level: over-familiar messages")
    add(lead, case, adult, SubjectRole.ADULT_CONCERNED)
    assert titles(lead, adult) != []
    assert titles(actor_for(world, "deputy"), adult) == []


def test_the_case_lines_the_actions_keep_are_what_a_rebuild_makes(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    child, coach = a_person(world, "Jo"), a_person(world, "Lee", kind="adult_concerned")
    first = open_case(world)
    add(lead, first, child)
    allegation = open_case(world, code="allegation", title="Allegation (synthetic)")
    add(lead, allegation, child)
    add(lead, allegation, coach, SubjectRole.ADULT_CONCERNED)
    allegation.refresh_from_db()
    actions.case_advance_stage(
        actor=lead,
        case=allegation,
        version=allegation.version,
        to_stage=Stage.DECISION,
        reason="Enough is known to decide.",
    )
    kept = lines()
    assert kept
    organisation_id = first.organisation_id
    concern_chronology.rebuild(organisation_id=organisation_id)
    assert lines() == kept  # the concerns' rebuild leaves the cases' lines alone
    ChronologyItem.objects.filter(case__isnull=False).delete()
    written = case_chronology.rebuild(organisation_id=organisation_id)
    assert written == len(kept)
    assert lines() == kept


def test_a_merge_takes_the_duplicates_cases_to_the_survivor(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    survivor, duplicate = a_person(world, "Pat"), a_person(world, "Patt")
    case = open_case(world)
    add(lead, case, duplicate)
    person_merge(actor=lead, survivor=survivor, duplicate=duplicate, reason="Same child, typo.")
    assert case.subjects.get().person_id == survivor.pk
    assert titles(lead, survivor) == [f"Case {case.reference} opened: {case.title}"]
