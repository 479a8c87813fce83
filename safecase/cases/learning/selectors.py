"""Reading learning reviews: one case's (found by the caller through case_or_404), and, across
cases, the theme counts and the open recommendations, which start from ``cases_visible_to``:
a restricted case is never counted or listed for anyone not named on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from safecase.cases.learning.choices import DEFAULT_THEMES, RecommendationStatus
from safecase.cases.learning.models import (
    LearningReview,
    LearningSettings,
    Recommendation,
    ReviewTheme,
)
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page

LIMIT = 200


def themes_for(organisation_id: Any) -> list[dict[str, Any]]:
    """The organisation's theme vocabulary, retired ones included: [{"code", "label",
    "active"}]; the shipped themes unless the lead changed them."""
    row = LearningSettings.objects.filter(organisation_id=organisation_id).first()
    if row is not None and row.themes:
        return list(row.themes)
    return [{"code": code, "label": label, "active": True} for code, label in DEFAULT_THEMES]


def active_themes(organisation_id: Any) -> list[dict[str, Any]]:
    return [t for t in themes_for(organisation_id) if t["active"]]


def theme_labels(organisation_id: Any) -> dict[str, str]:
    labels = dict(DEFAULT_THEMES)
    labels.update({t["code"]: t["label"] for t in themes_for(organisation_id)})
    return labels


def settings_version(organisation_id: Any) -> int:
    row = LearningSettings.objects.filter(organisation_id=organisation_id).first()
    return row.version if row is not None else 0


@dataclass
class LearningPart:
    case: Case
    review: LearningReview | None
    themes: list[str]
    recommendations: list[Recommendation]
    labels: dict[str, str]

    @property
    def version(self) -> int:
        return self.review.version if self.review is not None else 0

    @property
    def theme_labels(self) -> list[str]:
        return [self.labels.get(code, code) for code in self.themes]


def learning_part(case: Case) -> LearningPart:
    """The learning review of a case the caller may see, in a fixed number of queries."""
    review = LearningReview.objects.filter(case=case).select_related("recorded_by").first()
    themes: list[str] = []
    recommendations: list[Recommendation] = []
    if review is not None:
        themes = list(review.themes.order_by("code").values_list("code", flat=True))
        recommendations = list(
            review.recommendations.select_related("owner", "closed_by").order_by(
                "due_on", "created_at"
            )[:LIMIT]
        )
    return LearningPart(case, review, themes, recommendations, theme_labels(case.organisation_id))


def _own_visible_cases(actor: Actor) -> QuerySet[Case]:
    assert actor.organisation is not None
    return cases_visible_to(actor).filter(organisation_id=actor.organisation.pk)


@dataclass(frozen=True)
class ThemeCount:
    code: str
    label: str
    cases: int


def theme_counts(actor: Actor) -> list[ThemeCount]:
    """How many of the cases the actor may see were tagged with each theme, most first (a
    restricted case counts only for those named on it)."""
    labels = theme_labels(actor.organisation_id)
    rows = (
        ReviewTheme.objects.filter(case__in=_own_visible_cases(actor))
        .values("code")
        .annotate(cases=Count("case", distinct=True))
        .order_by("-cases", "code")
    )
    return [ThemeCount(r["code"], labels.get(r["code"], r["code"]), r["cases"]) for r in rows]


def open_recommendations(actor: Actor, *, theme: str = "") -> QuerySet[Recommendation]:
    """Open recommendations on the cases the actor may see, soonest due first; ``theme``:
    only those of reviews tagged with it."""
    rows = Recommendation.objects.filter(
        case__in=_own_visible_cases(actor), status=RecommendationStatus.OPEN
    )
    if theme:
        rows = rows.filter(review_id__in=ReviewTheme.objects.filter(code=theme).values("review_id"))
    return rows.select_related("owner", "case").order_by("due_on", "id")


def open_recommendations_page(
    actor: Actor, *, cursor: str | None, theme: str = ""
) -> KeysetPage[Recommendation]:
    return keyset_page(
        open_recommendations(actor, theme=theme), key=("due_on", "id"), cursor=cursor
    )


def overdue_recommendations(actor: Actor, *, today: date | None = None) -> QuerySet[Recommendation]:
    today = today or timezone.localdate()
    return open_recommendations(actor).filter(due_on__lt=today)


def recommendation_on(case: Case, recommendation_id: Any) -> Recommendation | None:
    return (
        Recommendation.objects.filter(case=case, pk=recommendation_id)
        .select_related("case__case_type")
        .first()
    )
