"""A receiver without Safecase: a one-time, expiring, code-protected download of the PDF.

The link (a random 256-bit token) goes by e-mail to the recipient; the six-digit code is shown
once to the sender, who tells the recipient by another channel (phone): someone who sees only
the e-mail cannot open the file, nor can someone who hears only the code (ADR 0017). Only
SHA-256 hashes of both are kept. Five wrong codes lock the link; it dies when used or after
72 hours (``SAFECASE_TRANSFER_DOWNLOAD_HOURS``). Every step is audited in the sender's chain.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.partnerships.transfers import keys
from safecase.partnerships.transfers.choices import TransferMode, TransferStatus
from safecase.partnerships.transfers.common import (
    clean_reason,
    mail_after_commit,
    pdf_of_sender_copy,
    require_sendable,
    seal_bundle,
)
from safecase.partnerships.transfers.downloads import (
    DEAD,
    MAX_ATTEMPTS,
    code_hash,
    download_hours,
    find_download,
    link_state,
    token_hash,
)
from safecase.partnerships.transfers.models import Transfer, TransferDownload
from safecase.people.models import Person


@dataclass(frozen=True)
class DownloadCreated:
    transfer: Transfer
    token: str
    code: str


@transaction.atomic(durable=True)
def transfer_create_download(
    *,
    actor: Actor,
    person: Person,
    recipient_name: str,
    recipient_email: str,
    reason: str,
    base_url: str,
) -> DownloadCreated:
    """Make the person's file ready as a one-time download for a receiver without Safecase:
    the link is e-mailed to them; the code is returned, to show the sender once."""
    require_sendable(actor, person)
    assert actor.organisation is not None and actor.user is not None
    name = " ".join((recipient_name or "").split())
    if not name or len(name) > 200:
        raise DomainError(
            "Give the receiving organisation or person (up to 200 characters).",
            field="recipient_name",
        )
    email = (recipient_email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError("Give the recipient's e-mail address.", field="recipient_email") from exc
    why = clean_reason(reason)
    transfer = seal_bundle(
        actor=actor,
        person=person,
        mode=TransferMode.DOWNLOAD,
        receiver={
            "organisation_id": str(uuid.uuid5(uuid.NAMESPACE_URL, email)),
            "organisation_name": name,
        },
        receiver_organisation=None,
        recipient=keys.encryption_key().public_key(),
        reason=why,
        include_attachments=False,
        recipient_email=email,
    )
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    expires_at = timezone.now() + timedelta(hours=download_hours())
    download = TransferDownload.objects.create(
        organisation=actor.organisation,
        transfer=transfer,
        token_hash=token_hash(token),
        code_hash=code_hash(token, code),
        expires_at=expires_at,
        created_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_DOWNLOAD_CREATED,
        subject=download,
        changes={"transfer": transfer.pk, "recipient": email, "expires_at": expires_at},
    )
    link = f"{base_url.rstrip('/')}/transfers/download/{token}/"
    mail_after_commit(
        f"A safeguarding file from {actor.organisation.name}",
        f"{actor.organisation.name} has sent you a safeguarding file to download, once, "
        f"before {timezone.localtime(expires_at):%d %B %Y %H:%M}:\n\n{link}\n\n"
        f"{actor.user.full_name} will give you the six-digit code by telephone. "
        "The link works once and locks after five wrong codes.\n",
        [email],
    )
    return DownloadCreated(transfer=transfer, token=token, code=code)


@dataclass(frozen=True)
class DownloadAttempt:
    """What the download page shows: the PDF (once), or why not."""

    state: str  # "ok", "wrong_code", "locked", "used", "expired", "missing"
    message: str
    pdf: bytes | None = None
    filename: str = ""
    attempts_left: int = 0


@transaction.atomic(durable=True)
def transfer_download_open(*, token: str, code: str, ip: str | None = None) -> DownloadAttempt:
    """Check the code and, if right, hand over the PDF once: the link dies and the transfer
    counts as received. A wrong code is counted (five lock the link); all audited."""
    download = find_download(token)
    if download is not None:
        download = TransferDownload.objects.select_for_update().get(pk=download.pk)
    state = link_state(download)
    if download is None:
        return DownloadAttempt("missing", DEAD["missing"])
    actor = Actor(
        user=None,
        organisation=download.organisation,
        ip=ip,
        channel="web",
        system_label="transfer_download",
    )
    transfer = Transfer.objects.get(pk=download.transfer_id)
    if state != "open":
        recorder.record(
            actor=actor,
            action=AuditAction.TRANSFER_DOWNLOAD_FAILED,
            outcome=Outcome.FAILURE,
            subject=download,
            changes={"state": state},
        )
        return DownloadAttempt(state, DEAD[state])
    if not hmac.compare_digest(download.code_hash, code_hash(token, code or "")):
        attempts = download.failed_attempts + 1
        locked = attempts >= MAX_ATTEMPTS
        TransferDownload.objects.filter(pk=download.pk).update(
            failed_attempts=F("failed_attempts") + 1,
            locked_at=timezone.now() if locked else None,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        recorder.record(
            actor=actor,
            action=AuditAction.TRANSFER_DOWNLOAD_LOCKED
            if locked
            else AuditAction.TRANSFER_DOWNLOAD_FAILED,
            outcome=Outcome.FAILURE,
            subject=download,
            changes={"attempts": attempts},
        )
        if locked:
            return DownloadAttempt("locked", DEAD["locked"])
        left = MAX_ATTEMPTS - attempts
        return DownloadAttempt(
            "wrong_code",
            f"That code is not right. You have {left} more {'try' if left == 1 else 'tries'}.",
            attempts_left=left,
        )
    now = timezone.now()
    TransferDownload.objects.filter(pk=download.pk).update(
        used_at=now, version=F("version") + 1, updated_at=now
    )
    Transfer.objects.filter(pk=transfer.pk).update(
        status=TransferStatus.ACCEPTED,
        receipt_confirmed_at=now,
        decided_at=now,
        version=F("version") + 1,
        updated_at=now,
    )
    pdf = pdf_of_sender_copy(transfer)
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_DOWNLOADED,
        subject=download,
        changes={
            "transfer": transfer.pk,
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "receipt_confirmed": True,
        },
    )
    return DownloadAttempt(
        "ok",
        "Downloaded.",
        pdf=pdf,
        filename=f"safeguarding-file-{str(transfer.bundle_id)[:8]}.pdf",
    )
