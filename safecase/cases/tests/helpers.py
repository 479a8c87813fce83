"""Building cases for tests through the real actions (factories for this app, in one place)."""

from __future__ import annotations

from typing import Any

from conftest import actor_for
from safecase.accounts.models import Membership
from safecase.cases import actions
from safecase.cases.models import Case, CaseType
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld


def case_type(code: str) -> CaseType:
    return CaseType.objects.get(organisation__isnull=True, code=code)


def open_case(
    world: DemoWorld, persona: str = "lead", code: str = "child_protection", **extra: Any
) -> Case:
    fields: dict[str, Any] = {
        "title": "Jamie Example-Child: bruising (synthetic)",
        "reason": "Physical harm disclosed; the threshold for a case is met.",
        **extra,
    }
    return actions.case_open(actor=actor_for(world, persona), case_type=case_type(code), **fields)


def second_lead(world: DemoWorld) -> Actor:
    """The deputy acting as a second lead (as a deputy made lead too would): who restricts a
    case about an allegation against the lead, naming others than the lead."""
    user = world.users["deputy"]
    membership = Membership.objects.get(user=user)
    return Actor(
        user=user,
        organisation=membership.organisation,
        roles=frozenset({*membership.role_names(), "lead"}),
    )


def restricted_case(world: DemoWorld, *named: str) -> Case:
    """An allegation against the lead, restricted by the deputy (as a second lead) to
    themselves and ``named``: Lena Lead is not among them."""
    return actions.case_open(
        actor=second_lead(world),
        case_type=case_type("allegation"),
        title="Allegation against a senior member of staff (synthetic)",
        reason="An allegation received by phone from a parent.",
        restrict_to=[world.users[p] for p in named],
        restriction_reason="The allegation is about the lead.",
    )
