"""The consent decision recorded with every disclosure (M6)."""

from __future__ import annotations

import pytest

from conftest import actor_for
from safecase.access import actions
from safecase.access.models import Consent, ShareGrant
from safecase.core.errors import DomainError
from safecase.demo.personas import DemoWorld
from safecase.people.models import Person


def _person(world: DemoWorld) -> Person:
    from safecase.people import actions as people_actions

    return people_actions.person_create(
        actor=actor_for(world, "lead"), kind="child", given_names="Tess", family_name="Consent"
    )


def _share(world: DemoWorld, person: Person, **consent: str) -> ShareGrant:
    return actions.share_grant(
        actor=actor_for(world, "lead"),
        record=person,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
        **consent,
    )


def test_consent_given_needs_no_override(world: DemoWorld) -> None:
    grant = _share(world, _person(world))
    assert grant.consent == Consent.GIVEN
    assert grant.consent_overridden_by is None
    assert grant.consent_override_reason == ""


@pytest.mark.parametrize("consent", [Consent.REFUSED, Consent.NOT_SOUGHT])
def test_sharing_without_consent_needs_a_reason_and_saves_nothing_without_one(
    world: DemoWorld, consent: str
) -> None:
    person = _person(world)
    with pytest.raises(DomainError, match="say why"):
        _share(world, person, consent=consent, consent_override_reason="  ")
    assert not ShareGrant.objects.filter(object_id=person.pk.hex).exists()


def test_an_override_records_why_and_who(world: DemoWorld) -> None:
    grant = _share(
        world,
        _person(world),
        consent=Consent.REFUSED,
        consent_override_reason="Threshold for a s.47 enquiry met; asking again would alert.",
    )
    assert grant.consent == Consent.REFUSED
    assert grant.consent_overridden_by == world.users["lead"]
    assert "s.47" in grant.consent_override_reason


def test_an_unknown_consent_value_is_refused(world: DemoWorld) -> None:
    with pytest.raises(DomainError, match="consent"):
        _share(world, _person(world), consent="maybe")
