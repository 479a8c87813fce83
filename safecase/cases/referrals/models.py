"""External referrals of a case: to whom (an agency), when and how, the contact, their
reference, the response and outcome, the follow-up date, and escalations when no response
comes by it.

Seen by whoever may see the case (restriction to named people included). Changed only through
referrals.actions, under ``version``. Agencies: the shipped defaults (no organisation) and an
organisation's own rows, which override a default of the same code (its label, its deadline)
or add another agency; seen by anyone in the organisation who may see cases.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from safecase.cases.referrals.choices import ReferralMethod, ReferralStatus
from safecase.core.models import BaseModel

MAX_RESPONSE_DAYS = 20


class ReferralAgency(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True
    )
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    # The default follow-up date of a referral: this many working days after it was made.
    response_working_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESPONSE_DAYS)]
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("position", "label")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "code"), name="uniq_referral_agency_code"
            ),
        )

    def __str__(self) -> str:
        return self.label


class ExternalReferral(BaseModel):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="external_referrals"
    )
    agency = models.ForeignKey(ReferralAgency, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=12, choices=ReferralMethod.choices)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_details = models.CharField(max_length=300, blank=True)
    their_reference = models.CharField(max_length=100, blank=True)
    summary = models.TextField(blank=True)
    follow_up_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING
    )
    response = models.TextField(blank=True)
    response_received_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    response_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response_recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            models.Index(fields=("case", "made_at")),
            # Overdue responses: unanswered referrals by follow-up date.
            models.Index(fields=("organisation", "status", "follow_up_on")),
        )

    def __str__(self) -> str:
        return f"Referral to {self.agency_id} on {self.case_id}"

    @property
    def is_answered(self) -> bool:
        return self.status == ReferralStatus.RESPONDED


class ReferralEscalation(BaseModel):
    """No response came by the follow-up date, so it was taken higher: to whom, when, why.
    Append-only."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    referral = models.ForeignKey(
        ExternalReferral, on_delete=models.PROTECT, related_name="escalations"
    )
    escalated_to = models.CharField(max_length=200)
    escalated_at = models.DateTimeField()
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        indexes = (models.Index(fields=("referral", "escalated_at")),)

    def __str__(self) -> str:
        return f"Escalation of {self.referral_id}"
