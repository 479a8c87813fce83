"""The learning review of a case (seed 000: why things went wrong, what went well, what could
be done better): the review itself, its themes, and its recommendations as tracked actions.

Every row carries ``organisation`` and its ``case``, and is seen by exactly those who may see
the case: a restricted case's review is never read, listed or counted for anyone not named
(the selectors start from ``cases_visible_to``). Changed only through learning.actions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecase.cases.learning.choices import RecommendationStatus
from safecase.core.models import BaseModel


class LearningSettings(models.Model):
    """An organisation's theme vocabulary ([{"code", "label", "active"}]); without a row the
    shipped themes apply. A retired theme stays on the reviews tagged with it and in the
    counts; it is no longer offered. Changed by the lead (concern.configure)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, primary_key=True
    )
    themes = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Learning settings of {self.organisation_id}"


class LearningReview(BaseModel):
    """The learning review of one case: what went well, what could be done better, why it
    happened; who facilitated it and when it was held. One per case, revised under
    ``version`` (the audit trail keeps each revision's who and when)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="learning_review"
    )
    went_well = models.TextField()
    do_better = models.TextField()
    why_it_happened = models.TextField()
    facilitator = models.CharField(max_length=200)
    held_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Learning review of {self.case_id}"


class ReviewTheme(models.Model):
    """A theme a review is tagged with (a code of the organisation's vocabulary), with its
    case beside it so themes are counted across the cases a reader may see in one query."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(LearningReview, on_delete=models.CASCADE, related_name="themes")
    code = models.SlugField(max_length=60)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("review", "code"), name="uniq_review_theme"),
        )
        indexes = (models.Index(fields=("organisation", "code", "case")),)

    def __str__(self) -> str:
        return f"{self.code} on {self.case_id}"


class Recommendation(BaseModel):
    """A recommendation of a learning review, tracked as an action: what, its owner (a member
    of the organisation), when it is due, and whether it is open, done or dropped (with the
    reason). Changed under ``version``."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(
        LearningReview, on_delete=models.PROTECT, related_name="recommendations"
    )
    text = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=8, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN
    )
    status_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            models.Index(fields=("review", "created_at")),
            # The open recommendations across cases, by due date.
            models.Index(fields=("organisation", "status", "due_on", "id")),
        )

    def __str__(self) -> str:
        return f"Recommendation on {self.case_id} ({self.status})"
