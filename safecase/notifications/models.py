"""In-app notifications: "something waits for you in Safecase", never what it is.

A notification is a pointer, like the e-mails that go with it: its text is chosen here from a
fixed sentence per kind (filled in with a time only), and its link is a URL name from a short
list plus the id of the record. No name, narrative or free text from a case ever reaches this
table, so a notification shown on a shared screen or kept after a record is restricted tells
nobody anything about a child. Whether the recipient may open the record is decided, as
always, by the record's own page when they follow the link.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class NotificationKind(models.TextChoices):
    URGENT_CONCERN = "urgent_concern", "Urgent concern"
    CONCERN_ESCALATED = "concern_escalated", "Concern waiting too long"
    PATTERN_ALERT = "pattern_alert", "Pattern alert"
    ACTION_ASSIGNED = "action_assigned", "Action set for you"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    FILE_QUARANTINED = "file_quarantined", "File held back by the virus scan"
    HUB_REQUEST_LATE = "hub_request_late", "Hub information request late"
    HUB_REFERRAL_RECEIVED = "hub_referral_received", "Referral received by the hub"
    HUB_REQUEST_RECEIVED = "hub_request_received", "Information request from the hub"
    HUB_REFERRAL_DECIDED = "hub_referral_decided", "Hub decision on your referral"
    BREAK_GLASS = "break_glass", "Restricted record opened by break-glass"
    TRANSFER_RECEIVED = "transfer_received", "Safeguarding file sent to you"
    TRANSFER_ACCEPTED = "transfer_accepted", "Safeguarding file you sent accepted"
    TRANSFER_REJECTED = "transfer_rejected", "Safeguarding file you sent rejected"
    # Escalation: one kind per step and side, so each step tells each lead once (notify never
    # repeats a kind about the same record) and the link goes to that side's page.
    TRANSFER_WAITING_1 = "transfer_waiting_1", "Safeguarding file waiting for you"
    TRANSFER_WAITING_2 = "transfer_waiting_2", "Safeguarding file still waiting (2nd reminder)"
    TRANSFER_WAITING_3 = "transfer_waiting_3", "Safeguarding file still waiting (last reminder)"
    TRANSFER_UNANSWERED_1 = "transfer_unanswered_1", "Safeguarding file you sent not acted on"
    TRANSFER_UNANSWERED_2 = (
        "transfer_unanswered_2",
        "Safeguarding file you sent still not acted on (2nd reminder)",
    )
    TRANSFER_UNANSWERED_3 = (
        "transfer_unanswered_3",
        "Safeguarding file you sent still not acted on (last reminder)",
    )


# The sentence each kind shows. ``{when}`` is the only placeholder: a time, never a detail.
TEXTS: dict[str, str] = {
    NotificationKind.URGENT_CONCERN: "An urgent concern was recorded at {when}; "
    "open Safecase to read it.",
    NotificationKind.CONCERN_ESCALATED: "A concern recorded at {when} is still waiting for "
    "triage; open it to decide what happens next.",
    NotificationKind.PATTERN_ALERT: "A pattern alert was raised at {when}; "
    "open the triage queue to review it.",
    NotificationKind.ACTION_ASSIGNED: "An action was set for you at {when}; "
    "open your concerns and actions to see it.",
    NotificationKind.ACTION_OVERDUE: "An action set for you is past its due date; "
    "open your concerns and actions to see it.",
    NotificationKind.FILE_QUARANTINED: "A file added to a concern at {when} was held back by "
    "the virus scan; open the concern to see which.",
    NotificationKind.HUB_REQUEST_LATE: "An information request from the hub is past its due "
    "time; open the hub to answer or chase it.",
    NotificationKind.HUB_REFERRAL_RECEIVED: "A referral reached the hub at {when}; "
    "open the hub queue to rate it.",
    NotificationKind.HUB_REQUEST_RECEIVED: "The hub asked your agency for information at "
    "{when}; open it to see when the answer is due.",
    NotificationKind.HUB_REFERRAL_DECIDED: "The hub decided on a referral of yours at {when}; "
    "open it to see the outcome.",
    NotificationKind.BREAK_GLASS: "A restricted record was opened by break-glass at {when}; "
    "open Safecase to see who opened it and why.",
    NotificationKind.TRANSFER_RECEIVED: "A safeguarding file was sent to your organisation at "
    "{when}; open it to accept or reject it.",
    NotificationKind.TRANSFER_ACCEPTED: "A safeguarding file your organisation sent was "
    "accepted at {when}: receipt is confirmed.",
    NotificationKind.TRANSFER_REJECTED: "A safeguarding file your organisation sent was "
    "rejected at {when}; open it to see the reason.",
    NotificationKind.TRANSFER_WAITING_1: "A safeguarding file sent to your organisation is past "
    "its due date; open it to accept or reject it.",
    NotificationKind.TRANSFER_WAITING_2: "A safeguarding file sent to your organisation is "
    "still waiting (second reminder); open it to accept or reject it.",
    NotificationKind.TRANSFER_WAITING_3: "A safeguarding file sent to your organisation is "
    "still waiting (last reminder); open it to accept or reject it.",
    NotificationKind.TRANSFER_UNANSWERED_1: "A safeguarding file your organisation sent is past "
    "its due date and not yet acted on; open it to resend it or see where it stands.",
    NotificationKind.TRANSFER_UNANSWERED_2: "A safeguarding file your organisation sent is "
    "still not acted on (second reminder); open it to resend it or see where it stands.",
    NotificationKind.TRANSFER_UNANSWERED_3: "A safeguarding file your organisation sent is "
    "still not acted on (last reminder); open it to resend it or see where it stands.",
}

# Where each kind leads: a URL name and, when the page is about one record, the name of the
# URL argument that takes the record's id. Only names listed here are ever reversed.
LINKS: dict[str, tuple[str, str | None]] = {
    NotificationKind.URGENT_CONCERN: ("concerns:detail", "concern_id"),
    NotificationKind.CONCERN_ESCALATED: ("concerns:detail", "concern_id"),
    # Alerts have no page of their own: they are reviewed from the triage queue.
    NotificationKind.PATTERN_ALERT: ("concerns:queue", None),
    NotificationKind.ACTION_ASSIGNED: ("concerns:mine", None),
    NotificationKind.ACTION_OVERDUE: ("concerns:mine", None),
    NotificationKind.FILE_QUARANTINED: ("concerns:detail", "concern_id"),
    NotificationKind.HUB_REQUEST_LATE: ("partnerships:request_go", "request_id"),
    NotificationKind.HUB_REFERRAL_RECEIVED: ("partnerships:referral", "referral_id"),
    NotificationKind.HUB_REQUEST_RECEIVED: ("partnerships:request_go", "request_id"),
    NotificationKind.HUB_REFERRAL_DECIDED: ("partnerships:referral", "referral_id"),
    NotificationKind.BREAK_GLASS: ("sharing:break_glass_detail", "opening_id"),
    # The receiver's page of a transfer, and the sender's.
    NotificationKind.TRANSFER_RECEIVED: ("transfers:received", "transfer_id"),
    NotificationKind.TRANSFER_ACCEPTED: ("transfers:sent", "transfer_id"),
    NotificationKind.TRANSFER_REJECTED: ("transfers:sent", "transfer_id"),
    NotificationKind.TRANSFER_WAITING_1: ("transfers:received", "transfer_id"),
    NotificationKind.TRANSFER_WAITING_2: ("transfers:received", "transfer_id"),
    NotificationKind.TRANSFER_WAITING_3: ("transfers:received", "transfer_id"),
    NotificationKind.TRANSFER_UNANSWERED_1: ("transfers:sent", "transfer_id"),
    NotificationKind.TRANSFER_UNANSWERED_2: ("transfers:sent", "transfer_id"),
    NotificationKind.TRANSFER_UNANSWERED_3: ("transfers:sent", "transfer_id"),
}
_URL_ARGUMENTS: dict[str, str | None] = dict(LINKS.values())


class Notification(models.Model):
    """One thing waiting for one member in one organisation.

    Seen only by its recipient, and only while they act in the organisation it belongs to.
    Written only by ``safecase.notifications.actions``; read only through
    ``safecase.notifications.selectors``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No indexes of their own: every query filters by recipient and organisation together, which
    # the indexes below serve, and users and organisations are deactivated, never deleted.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    # The link target: a URL name from LINKS and the id of the concern, alert or action.
    target_url_name = models.CharField(max_length=64)
    target_id = models.UUIDField(null=True, blank=True)
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (
            # The unread count in every page's header, and the unread list, newest first.
            models.Index(
                fields=("recipient", "organisation", "read_at", "-created_at"),
                name="notif_inbox_idx",
            ),
            # The full list, newest first.
            models.Index(
                fields=("recipient", "organisation", "-created_at"), name="notif_list_idx"
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def target_url(self) -> str | None:
        """The page to open, or None when the URL name is not one of ours."""
        if self.target_url_name not in _URL_ARGUMENTS:
            return None
        argument = _URL_ARGUMENTS[self.target_url_name]
        if argument is None:
            return reverse(self.target_url_name)
        if self.target_id is None:
            return None
        return reverse(self.target_url_name, kwargs={argument: self.target_id})
