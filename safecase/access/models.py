"""Share grants and restrictions: how a record's visibility differs from its owner's default."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from safecase.core.models import BaseModel


class ShareGrantQuerySet(models.QuerySet["ShareGrant"]):
    def active(self) -> ShareGrantQuerySet:
        """Not revoked, not expired, and its partnership still in force with both organisations
        still in it: a share never outlives the agreement it was made under."""
        from safecase.accounts.models import PartnershipMember

        now = timezone.now()
        today = timezone.localdate()

        def still_member(field: str) -> Exists:
            return Exists(
                PartnershipMember.objects.filter(
                    Q(left_on__isnull=True) | Q(left_on__gt=today),
                    partnership_id=OuterRef("partnership_id"),
                    organisation_id=OuterRef(field),
                )
            )

        return (
            self.filter(revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .filter(partnership__starts_on__lte=today)
            .filter(Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=today))
            .filter(still_member("owner_organisation_id"), still_member("to_organisation_id"))
        )


class Consent(models.TextChoices):
    """What the person (or whoever speaks for them) said to this disclosure (M6). Consent is
    sought unless seeking it would increase the risk of harm; a disclosure may go ahead without
    it when the threshold is met, and then the override says why and who decided."""

    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused (shared without it)"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class ShareGrant(BaseModel):
    """One item of one organisation shared with another organisation of a common partnership.

    Says for what purpose, under which lawful basis and until when; revocable. Seen by the leads
    of both organisations. Members of the receiving organisation whose role allows it may view the
    item (never change it) while the grant is active.
    """

    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="shares_given"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="shares_received"
    )
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=40)
    purpose = models.TextField()
    lawful_basis = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The disclosure's consent decision (M6): when consent was refused or not sought, why the
    # item was shared anyway and who decided (who may be a senior colleague, not the sharer).
    consent = models.CharField(max_length=16, choices=Consent.choices, default=Consent.GIVEN)
    consent_override_reason = models.TextField(blank=True)
    consent_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ShareGrantQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(fields=("to_organisation", "content_type", "object_id")),
            # "Shares we have given" and "Shared with us", newest first (issue 5).
            models.Index(fields=("owner_organisation", "created_at", "id")),
            models.Index(fields=("to_organisation", "created_at", "id")),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _set_hint(self.to_organisation_id, "receives_shares")


class RecordRestriction(BaseModel):
    """A record closed to everyone except the named people (e.g. an allegation against the lead).

    Not even the lead or the auditor sees a restricted record unless named. Seen by the named
    people only.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=40)
    reason = models.TextField()
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    named_people = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _set_hint(self.organisation_id, "restricts_records")

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("content_type", "object_id"), name="uniq_restriction_per_record"
            ),
        )


def _set_hint(organisation_id: uuid.UUID, hint: str) -> None:
    """Keep the organisation's hint true in the same transaction as the share or restriction
    (see Organisation.receives_shares), and make this process's actors read visibility afresh."""
    from safecase.access import scoping
    from safecase.accounts.models import Organisation

    Organisation.objects.filter(pk=organisation_id, **{hint: False}).update(**{hint: True})
    scoping.forget_visibility(organisation_id)


class BreakGlassAccess(BaseModel):
    """One break-glass opening (S3): a lead of the organisation opened a record of their own
    organisation that is restricted to named people they are not among, stating why and after
    re-entering their MFA code. Until ``expires_at`` the record is visible to that user (and
    only them) as if they were named: ``scoping.visibility`` takes it out of the records closed
    to them. Never for another organisation's record. Seen by the user who opened it, and by
    the organisation's auditors (the break-glass report), who mark each one reviewed."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=40)
    reason = models.TextField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            # The user's current openings, read with their visibility (one range).
            models.Index(fields=("organisation", "user", "expires_at")),
            # The break-glass report, newest first.
            models.Index(fields=("organisation", "created_at", "id")),
        )

    def __str__(self) -> str:
        return f"Break-glass by {self.user_id} on {self.object_id}"
