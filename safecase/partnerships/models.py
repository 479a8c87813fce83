"""The MASH hub of a partnership: its settings, the referrals into it, the agencies' sections
of each referral's one shared record, and the hub's decision.

Every row belongs to the hub organisation (the member that hosts the MASH, ``organisation``).
Who sees what (selectors.py): hub staff (HUB_VIEW in the hub organisation) see every referral,
and an agency's section only once it is answered and released; the referring organisation
(HUB_REFER/HUB_VIEW) sees its own referrals, what it sent and the decision with its rationale,
never the sections; an agency (HUB_ANSWER) sees the referral's header and its own section only.
Everyone else, in the partnership or not, gets 404. Changed only through the actions modules.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models

from safecase.concerns.models import ScanState
from safecase.core.models import BaseModel
from safecase.partnerships.choices import (
    AgencyKind,
    Decision,
    Rating,
    ReferralStatus,
    RequestStatus,
    Source,
)

DEFAULT_RED_WORKING_HOURS = 4
DEFAULT_AMBER_WORKING_HOURS = 24
DEFAULT_GREEN_HOURS = 72


class HubSettings(BaseModel):
    """The hub of one partnership: which member hosts it, its opening hours and own closed days
    (bank holidays always count as closed), and its RAG timescales. Seen and changed by the hub
    manager (HUB_CONFIGURE); every change is versioned (HubSettingsVersion) and audited."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    partnership = models.OneToOneField(
        "accounts.Partnership", on_delete=models.PROTECT, related_name="hub"
    )
    opens_at = models.TimeField(default=time(9, 0))
    closes_at = models.TimeField(default=time(17, 0))
    # Working weekdays as digits, 0 = Monday: "01234" is Monday to Friday.
    weekdays = models.CharField(max_length=7, default="01234")
    # The partnership's own closed days (ISO dates), on top of the bank holidays.
    closed_days = models.JSONField(default=list, blank=True)
    red_working_hours = models.PositiveSmallIntegerField(default=DEFAULT_RED_WORKING_HOURS)
    amber_working_hours = models.PositiveSmallIntegerField(default=DEFAULT_AMBER_WORKING_HOURS)
    green_hours = models.PositiveSmallIntegerField(default=DEFAULT_GREEN_HOURS)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (models.Index(fields=("organisation",)),)

    def __str__(self) -> str:
        return f"Hub of {self.partnership_id}"


class HubSettingsVersion(BaseModel):
    """One saved version of a hub's settings (append-only): what they were from then on."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    hub = models.ForeignKey(HubSettings, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    values = models.JSONField()
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ("-version",)
        constraints = (
            models.UniqueConstraint(fields=("hub", "version"), name="uniq_hub_settings_version"),
        )


class HubAgency(BaseModel):
    """An agency the hub asks for information: a member organisation and its kind."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    hub = models.ForeignKey(HubSettings, on_delete=models.PROTECT, related_name="agencies")
    agency_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=AgencyKind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("hub", "agency_organisation"), name="uniq_hub_agency_org"
            ),
        )
        indexes = (models.Index(fields=("agency_organisation", "is_active")),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.agency_organisation_id})"


class HubReferral(BaseModel):
    """A referral into the hub about one child or adult: from a member organisation (with the
    items it chose to share) or entered by hub staff from a call or e-mail. Rated (RAG), sent
    to agencies as information requests, decided."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    hub = models.ForeignKey(HubSettings, on_delete=models.PROTECT, related_name="referrals")
    referring_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    caller = models.CharField(max_length=200, blank=True)
    subject_name = models.CharField(max_length=200)
    summary = models.TextField()
    received_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField(max_length=6, choices=Rating.choices, blank=True)
    priority = models.PositiveSmallIntegerField(default=2)
    rated_at = models.DateTimeField(null=True, blank=True)
    # A red referral rated while the hub is closed: its clock counts from the next opening,
    # but it is worked at once (the domain rule: red is completed even outside hours).
    work_at_once = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decision_rationale = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            # The hub queue: open referrals, most urgent and oldest first (keyset).
            models.Index(fields=("organisation", "status", "priority", "received_at", "id")),
            # Decided referrals, newest first.
            models.Index(fields=("organisation", "status", "received_at", "id")),
            # The referrer's list.
            models.Index(fields=("referring_organisation", "received_at", "id")),
        )

    def __str__(self) -> str:
        return f"Hub referral {self.pk}"


class ReferralItem(BaseModel):
    """One record a referrer chose to send with the referral (a concern, the case, the
    person), shared with the hub organisation by ``share`` (lawful basis and consent there)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    referral = models.ForeignKey(HubReferral, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=10)  # concern / case / person
    object_id = models.UUIDField()
    label = models.CharField(max_length=200)
    share = models.ForeignKey("access.ShareGrant", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = (models.Index(fields=("referral", "kind")),)


class RatingChange(BaseModel):
    """Every rating of a referral, with its rationale (append-only history)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    referral = models.ForeignKey(HubReferral, on_delete=models.PROTECT, related_name="ratings")
    from_rating = models.CharField(max_length=6, blank=True)
    to_rating = models.CharField(max_length=6, choices=Rating.choices)
    rationale = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("created_at",)
        indexes = (models.Index(fields=("referral", "created_at")),)


class InformationRequest(BaseModel):
    """The hub's request to one agency, and that agency's section of the shared record: its
    answer, held until the agency's approver releases it when the agency chose to hold it.

    One row per agency (not one document) so each section has its own clock, its own
    visibility (only its agency, and the hub once released) and its own audit trail."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    referral = models.ForeignKey(HubReferral, on_delete=models.PROTECT, related_name="requests")
    agency = models.ForeignKey(HubAgency, on_delete=models.PROTECT, related_name="+")
    agency_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Null for blue (no target).
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The hub chose to show this released section to every party of the referral (the other
    # agencies asked and the referrer), with its reason; otherwise only its agency and the hub.
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("referral", "agency_organisation"), name="uniq_request_per_agency"
            ),
        )
        indexes = (
            # "Our information requests" and the home panel: an agency's open requests by due.
            models.Index(fields=("agency_organisation", "status", "due_at")),
            # Escalation sweep and the timeliness report.
            models.Index(fields=("organisation", "status", "due_at")),
            models.Index(fields=("organisation", "requested_at")),
        )

    def __str__(self) -> str:
        return f"Information request {self.pk}"

    @property
    def is_answered(self) -> bool:
        return self.status in (RequestStatus.HELD, RequestStatus.RELEASED)

    @property
    def is_released(self) -> bool:
        return self.status == RequestStatus.RELEASED

    def is_late_at(self, moment: object) -> bool:
        """Late: not released to the hub by its due time (released late, or still waiting)."""
        if self.due_at is None or self.status == RequestStatus.WITHDRAWN:
            return False
        done = self.released_at or moment
        return bool(done > self.due_at)  # type: ignore[operator]


class SectionAttachment(BaseModel):
    """A file an agency added to its section, stored encrypted (safecase.core.files) and seen
    exactly when the section is."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    request = models.ForeignKey(
        InformationRequest, on_delete=models.PROTECT, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    storage_name = models.CharField(max_length=120)
    display_name = models.CharField(max_length=160)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # The virus scan (security bar F2), as for a concern's attachments: served only once clean.
    scan_state = models.CharField(
        max_length=12, choices=ScanState.choices, default=ScanState.PENDING
    )
    # "clamd" or "clamscan"; "off" when scanning was switched off and the file was not scanned.
    scanned_by = models.CharField(max_length=20, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # What the scanner found, for a quarantined file.
    scan_signature = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["scan_state", "created_at"])]  # the rescan sweep

    @property
    def aad(self) -> bytes:
        return f"hub-section-attachment:{self.pk}".encode()
