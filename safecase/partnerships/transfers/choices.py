"""The choices of a record transfer: how it travels and where it stands."""

from __future__ import annotations

from django.db import models


class TransferMode(models.TextChoices):
    # To an organisation on this installation: the receiver opens it in their inbox.
    SAME_INSTALLATION = "same", "To an organisation using this Safecase"
    # Exported for an organisation on another Safecase installation (sent by API or file).
    OUTBOUND = "outbound", "To an organisation on another Safecase"
    # Received by API from another Safecase installation.
    INBOUND = "inbound", "From another Safecase"
    # A one-time, code-protected download of the PDF for a receiver without Safecase.
    DOWNLOAD = "download", "To a receiver without Safecase (one-time download)"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the receiver"
    VIEWED = "viewed", "Opened by the receiver"
    ACCEPTED = "accepted", "Accepted: receipt confirmed"
    REJECTED = "rejected", "Rejected by the receiver"
    # Resent: a newer bundle replaces this one, which is refused if presented again.
    SUPERSEDED = "superseded", "Replaced by a resend"


# The receiver may still act on these.
OPEN_STATUSES = (TransferStatus.PENDING, TransferStatus.VIEWED)
