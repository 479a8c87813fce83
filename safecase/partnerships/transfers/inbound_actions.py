"""A bundle arriving from another Safecase installation (``POST /api/v1/transfers/inbound``).

The bundle authenticates itself: it must be signed by a sender key this installation trusts
(keys.trusted_senders). Verification comes first and refuses, with a reason code and a clear
sentence, before anything is stored: tampered (signature or ciphertext changed), replayed (this
bundle id was received already, or was superseded by a resend), expired, sent to an
organisation this installation does not have, signed with an unknown key, or in a format
version it does not read. Each refusal is written to the audit trail (the receiving
organisation's chain when the bundle names one of ours, else the installation's) in a
transaction of its own, since nothing else is written.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.accounts.models import Organisation
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor
from safecase.core.calendar import add_working_days
from safecase.core.events import TRANSFER_RECEIVED, publish
from safecase.partnerships.transfers import envelope, keys, notices, receipts
from safecase.partnerships.transfers.choices import TransferMode, TransferStatus
from safecase.partnerships.transfers.common import (
    leads_of,
    mail_after_commit,
    response_working_days,
)
from safecase.partnerships.transfers.models import Transfer


def _receiver(verified: envelope.Verified) -> Organisation:
    try:
        org_id = uuid.UUID(verified.receiver_organisation_id)
    except ValueError:
        org_id = None
    organisation = (
        Organisation.objects.filter(pk=org_id, is_active=True).first() if org_id else None
    )
    if organisation is None:
        raise envelope.BundleRefused(
            "wrong_organisation",
            "The bundle is addressed to an organisation this Safecase does not have: check the "
            "receiving organisation's id with them and send it again.",
        )
    return organisation


def _not_replayed(verified: envelope.Verified) -> None:
    try:
        bundle_id = uuid.UUID(verified.bundle_id)
    except ValueError as exc:
        raise envelope.BundleRefused("malformed", "The bundle id is not a UUID.") from exc
    seen = Transfer.objects.filter(bundle_id=bundle_id).only("status").first()
    if seen is None:
        return
    if seen.status == TransferStatus.SUPERSEDED:
        raise envelope.BundleRefused(
            "superseded",
            "This bundle was replaced by a newer one its sender resent: it is refused.",
        )
    raise envelope.BundleRefused(
        "replayed", "This bundle was received already: the same bundle is never imported twice."
    )


def _refused(actor: Actor, exc: envelope.BundleRefused, raw: bytes, org: Any) -> None:
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.TRANSFER_REFUSED,
        outcome=Outcome.FAILURE,
        subject_type=Transfer._meta.label_lower,
        reason=exc.message,
        organisation_id=org,
        changes={"code": exc.code, "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)},
    )


def transfer_receive_inbound(*, raw: bytes, ip: str | None = None) -> Transfer:
    """Verify a bundle from another installation and, if it holds, store it as a pending
    transfer in the receiving organisation's inbox. Raises BundleRefused, audited, if not."""
    actor = Actor(
        user=None, organisation=None, ip=ip, channel="api", system_label="transfers_inbound"
    )
    organisation: Organisation | None = None
    try:
        verified = envelope.verify(raw)
        organisation = _receiver(verified)
        _not_replayed(verified)
        document, _ = envelope.decrypt(verified, keys.encryption_key())
    except envelope.BundleRefused as exc:
        _refused(actor, exc, raw, organisation.pk if organisation else None)
        raise
    return _store(
        actor=Actor(
            user=None,
            organisation=organisation,
            ip=ip,
            channel="api",
            system_label="transfers_inbound",
        ),
        verified=verified,
        organisation=organisation,
        document=document,
        raw=raw,
    )


def _label(document: dict[str, Any], verified: envelope.Verified) -> str:
    sender = verified.header.get("sender") or {}
    name = str(sender.get("organisation_name") or "")[:200]
    return f"{name} ({verified.sender_key_label})"[:300]


@transaction.atomic(durable=True)
def _store(
    *,
    actor: Actor,
    verified: envelope.Verified,
    organisation: Organisation,
    document: dict[str, Any],
    raw: bytes,
) -> Transfer:
    person = document.get("person") if isinstance(document.get("person"), dict) else {}
    assert isinstance(person, dict)
    label = " ".join(str(person.get(name) or "") for name in ("given_names", "family_name")).strip()
    now = timezone.now()
    transfer = Transfer.objects.create(
        mode=TransferMode.INBOUND,
        sender_label=_label(document, verified),
        receiver_organisation=organisation,
        receiver_label=organisation.name,
        receiver_organisation_ref=str(organisation.pk),
        person_label=label[:300] or "Unnamed person",
        reason=str(document.get("reason") or "")[:2000],
        bundle_id=uuid.UUID(verified.bundle_id),
        issued_at=verified.issued_at,
        expires_at=verified.expires_at,
        envelope=raw,
        envelope_sha256=verified.sha256,
        due_on=add_working_days(timezone.localdate(now), response_working_days()),
    )
    superseded = verified.header.get("supersedes")
    if isinstance(superseded, str) and superseded:
        try:
            old = uuid.UUID(superseded)
        except ValueError:
            old = None
        if old is not None:
            Transfer.objects.filter(
                bundle_id=old,
                receiver_organisation=organisation,
                status__in=(TransferStatus.PENDING, TransferStatus.VIEWED),
            ).update(status=TransferStatus.SUPERSEDED, updated_at=now)
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_RECEIVED,
        subject=transfer,
        changes={
            "bundle_id": verified.bundle_id,
            "sender_key": verified.header.get("signing_key_id"),
            "sha256": verified.sha256,
            "supersedes": superseded,
        },
    )
    publish(
        organisation_id=organisation.pk,
        event_type=TRANSFER_RECEIVED,
        payload={
            "transfer_id": str(transfer.pk),
            "bundle_id": verified.bundle_id,
            "status": "pending",
        },
    )
    notices.tell_receiver(organisation.pk, transfer.pk)
    mail_after_commit(
        "A safeguarding file was sent to you",
        f"A safeguarding file arrived for {organisation.name} from another Safecase.\n\n"
        "Sign in to Safecase and open Transfers: received files to view and accept it.\n",
        [u.email for u in leads_of(organisation.pk)],
    )
    return transfer


def transfer_receipt_inbound(*, raw: bytes, ip: str | None = None) -> Transfer:
    """Record a receipt from the receiving installation on the outbound transfer it is about:
    accepted (receipt confirmed) or rejected (with its reason). Raises BundleRefused, audited,
    when the receipt does not hold or is not about a bundle this installation sent there."""
    actor = Actor(
        user=None, organisation=None, ip=ip, channel="api", system_label="transfers_receipt"
    )
    transfer: Transfer | None = None
    try:
        receipt = receipts.verify_receipt(raw)
        try:
            bundle_id = uuid.UUID(str(receipt.get("bundle_id")))
        except ValueError as exc:
            raise envelope.BundleRefused(
                "malformed", "The receipt's bundle id is not a UUID."
            ) from exc
        transfer = (
            Transfer.objects.filter(bundle_id=bundle_id, mode=TransferMode.OUTBOUND)
            .select_related("sender_organisation")
            .first()
        )
        if transfer is None:
            raise envelope.BundleRefused(
                "unknown_bundle", "The receipt is about a bundle this Safecase did not send."
            )
        if receipt["receiver"]["organisation_id"] != transfer.receiver_organisation_ref:
            raise envelope.BundleRefused(
                "wrong_organisation",
                "The receipt comes from another organisation than the one the file was sent to.",
            )
        if not transfer.is_open:
            raise envelope.BundleRefused(
                "replayed", f"A receipt for this bundle was recorded already ({transfer.status})."
            )
    except envelope.BundleRefused as exc:
        org = transfer.sender_organisation_id if transfer is not None else None
        _refused(actor, exc, raw, org)
        raise
    return _record_receipt(transfer=transfer, receipt=receipt, ip=ip)


@transaction.atomic(durable=True)
def _record_receipt(*, transfer: Transfer, receipt: dict[str, Any], ip: str | None) -> Transfer:
    actor = Actor(
        user=None,
        organisation=transfer.sender_organisation,
        ip=ip,
        channel="api",
        system_label="transfers_receipt",
    )
    accepted = receipt["status"] == "accepted"
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": TransferStatus.ACCEPTED if accepted else TransferStatus.REJECTED,
        "decided_at": receipt["decided_at"],
        "rejection_reason": "" if accepted else str(receipt.get("reason") or "")[:2000],
        "receipt_confirmed_at": now if accepted else None,
    }
    updated = Transfer.objects.filter(
        pk=transfer.pk, status__in=(TransferStatus.PENDING, TransferStatus.VIEWED)
    ).update(version=F("version") + 1, updated_at=now, **fields)
    if updated != 1:
        raise envelope.BundleRefused("replayed", "A receipt for this bundle was recorded already.")
    recorder.record(
        actor=actor,
        action=(
            AuditAction.TRANSFER_RECEIPT_CONFIRMED if accepted else AuditAction.TRANSFER_REJECTED
        ),
        subject=transfer,
        reason=fields["rejection_reason"],
        changes={
            "bundle_id": str(transfer.bundle_id),
            "receiver": receipt["receiver"]["organisation_id"],
            "signed_by": receipt.get("signing_key_id"),
        },
    )
    if transfer.sender_organisation_id is not None:
        notices.tell_sender_decided(transfer.sender_organisation_id, transfer.pk, accepted=accepted)
    transfer.refresh_from_db()
    return transfer
