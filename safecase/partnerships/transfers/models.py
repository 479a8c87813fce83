"""Record transfer (M9): a person's safeguarding file sent to the organisation they move to.

A ``Transfer`` is one signed, encrypted bundle (``bundle_id``) on its way from a sender to a
receiver. It belongs to two organisations at once, so instead of one ``organisation`` it
carries both: ``sender_organisation`` (the sending lead's, when the sender is on this
installation) and ``receiver_organisation`` (when the receiver is). The sender's leads
(transfer.send) see it in their outbox, the receiver's leads (transfer.receive) in their inbox;
no one else sees it, and neither side sees the other's records through it.

The sender keeps its copy: the bundle and its PDF stay here, encrypted with the installation's
file keys, whatever the receiver does; nothing is ever deleted. A resend makes a new transfer
(a new bundle id) and marks the old one superseded, which is then refused if presented again.

A ``ReceivedFile`` is what an accepted transfer leaves in the receiving organisation: the
decrypted bundle (JSON) and its PDF, read-only, linked to the receiver's person. Seen by whoever
in the receiving organisation may see that person.

A ``TransferDownload`` is the one-time, code-protected, expiring link to the PDF for a receiver
without Safecase; only hashes of its token and code are kept.

Changed only through ``transfers.actions``; mutable rows carry ``version``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecase.core.models import BaseModel
from safecase.partnerships.transfers.choices import TransferMode, TransferStatus


class Transfer(BaseModel):
    mode = models.CharField(max_length=10, choices=TransferMode.choices)
    status = models.CharField(
        max_length=12, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    sender_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The sender as the bundle names it (organisation and installation), for inbound bundles.
    sender_label = models.CharField(max_length=300)
    receiver_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    receiver_label = models.CharField(max_length=300)
    # The receiving organisation's id as the bundle names it (another installation's, for an
    # outbound transfer), and the e-mail address of a receiver without Safecase.
    receiver_organisation_ref = models.CharField(max_length=64, blank=True)
    recipient_email = models.EmailField(blank=True)
    # The sender's person (on this installation); none for an inbound transfer.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who the file is about, as the bundle names them: shown in lists on both sides.
    person_label = models.CharField(max_length=300)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    bundle_id = models.UUIDField(unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The signed, encrypted envelope exactly as sent (JSON, UTF-8).
    envelope = models.BinaryField()
    envelope_sha256 = models.CharField(max_length=64)
    # The sender's copy: the bundle's JSON and its PDF, encrypted with the file keys. Empty
    # for an inbound transfer (the receiver's copy is the ReceivedFile).
    sender_copy = models.BinaryField(blank=True, default=b"")
    sender_pdf = models.BinaryField(blank=True, default=b"")
    # The receiver is expected to act by then (working days); escalated once per step after.
    due_on = models.DateField()
    escalation_step = models.PositiveSmallIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    # Confirmation of receipt: when the receiver accepted it (or the one-time download was used).
    receipt_confirmed_at = models.DateTimeField(null=True, blank=True)
    # For a bundle from another installation: the signed receipt our decision produced, for
    # the sender's installation (receipts.py). Empty otherwise.
    receipt = models.BinaryField(blank=True, default=b"")
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            # The outbox and the inbox, newest first (keyset pages on (created_at, id)).
            models.Index(fields=("sender_organisation", "created_at", "id")),
            models.Index(fields=("receiver_organisation", "created_at", "id")),
            # The escalation run: open transfers by due date.
            models.Index(fields=("status", "due_on")),
        )

    def __str__(self) -> str:
        return f"Transfer {self.bundle_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (TransferStatus.PENDING, TransferStatus.VIEWED)

    @property
    def copy_aad(self) -> bytes:
        return f"transfers.transfer:{self.pk}:copy".encode()

    @property
    def pdf_aad(self) -> bytes:
        return f"transfers.transfer:{self.pk}:pdf".encode()


class ReceivedFile(BaseModel):
    """The file an accepted transfer brought: read-only, in the receiving organisation, linked
    to the receiver's person. Seen by whoever there may see that person (person.view)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="received")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # The decrypted bundle, exactly as verified (format safecase.transfer/1).
    bundle = models.JSONField()
    # Its PDF, encrypted with the file keys.
    pdf = models.BinaryField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=("organisation", "person", "created_at")),)

    def __str__(self) -> str:
        return f"Received file {self.pk}"

    @property
    def pdf_aad(self) -> bytes:
        return f"transfers.receivedfile:{self.pk}:pdf".encode()


class TransferDownload(BaseModel):
    """A one-time download of a transfer's PDF for a receiver without Safecase: a link with a
    random token (e-mailed to the recipient) and a six-digit code (given by the sender by
    another channel). Only their hashes are kept. Dead once used, expired or locked."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="download")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Download of {self.transfer_id}"
