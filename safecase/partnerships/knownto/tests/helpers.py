"""Building people and asking checks for the known-to tests, through the real actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from conftest import DemoWorld, actor_for
from safecase.partnerships.knownto import actions
from safecase.partnerships.knownto.models import KnownToCheck
from safecase.people import actions as people_actions
from safecase.people.models import Person

NHS = "9434765919"
OTHER_NHS = "9434765927"
UPN = "F801200100001"
BORN = date(2013, 3, 14)

# Who keeps records where: Riverside's lead, Oakfield's lead, Westbrook's lead (outside).
KEEPERS = {"secondary": "lead", "primary": "primary_lead", "outside": "other_org"}


def person(
    world: DemoWorld,
    org: str = "secondary",
    *,
    given: str = "Jamie",
    family: str = "Example-Child",
    born: date | None = BORN,
    identifiers: list[tuple[str, str]] | None = None,
    **extra: Any,
) -> Person:
    return people_actions.person_create(
        actor=actor_for(world, KEEPERS[org]),
        kind="child",
        given_names=given,
        family_name=family,
        date_of_birth=born,
        identifiers=identifiers,
        **extra,
    )


def ask(world: DemoWorld, persona: str = "partner_with_share", **kwargs: Any) -> KnownToCheck:
    kwargs.setdefault("purpose", "Screening a MASH referral (synthetic).")
    return actions.known_to_check(actor=actor_for(world, persona), **kwargs)


def known_to(check: KnownToCheck) -> list[str]:
    return sorted(m.organisation_name for m in check.matches.all())
