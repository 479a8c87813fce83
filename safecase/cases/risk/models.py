"""Risk assessment (the thread through every stage of a case) and approval gates.

Every row carries ``organisation`` (the owner) and is seen by whoever may see its case: the
selectors always start from ``cases_visible_to``, so a restricted case's risk is as invisible
as the case. Versions and decided requests are never changed: a new assessment is a new
version, and the history stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safecase.cases.risk.choices import (
    ApprovalStatus,
    GateKind,
    InterimMeasure,
    RiskLevel,
    Score,
    VersionApproval,
)
from safecase.core.models import BaseModel


class RiskAssessment(BaseModel):
    """The one living risk assessment of a case. Its content is in its versions; the latest is
    the current risk. ``version`` counts the versions recorded (0 before the first) and guards
    the assessment: a form made from an older one is refused (Conflict), never merged.
    ``level`` and ``next_review_on`` repeat the latest version's, so the overdue reviews of an
    organisation are one indexed query. Changed only by ``actions.risk_assess``."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="risk_assessment"
    )
    version = models.PositiveIntegerField(default=0)
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    next_review_on = models.DateField()
    assessed_at = models.DateTimeField()

    class Meta:
        # Reviews due and overdue across the organisation, soonest first.
        indexes = (models.Index(fields=("organisation", "next_review_on", "id")),)

    def __str__(self) -> str:
        return f"Risk of {self.case_id} (version {self.version})"


class RiskAssessmentVersion(BaseModel):
    """One version of a case's risk assessment: what the risk is, why it was assessed again, by
    whom and when (``created_at``). Append-only. ``approval`` says where it stands with the
    approval gate (if the organisation switched it on when it was recorded)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.PROTECT, related_name="versions"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    risk_factors = models.TextField()
    protective_factors = models.TextField()
    likelihood = models.PositiveSmallIntegerField(choices=Score.choices)
    impact = models.PositiveSmallIntegerField(choices=Score.choices)
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    # InterimMeasure values, in their order of the list.
    interim_measures = models.JSONField(default=list, blank=True)
    interim_other = models.CharField(max_length=300, blank=True)
    next_review_on = models.DateField()
    reason = models.TextField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approval = models.CharField(
        max_length=12, choices=VersionApproval.choices, default=VersionApproval.NOT_NEEDED
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("assessment", "number"), name="uniq_risk_version_number"
            ),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scores_one_to_five",
            ),
        )
        # The header's current risk (the latest of a case) and the history page.
        indexes = (models.Index(fields=("case", "number")),)

    def __str__(self) -> str:
        return f"Risk of {self.case_id}, version {self.number}: {self.level}"

    def measure_labels(self) -> list[str]:
        labels = dict(InterimMeasure.choices)
        out = []
        for value in self.interim_measures or []:
            if value == InterimMeasure.OTHER:
                out.append(f"Other: {self.interim_other}" if self.interim_other else "Other")
            else:
                out.append(str(labels.get(value, value)))
        return out


class ApprovalGates(models.Model):
    """Which approval gates an organisation has switched on (none by default). Changed only by
    ``actions.approval_gates_update`` under ``version``; read by whoever works its cases."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, primary_key=True
    )
    closure_needs_approval = models.BooleanField(default=False)
    risk_version_needs_approval = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Approval gates of {self.organisation_id}"


class ApprovalRequest(BaseModel):
    """A request for a supervisor's approval (closing the case, or a risk assessment version):
    who asked and why, who decided, what and why (the reason is mandatory), when. The
    approver holds case.supervise and is never the requester. An approved closure is used
    by the one move to closed it allows (``used_at``). Seen by whoever may see the case."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=GateKind.choices)
    risk_version = models.ForeignKey(
        RiskAssessmentVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    request_reason = models.TextField()
    status = models.CharField(
        max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            # One open request of a kind per case at a time.
            models.UniqueConstraint(
                fields=("case", "kind"),
                condition=Q(status=ApprovalStatus.PENDING),
                name="uniq_pending_approval",
            ),
            models.CheckConstraint(
                condition=Q(kind=GateKind.CLOSURE, risk_version__isnull=True)
                | Q(kind=GateKind.RISK_VERSION, risk_version__isnull=False),
                name="approval_risk_version_iff_kind",
            ),
        )
        indexes = (
            models.Index(fields=("case", "created_at")),
            # The supervisors' pending list.
            models.Index(fields=("organisation", "status", "created_at", "id")),
        )

    def __str__(self) -> str:
        return f"{self.kind} approval on {self.case_id}: {self.status}"
