"""The chronology lines (people.ChronologyItem) are a projection the actions keep: after any
sequence of actions they are exactly what a rebuild from the sources makes, and each viewer
sees exactly the lines of the concerns they may see (ADR 0010)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import actor_for
from safecase.access.actions import record_restrict, share_grant
from safecase.concerns import actions, chronology, selectors
from safecase.concerns.models import Concern
from safecase.concerns.tests.test_concerns import submitted_concern, triage
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create, person_merge
from safecase.people.models import ChronologyItem, Person

pytestmark = pytest.mark.django_db

PERSONAS = (
    "reporter",
    "lead",
    "deputy",
    "case_worker",
    "org_admin",
    "auditor",
    "partner_with_share",
    "partner_without",
    "other_org",
    "primary_lead",
)


def lines() -> set[tuple[Any, ...]]:
    """Every line, as the values that matter (not the surrogate key)."""
    fields = [f.attname for f in ChronologyItem._meta.concrete_fields if f.attname != "id"]
    return set(ChronologyItem.objects.values_list(*fields))


def a_child(world: DemoWorld, given: str = "Jamie") -> Person:
    return person_create(
        actor=actor_for(world, "lead"), kind="child", given_names=given, family_name="Linesby"
    )


def link(world: DemoWorld, concern: Concern, person: Person | None) -> None:
    actions.concern_link_person(
        actor=actor_for(world, "lead"), concern_person=concern.people.get(), person=person
    )


def test_the_lines_the_actions_keep_are_what_a_rebuild_makes(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    jamie, twin = a_child(world), a_child(world, "Jamie-Twin")
    first = submitted_concern(world)
    assert not ChronologyItem.objects.exists(), "no person linked yet: no line"
    link(world, first, jamie)
    triage(world, first)
    action = actions.action_create(
        actor=lead,
        concern=first,
        description="Speak to the form tutor",
        owner=world.users["deputy"],
        due_on=timezone.localdate() + timedelta(days=3),
    )
    actions.concern_add_addendum(actor=lead, concern=first, reason="Clarified", text="Left arm.")
    actions.action_complete(actor=lead, action=action, note="Done.")
    actions.concern_mark_significant(actor=lead, concern=first, significant=True)
    second = submitted_concern(world, category_codes=["neglect", "physical"])
    link(world, second, twin)
    triage(
        world,
        second,
        decision="monitor",
        threshold_considered="Level 3 not met.",
        review_on=timezone.localdate() + timedelta(days=20),
    )
    link(world, second, jamie)  # re-linked: the twin's lines go, Jamie's come
    third = submitted_concern(world)
    link(world, third, twin)
    link(world, third, None)  # unlinked: gone again
    link(world, third, twin)
    person_merge(actor=lead, survivor=jamie, duplicate=twin, reason="The same child.")

    kept = lines()
    with transaction.atomic():
        chronology.rebuild()
    assert lines() == kept
    assert ChronologyItem.objects.filter(person=jamie).count() == 3 + 2 + 1 + 1
    assert not ChronologyItem.objects.filter(person=twin).exists()
    done = ChronologyItem.objects.get(source_id=action.pk)
    assert done.summary.endswith("; done")
    assert set(
        ChronologyItem.objects.filter(concern=first).values_list("significant", flat=True)
    ) == {True}


def test_each_viewer_sees_the_lines_of_exactly_the_concerns_they_may_see(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    jamie = a_child(world)
    plain = submitted_concern(world)
    restricted = submitted_concern(world)
    shared = submitted_concern(world)
    low_level = submitted_concern(world, kind="low_level_adult")
    by_lead = submitted_concern(world, persona="lead")
    for concern in (plain, restricted, shared, low_level, by_lead):
        link(world, concern, jamie)
        triage(world, concern)
    record_restrict(
        actor=lead,
        record=restricted,
        named_people=[world.users["case_worker"]],
        reason="About a member of staff",
    )
    share_grant(
        actor=lead,
        record=shared,
        to_organisation=world.organisations["primary"],
        purpose="Strategy discussion",
        lawful_basis="Art. 6(1)(e)",
    )
    assert ChronologyItem.objects.filter(person=jamie).count() == 10

    for persona in PERSONAS:
        actor = actor_for(world, persona)
        about = Concern.objects.filter(people__person=jamie)
        expected = set(
            selectors.concerns_visible_to(actor).filter(pk__in=about).values_list("pk", flat=True)
        )
        seen = {entry.concern_id for entry in selectors.person_chronology(actor, jamie)}
        assert seen == expected, persona
    # The premise: the rule really does differ between them.
    deputy = actor_for(world, "deputy")  # not named, and not for the low-level log
    assert {e.concern_id for e in selectors.person_chronology(deputy, jamie)} == {
        plain.pk,
        shared.pk,
        by_lead.pk,
    }
    case_worker = actor_for(world, "case_worker")  # named
    assert restricted.pk in {e.concern_id for e in selectors.person_chronology(case_worker, jamie)}
    partner = actor_for(world, "primary_lead")  # another school's lead, given one by a share
    assert {e.concern_id for e in selectors.person_chronology(partner, jamie)} == {shared.pk}


def test_a_rename_shows_in_the_chronology_and_the_category_filter_still_works(
    world: DemoWorld,
) -> None:
    from safecase.concerns.config_actions import category_add, category_rename
    from safecase.concerns.selectors import safeguarding_settings_for

    lead = actor_for(world, "lead")
    settings = safeguarding_settings_for(lead.organisation_id)
    own = category_add(actor=lead, label="Dining hall", version=settings.categories_version)
    jamie = a_child(world)
    concern = submitted_concern(world, category_codes=["neglect", own.code])
    link(world, concern, jamie)

    def title() -> str:
        (entry,) = [e for e in selectors.person_chronology(lead, jamie) if e.is_concern]
        return entry.title

    assert title() == "Neglect, Dining hall"
    settings = safeguarding_settings_for(lead.organisation_id)
    category_rename(
        actor=lead, category=own, label="Lunchtimes", version=settings.categories_version
    )
    assert title() == "Neglect, Lunchtimes"
    only = selectors.ChronologyFilter(category="neglect")
    assert {e.concern_id for e in selectors.person_chronology(lead, jamie, only=only)} == {
        concern.pk
    }
    none = selectors.ChronologyFilter(category="online")
    assert selectors.person_chronology(lead, jamie, only=none) == []
