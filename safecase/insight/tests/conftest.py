"""Fixtures for the search tests: one data set, with decoys, indexed the way the actions do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safecase.demo.personas import DemoWorld

# Synthetic identifiers with valid check digits (not real people).
NHS = "9434765919"
UPN = "B801200005001"
OTHER_NHS = "4010234504"


def actor_for(world: DemoWorld, persona: str, roles: frozenset[str] | None = None) -> Any:
    from safecase.accounts.models import Membership
    from safecase.core.actors import Actor

    user = world.users[persona]
    membership = Membership.objects.get(user=user)
    return Actor(
        user=user,
        organisation=membership.organisation,
        roles=roles or frozenset(membership.role_names()),
    )


def add_person(world: DemoWorld, persona: str, given: str, family: str, **extra: Any) -> Any:
    """A child recorded by ``persona`` (as a lead of their organisation, so anyone may)."""
    from safecase.insight.search import index_person
    from safecase.people.actions import person_create

    person = person_create(
        actor=actor_for(world, persona, frozenset({"lead"})),
        kind="child",
        given_names=given,
        family_name=family,
        **extra,
    )
    index_person(person)  # what person_create will do once wired
    return person


def add_concern(world: DemoWorld, persona: str, name: str, fact: str, **extra: Any) -> Any:
    from safecase.concerns.actions import concern_save_draft, concern_submit
    from safecase.insight.search import index_concern

    actor = actor_for(world, persona)
    fields: dict[str, Any] = {
        "people": [{"name": name, "details": "Year 8", "role": "subject"}],
        "category_codes": ["physical"],
        "happened_at": timezone.now() - timedelta(hours=2),
        "location": "Playground",
        "fact": fact,
        **extra,
    }
    draft = concern_save_draft(actor=actor, concern=None, version=None, **fields)
    concern = concern_submit(actor=actor, concern=draft, version=draft.version)
    index_concern(concern)  # what concern_submit will do once wired
    return concern


@dataclass
class SearchWorld:
    world: DemoWorld
    records: dict[str, Any]

    def id(self, name: str) -> Any:
        return self.records[name].pk


@pytest.fixture
def search_world(world: DemoWorld) -> SearchWorld:
    """Riverside's records, with the same words and identifiers in other organisations.

    - zoe: Riverside child, NHS number and UPN; shared with the police.
    - tom: Riverside child.
    - hidden: Riverside child restricted to the lead.
    - reporter_concern / worker_concern: concerns about a purple bruise, by two recorders.
    - low_level: a low-level concern about an adult (the lead's log, and its recorder's).
    - decoy_person / decoy_concern: Westbrook's (another organisation), same words, same NHS.
    - police_person: the police's own child, same family name.
    """
    from safecase.access.actions import record_restrict, share_grant

    records: dict[str, Any] = {}
    records["zoe"] = add_person(
        world,
        "lead",
        "Zoë",
        "Ashworth",
        date_of_birth=date(2014, 5, 17),
        identifiers=[("nhs", "943 476 5919"), ("upn", UPN)],
    )
    records["tom"] = add_person(world, "case_worker", "Tom", "Bright", preferred_name="Tommy")
    records["hidden"] = add_person(world, "lead", "Hana", "Ashworth")
    record_restrict(
        actor=actor_for(world, "lead"),
        record=records["hidden"],
        named_people=[],
        reason="Allegation involving a member of staff.",
    )
    records["reporter_concern"] = add_concern(
        world,
        "reporter",
        "Zoë Ashworth",
        "A purple bruise, about 3 cm, on the left forearm.",
        own_words="My step-dad grabbed me.",
    )
    records["worker_concern"] = add_concern(
        world,
        "case_worker",
        "Tom Bright",
        "Tom was bruised on his cheek and said he fell off his bike.",
    )
    records["low_level"] = add_concern(
        world,
        "case_worker",
        "Mr Colin Staffroom",
        "Mr Staffroom gave a pupil a lift home in his own car.",
        kind="low_level_adult",
        category_codes=["other"],
    )
    records["decoy_person"] = add_person(
        world, "other_org", "Zoë", "Ashworth", identifiers=[("nhs", NHS)]
    )
    records["decoy_concern"] = add_concern(
        world, "other_org", "Zoe Ashworth", "A purple bruise on the forearm, seen at the pool."
    )
    records["police_person"] = add_person(world, "partner_with_share", "Pat", "Ashworth")
    share_grant(
        actor=actor_for(world, "lead"),
        record=records["zoe"],
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry.",
        lawful_basis="Children Act 1989 s.47",
    )
    return SearchWorld(world=world, records=records)
