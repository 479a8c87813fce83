"""How a break-glass opening enters the visibility rule (ADR 0015): it takes one restricted
record of the opener's own organisation out of what is closed to them, until it expires, and
never opens another organisation's record, even one shared in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.access import actions, scoping
from safecase.access.models import BreakGlassAccess
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.tests.helpers import second_lead
from safecase.people import actions as people_actions
from safecase.people.models import Person
from safecase.people.selectors import people_visible_to

pytestmark = pytest.mark.django_db


def _restricted_person(world: DemoWorld) -> Person:
    person = people_actions.person_create(
        actor=actor_for(world, "lead"), kind="child", given_names="Sky", family_name="Example-Glass"
    )
    actions.share_grant(
        actor=actor_for(world, "lead"),
        record=person,
        to_organisation=world.organisations["primary"],
        purpose="Transition to secondary (synthetic).",
        lawful_basis="UK GDPR Art. 6(1)(e)",
    )
    actions.record_restrict(
        actor=second_lead(world),
        record=person,
        named_people=[],
        reason="A relative of this child works at the school (synthetic).",
    )
    return person


def _open(world: DemoWorld, persona: str, organisation: str, person: Person, minutes: int) -> None:
    BreakGlassAccess.objects.create(
        organisation=world.organisations[organisation],
        user=world.users[persona],
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk.hex,
        reason="Test (synthetic).",
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )
    scoping.forget_visibility()


def test_an_opening_shows_the_record_to_its_opener_only_until_it_ends(world: DemoWorld) -> None:
    person = _restricted_person(world)
    assert not people_visible_to(actor_for(world, "lead")).filter(pk=person.pk).exists()
    _open(world, "lead", "secondary", person, 60)
    lead = actor_for(world, "lead")
    assert people_visible_to(lead).filter(pk=person.pk).exists()
    assert can(lead, Permission.PERSON_VIEW, person)
    assert not people_visible_to(actor_for(world, "case_worker")).filter(pk=person.pk).exists()
    BreakGlassAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    scoping.forget_visibility()
    lead = actor_for(world, "lead")
    assert not people_visible_to(lead).filter(pk=person.pk).exists()
    assert not can(lead, Permission.PERSON_VIEW, person)


def test_an_opening_in_another_organisation_never_opens_the_record(world: DemoWorld) -> None:
    person = _restricted_person(world)  # shared with the primary, then restricted by its owner
    _open(world, "primary_lead", "primary", person, 60)
    primary = actor_for(world, "primary_lead")
    assert not people_visible_to(primary).filter(pk=person.pk).exists()
    assert not can(primary, Permission.PERSON_VIEW, person)


def test_the_fallback_subquery_honours_openings(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _restricted_person(world)
    _open(world, "lead", "secondary", person, 60)
    monkeypatch.setattr(scoping, "MAX_SHARED_IDS", 0)  # every list "too long": subqueries
    lead = actor_for(world, "lead")
    assert people_visible_to(lead).filter(pk=person.pk).exists()
    assert can(lead, Permission.PERSON_VIEW, person)
    assert not people_visible_to(actor_for(world, "case_worker")).filter(pk=person.pk).exists()
