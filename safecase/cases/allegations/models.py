"""The allegation track of a case (W12, KCSIE Part 4): the harm-threshold test, the LADO
reference, the suspension decision and its reviews, referrals to barring or regulatory bodies.

Only on a case whose type follows the allegation workflow. Every row carries ``organisation``
and its ``case``, and is seen by exactly those who may see the case (restriction to named
people included): the selectors start from ``cases_visible_to``. None of it reaches a child's
chronology: the case's lines go to the adult concerned only (cases/chronology.py).
Changed only through allegations.actions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safecase.cases.allegations.choices import BarringBody, ReviewOutcome, SuspensionChoice
from safecase.core.models import BaseModel


class AllegationSettings(models.Model):
    """An organisation's wording of the harm tests (a list of {"code", "question"}); without a
    row the four KCSIE tests apply. Changed by the lead (concern.configure), under
    ``version``."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, primary_key=True
    )
    harm_tests = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Allegation settings of {self.organisation_id}"


class Allegation(BaseModel):
    """The allegation part of one case: its LADO referral (reference and when), and the lock
    every new record of the part is made under (``version``): a harm test, a suspension
    decision, a barring referral each take the case's allegation from one version to the
    next, so a stale form is refused. Made by the first of them."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="allegation")
    lado_reference = models.CharField(max_length=60, blank=True)
    lado_referred_at = models.DateTimeField(null=True, blank=True)
    lado_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Allegation on {self.case_id}"


class HarmTest(BaseModel):
    """One answering of the harm tests (append-only; the latest is the current one). Each
    answer keeps its question as asked: {"code", "question", "answer": bool, "note"}. The
    threshold is met when any answer is yes: a LADO referral is then due within one working
    day."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    threshold_met = models.BooleanField()
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=("case", "created_at")),)

    def __str__(self) -> str:
        return f"Harm test on {self.case_id}: {'met' if self.threshold_met else 'not met'}"


class SuspensionDecision(BaseModel):
    """Whether the adult concerned is suspended, not suspended or under alternative
    arrangements (redeployment, no unsupervised contact), why, from when, and when it is next
    reviewed. At most one current decision per case (``ended_on`` empty); a review continues,
    changes or lifts it. Changed only by its reviews, under ``version``."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=SuspensionChoice.choices)
    # The decision as first made (``decision`` follows the reviews that change it).
    initial_decision = models.CharField(max_length=16, choices=SuspensionChoice.choices)
    arrangements = models.TextField(blank=True)
    rationale = models.TextField()
    starts_on = models.DateField()
    next_review_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("case",),
                condition=Q(ended_on__isnull=True),
                name="uniq_current_suspension_decision",
            ),
        )
        indexes = (
            models.Index(fields=("case", "created_at")),
            # The overdue reviews: current decisions by review date.
            models.Index(fields=("organisation", "ended_on", "next_review_on")),
        )

    def __str__(self) -> str:
        return f"{self.decision} on {self.case_id}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class SuspensionReview(BaseModel):
    """One review of a suspension decision (append-only): its outcome, why, what the decision
    was and became, and the next review date (none when lifted)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        SuspensionDecision, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=12, choices=ReviewOutcome.choices)
    from_decision = models.CharField(max_length=16, choices=SuspensionChoice.choices)
    to_decision = models.CharField(max_length=16, choices=SuspensionChoice.choices)
    rationale = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=("decision", "created_at")),)

    def __str__(self) -> str:
        return f"{self.outcome} review of {self.decision_id}"


class BarringReferral(BaseModel):
    """A referral of the adult concerned to a barring or regulatory body (DBS, the Teaching
    Regulation Agency, a sport's governing body...): when, their reference, why, and their
    outcome once known (recorded under ``version``)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    body = models.CharField(max_length=16, choices=BarringBody.choices)
    body_name = models.CharField(max_length=120, blank=True)
    referred_on = models.DateField()
    reference = models.CharField(max_length=60, blank=True)
    reason = models.TextField()
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (models.Index(fields=("case", "created_at")),)

    def __str__(self) -> str:
        return f"Referral to {self.body} on {self.case_id}"

    @property
    def body_label(self) -> str:
        label = BarringBody(self.body).label
        return f"{label}: {self.body_name}" if self.body_name else label
