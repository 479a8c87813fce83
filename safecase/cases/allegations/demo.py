"""Synthetic allegation-track content for the demo's allegation against the after-school
football coach (safecase/demo/cases.py; all invented): the harm test met, the LADO's
reference, a provisional suspension reviewed at the strategy meeting, and a referral to the
sport's governing body. Made through the real actions; idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.cases.allegations import actions, selectors
from safecase.cases.allegations.models import HarmTest
from safecase.cases.models import Case
from safecase.core.actors import Actor

# The demo case's title says this (safecase/demo/cases.py, which a domain app may not import).
COACH_CASE_WORDS = "football coach"


def demo_actor(world: Any, persona: str = "lead") -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def coach_case(world: Any) -> Case | None:
    return (
        Case.objects.filter(
            organisation=world.organisations["secondary"],
            case_type__code="allegation",
            title__icontains=COACH_CASE_WORDS,
        )
        .select_related("case_type")
        .first()
    )


def build_demo_allegations(world: Any) -> None:
    """Runs after build_demo_cases; does nothing without the coach's case or once it has a
    harm test."""
    case = coach_case(world)
    if case is None or HarmTest.objects.filter(case=case).exists():
        return
    lead = demo_actor(world)
    today = timezone.localdate()

    def version() -> int:
        return selectors.allegation_part(case).version

    actions.harm_test_record(
        actor=lead,
        case=case,
        version=version(),
        answers={"harmed": True, "offence": True, "risk": True, "unsuitable": False},
        notes={
            "harmed": "Alex was seen crying and holding their upper arm; a bruise was noted.",
            "offence": "Grabbing and pushing a child may be an assault: a matter for the police.",
            "risk": "The coach runs sessions alone with Year 7 pupils.",
            "unsuitable": "Not known yet: nothing earlier is on record.",
        },
        summary="Threshold met on three of the four tests: referred to the LADO the same day.",
    )
    actions.allegation_record_lado(
        actor=lead,
        case=case,
        version=version(),
        reference="LADO/2026/0147 (synthetic)",
        referred_at=max(case.opened_at, timezone.now() - timedelta(hours=1)),
    )
    decision = actions.suspension_decide(
        actor=lead,
        case=case,
        version=version(),
        decision="suspended",
        rationale="Provisional suspension on the LADO's advice: the coach works alone with "
        "pupils and the police are to be informed. A neutral act, not a finding; he is told "
        "who his point of contact is.",
        starts_on=today,
        next_review_on=today + timedelta(days=7),
    )
    actions.suspension_review(
        actor=lead,
        decision=decision,
        version=decision.version,
        reviewed_on=today,
        outcome="continue",
        rationale="Reviewed at the LADO strategy meeting: the police are enquiring; the "
        "suspension continues and is reviewed again in two weeks.",
        next_review_on=today + timedelta(days=14),
    )
    actions.barring_refer(
        actor=lead,
        case=case,
        version=version(),
        body="governing_body",
        body_name="The Football Association (synthetic)",
        referred_on=today,
        reference="FA-SG-20931 (synthetic)",
        reason="The coach holds a coaching licence from the governing body, whose safeguarding "
        "team must be told of an allegation so it can consider an interim suspension.",
    )
