"""The learning review's lines in the chronology (the review held; a recommendation done):
the titles the actions write and the source that reads them again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from safecase.cases.chronology import CaseFacts, Event
from safecase.cases.learning.choices import RecommendationStatus
from safecase.cases.learning.models import LearningReview, Recommendation


def review_held(held_on: date, facilitator: str) -> str:
    return f"Learning review held on {held_on:%d %b %Y}, facilitated by {facilitator}"


def recommendation_done(text: str) -> str:
    return "Learning recommendation done: " + text[:120]


def learning_events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    ids = list(cases)
    for r in LearningReview.objects.filter(case_id__in=ids):
        yield Event(
            r.case_id, r.pk, r.created_at, review_held(r.held_on, r.facilitator), r.do_better
        )
    done = Recommendation.objects.filter(
        case_id__in=ids, status=RecommendationStatus.DONE, closed_at__isnull=False
    )
    for rec in done:
        assert rec.closed_at is not None
        yield Event(
            rec.case_id, rec.pk, rec.closed_at, recommendation_done(rec.text), rec.status_reason
        )
