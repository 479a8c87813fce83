"""A synthetic learning review for the demo's allegation against the football coach (all
invented): what went well, what could be done better, why it happened, three recommendations
with owners and due dates, and its themes. Made through the real actions; idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from safecase.cases.allegations.demo import coach_case, demo_actor
from safecase.cases.learning import actions
from safecase.cases.learning.models import LearningReview

RECOMMENDATIONS = (
    (
        "deputy",
        "Bring the sports club's low-level concerns log into the safeguarding log, so earlier "
        "concerns about a coach are seen with a new one.",
        30,
    ),
    (
        "case_worker",
        "Check that every external coach's DBS check and references are on the single central "
        "record before their first session.",
        45,
    ),
    (
        "lead",
        "Give coaches who work alone with pupils termly supervision with the PE lead.",
        60,
    ),
)


def build_demo_learning(world: Any) -> None:
    """Runs after build_demo_allegations; does nothing without the coach's case or once it has
    a learning review."""
    case = coach_case(world)
    if case is None or LearningReview.objects.filter(case=case).exists():
        return
    lead = demo_actor(world)
    today = timezone.localdate()
    review = actions.learning_review_save(
        actor=lead,
        case=case,
        version=0,
        went_well="The PE teacher wrote down Alex's own words at once and told the lead the "
        "same afternoon; the LADO was phoned within the hour.",
        do_better="Two parents had mentioned the coach's temper at a match last term; it was "
        "noted on the club's own spreadsheet and never reached the lead.",
        why_it_happened="The club kept its concerns apart from the school's log, and staff "
        "did not see a coach's conduct as a safeguarding matter until a child was hurt.",
        facilitator="An independent safeguarding reviewer (synthetic)",
        held_on=today,
        themes=["information_sharing", "safer_recruitment", "supervision"],
    )
    for persona, text, days in RECOMMENDATIONS:
        current = LearningReview.objects.get(pk=review.pk)
        actions.recommendation_add(
            actor=lead,
            case=case,
            version=current.version,
            text=text,
            owner=world.users[persona],
            due_on=today + timedelta(days=days),
        )
