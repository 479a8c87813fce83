"""The vocabulary of risk assessments and approval gates. Stored values are kept forever;
labels may change."""

from __future__ import annotations

from django.db import models


class RiskLevel(models.TextChoices):
    """The overall level of risk, as the assessor judges it (not computed from the scores:
    likelihood and impact inform it, the professional judgement decides it)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Score(models.IntegerChoices):
    """Likelihood and impact, each on a five-point scale."""

    VERY_LOW = 1, "1 – very low"
    LOW = 2, "2 – low"
    MODERATE = 3, "3 – moderate"
    HIGH = 4, "4 – high"
    VERY_HIGH = 5, "5 – very high"


class InterimMeasure(models.TextChoices):
    """What is in place to keep children safe while the case runs."""

    PROVISIONAL_SUSPENSION = "provisional_suspension", "Provisional suspension"
    SUPERVISED_CONTACT = "supervised_contact", "Supervised contact only"
    NO_UNSUPERVISED_ACCESS = "no_unsupervised_access", "No unsupervised access to children"
    OTHER = "other", "Other (say what)"


class GateKind(models.TextChoices):
    """What an approval request asks a supervisor to approve."""

    CLOSURE = "closure", "Closing the case"
    RISK_VERSION = "risk_version", "A risk assessment"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a supervisor"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    # A later risk assessment version replaced the one waiting for approval.
    SUPERSEDED = "superseded", "Superseded by a later version"


class Decision(models.TextChoices):
    """What a supervisor may decide on a request."""

    APPROVED = "approved", "Approve"
    REFUSED = "refused", "Refuse"


class VersionApproval(models.TextChoices):
    """Where a risk assessment version stands with the approval gate."""

    NOT_NEEDED = "not_needed", "No approval needed"
    PENDING = "pending", "Waiting for a supervisor's approval"
    APPROVED = "approved", "Approved by a supervisor"
    REFUSED = "refused", "Refused by a supervisor"
    SUPERSEDED = "superseded", "Replaced by a later version before a decision"
