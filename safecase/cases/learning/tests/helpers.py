"""Building learning reviews for tests through the real actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from conftest import actor_for
from safecase.cases.learning import actions
from safecase.cases.learning.models import LearningReview, Recommendation
from safecase.cases.models import Case
from safecase.cases.tests.helpers import DemoWorld


def review(
    world: DemoWorld, case: Case, persona: str = "lead", themes: list[str] | None = None
) -> LearningReview:
    return actions.learning_review_save(
        actor=actor_for(world, persona),
        case=case,
        version=0,
        went_well="The disclosure was recorded verbatim and referred the same day.",
        do_better="The coach's earlier low-level concern was not linked to this one.",
        why_it_happened="Low-level concerns were kept in a spreadsheet the lead did not see.",
        facilitator="An independent reviewer (synthetic)",
        held_on=timezone.localdate() - timedelta(days=1),
        themes=themes if themes is not None else ["information_sharing", "recording_quality"],
    )


def recommend(world: DemoWorld, case: Case, persona: str = "lead", **extra: Any) -> Recommendation:
    current = LearningReview.objects.get(case=case)
    fields: dict[str, Any] = {
        "text": "Keep low-level concerns about staff on the safeguarding log.",
        "owner": world.users["deputy"],
        "due_on": timezone.localdate() + timedelta(days=30),
        **extra,
    }
    return actions.recommendation_add(
        actor=actor_for(world, persona), case=case, version=current.version, **fields
    )
