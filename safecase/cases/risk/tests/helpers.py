"""Building risk assessments and approvals for tests through the real actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from conftest import actor_for
from safecase.accounts.models import Membership
from safecase.cases.models import Case
from safecase.cases.risk import actions, selectors
from safecase.cases.risk.models import ApprovalRequest, RiskAssessmentVersion
from safecase.core.actors import Actor

# The demo world (safecase.demo.personas.DemoWorld). The import contract keeps safecase.cases.*
# from importing safecase.demo, and its exception for tests covers safecase.<app>.tests only,
# not a nested app's: so the world is typed loosely here.
DemoWorld = Any


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def assessment(**extra: Any) -> dict[str, Any]:
    """The fields of a good assessment (synthetic), with ``extra`` instead where given."""
    fields: dict[str, Any] = {
        "risk_factors": "Bruising to the upper arm; the child is frightened to go home.",
        "protective_factors": "A trusted teacher; the grandmother lives nearby.",
        "likelihood": 4,
        "impact": 4,
        "level": "high",
        "interim_measures": ["supervised_contact"],
        "interim_other": "",
        "next_review_on": in_days(14),
        "reason": "First assessment after the disclosure.",
    }
    fields.update(extra)
    return fields


def assess(
    world: DemoWorld, case: Case, persona: str = "lead", **extra: Any
) -> RiskAssessmentVersion:
    return actions.risk_assess(
        actor=actor_for(world, persona),
        case=case,
        version=selectors.assessment_version(case),
        **assessment(**extra),
    )


def gates_on(world: DemoWorld, *, closure: bool = True, risk: bool = False) -> None:
    gates = selectors.gates_for(world.organisations["secondary"].pk)
    actions.approval_gates_update(
        actor=actor_for(world, "lead"),
        version=gates.version,
        closure_needs_approval=closure,
        risk_version_needs_approval=risk,
    )


def request_closure(world: DemoWorld, case: Case, persona: str = "lead") -> ApprovalRequest:
    return actions.approval_request(
        actor=actor_for(world, persona),
        case=case,
        kind="closure",
        reason="The work is done; the family is supported by early help.",
    )


def lead_and_supervisor(world: DemoWorld) -> Actor:
    """The lead holding the supervisor's role too (a small team): who may ask and may decide,
    but never both on one request."""
    user = world.users["lead"]
    membership = Membership.objects.get(user=user)
    return Actor(
        user=user,
        organisation=membership.organisation,
        roles=frozenset({*membership.role_names(), "supervisor"}),
    )
