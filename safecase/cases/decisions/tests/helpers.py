"""Building decisions and appeals for tests through the real actions. Riverside has one
holder of case.decide among the personas (Lena Lead); an appeal panel needs others, so
``decider`` adds synthetic members with the decision maker role (test set-up, not an action)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from conftest import DEMO_PASSWORD, DemoWorld, actor_for
from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole, User
from safecase.cases import actions as case_actions
from safecase.cases.choices import Stage, SubjectRole
from safecase.cases.decisions import actions
from safecase.cases.decisions.choices import OptionKind
from safecase.cases.decisions.models import Appeal, Decision, DecisionOption
from safecase.cases.decisions.selectors import SanctionInput
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.core.actors import Actor
from safecase.people.actions import person_create
from safecase.people.models import Person

RATIONALE = (
    "Two consistent accounts and the CCTV still establish that the coach grabbed the pupil's "
    "arm; the coach accepts being 'firm'."
)


def decider(world: DemoWorld, key: str, name: str) -> Actor:
    """A synthetic member of Riverside holding the decision maker role (case.decide)."""
    email = f"{key}@decisions.test.invalid"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=DEMO_PASSWORD, full_name=name
    )
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=world.organisations["secondary"]
    )
    MembershipRole.objects.get_or_create(membership=membership, role=Role.DECISION_MAKER)
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset({Role.DECISION_MAKER})
    )


def option(kind: str, code: str) -> DecisionOption:
    return DecisionOption.objects.get(organisation__isnull=True, kind=kind, code=code)


def outcome(code: str = "substantiated") -> DecisionOption:
    return option(OptionKind.OUTCOME, code)


def sanction(code: str, detail: str = "", **extra: Any) -> SanctionInput:
    return SanctionInput(option=option(OptionKind.SANCTION, code), detail=detail, **extra)


def coach(world: DemoWorld) -> Person:
    return person_create(
        actor=actor_for(world, "lead"),
        kind="adult_concerned",
        given_names="Mark",
        family_name="Example-Coach",
    )


def case_at_decision(world: DemoWorld, *, with_coach: bool = True, **extra: Any) -> Case:
    """An allegation case from a concern, with the coach on it, at the decision stage."""
    lead = actor_for(world, "lead")
    extra.setdefault("title", "Allegation against a coach (synthetic)")
    case = open_case(world, code="allegation", concern=submitted_concern(world), **extra)
    if with_coach:
        case_actions.case_add_subject(
            actor=lead,
            case=case,
            version=case.version,
            person=coach(world),
            role=SubjectRole.ADULT_CONCERNED,
        )
    move(world, case, Stage.DECISION)
    return case


def move(world: DemoWorld, case: Case, to_stage: str, persona: str = "lead") -> None:
    case.refresh_from_db()
    case_actions.case_advance_stage(
        actor=actor_for(world, persona),
        case=case,
        version=case.version,
        to_stage=to_stage,
        reason="The case moves on (synthetic).",
    )


def decide(world: DemoWorld, case: Case, actor: Actor | None = None, **extra: Any) -> Decision:
    actor = actor or actor_for(world, "lead")
    case.refresh_from_db()
    fields: dict[str, Any] = {
        "outcome": outcome(),
        "sanctions": [sanction("training", "Safeguarding refresher"), sanction("warning")],
        "decision_makers": [actor.user],
        "rationale": RATIONALE,
        "decided_at": timezone.now(),
        **extra,
    }
    return actions.decision_record(actor=actor, case=case, version=case.version, **fields)


def lodge(world: DemoWorld, case: Case, decision: Decision, **extra: Any) -> Appeal:
    case.refresh_from_db()
    fields: dict[str, Any] = {
        "appellant_name": "Mark Example-Coach",
        "appellant_role": "The coach",
        "grounds": "The sanction is disproportionate to a single incident.",
        "lodged_at": timezone.now(),
        **extra,
    }
    return actions.appeal_lodge(
        actor=actor_for(world, "lead"),
        case=case,
        version=case.version,
        decision=decision,
        **fields,
    )


def panel_of(world: DemoWorld) -> list[Actor]:
    return [
        decider(world, "panel.chair", "Gwen Governor-Example"),
        decider(world, "panel.member", "Tariq Trustee-Example"),
    ]


def set_panel(world: DemoWorld, appeal: Appeal, panel: list[Actor]) -> Appeal:
    appeal.refresh_from_db()
    return actions.appeal_set_panel(
        actor=actor_for(world, "lead"),
        appeal=appeal,
        version=appeal.version,
        panel=[p.user for p in panel if p.user is not None],
        hearing_at=timezone.now(),
    )
