"""Sending a person's safeguarding file, and what the receiver does with it (M9).

Each action re-checks the policy, refuses bad input with DomainError before writing anything,
guards mutable rows with ``version`` (Conflict when stale) and writes its audit events in its
own durable transaction. Events about both sides go into both organisations' chains (the
receiver's acceptance is the sender's confirmation of receipt). E-mails say only that a file
waits or was acted on, never whose, and go after the commit.

The bundle is always sealed the same way (envelope.py): signed with the installation's key and
encrypted to the receiving installation's X25519 key, which for a receiver on this installation
is its own (ADR 0017) — so the file sent next door and the file sent across the country are one
format, verified by one path.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can, require
from safecase.accounts.models import Organisation
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core import crypto
from safecase.core.actors import Actor
from safecase.core.errors import DomainError, NotPermitted
from safecase.partnerships.transfers import (
    envelope,
    keys,
    notices,
    receipts,
    receiving,
    selectors,
)
from safecase.partnerships.transfers.choices import TransferMode, TransferStatus
from safecase.partnerships.transfers.common import (
    bump,
    clean_reason,
    leads_of,
    mail_after_commit,
    require_sendable,
    seal_bundle,
)
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.people.models import Person


@transaction.atomic(durable=True)
def transfer_send(
    *,
    actor: Actor,
    person: Person,
    receiver_organisation: Organisation | None,
    reason: str,
    include_attachments: bool = False,
) -> Transfer:
    """Send the person's file to an organisation on this installation that shares a current
    partnership with the sender's: it waits, pending, in the receiver's inbox."""
    require_sendable(actor, person)
    assert actor.organisation is not None
    if receiver_organisation is None:
        raise DomainError("Choose the organisation the person is moving to.", field="receiver")
    allowed = selectors.receiving_organisations(actor).filter(pk=receiver_organisation.pk)
    if not allowed.exists():
        raise DomainError(
            "Choose an organisation of your partnership: a file goes only to an organisation "
            "your organisation shares a current partnership with.",
            field="receiver",
        )
    reason = clean_reason(reason)
    return seal_bundle(
        actor=actor,
        person=person,
        mode=TransferMode.SAME_INSTALLATION,
        receiver={
            "organisation_id": str(receiver_organisation.pk),
            "organisation_name": receiver_organisation.name,
        },
        receiver_organisation=receiver_organisation,
        recipient=keys.encryption_key().public_key(),
        reason=reason,
        include_attachments=include_attachments,
    )


@transaction.atomic(durable=True)
def transfer_export(
    *,
    actor: Actor,
    person: Person,
    receiver_organisation_id: str,
    receiver_organisation_name: str,
    receiver_public_key: str,
    reason: str,
    include_attachments: bool = False,
) -> Transfer:
    """Seal the person's file for an organisation on another Safecase installation, encrypted
    to that installation's published X25519 key; the sender downloads the signed bundle (or its
    system posts it to the receiver's ``/api/v1/transfers/inbound``)."""
    require_sendable(actor, person)
    try:
        receiver_id = str(uuid.UUID(str(receiver_organisation_id).strip()))
    except ValueError as exc:
        raise DomainError(
            "Give the receiving organisation's id as its Safecase shows it (a UUID).",
            field="receiver_organisation_id",
        ) from exc
    name = " ".join((receiver_organisation_name or "").split())
    if not name or len(name) > 200:
        raise DomainError(
            "Give the receiving organisation's name (up to 200 characters).",
            field="receiver_organisation_name",
        )
    try:
        recipient = keys.receiver_public_key(receiver_public_key)
    except keys.TransferKeyError as exc:
        raise DomainError(exc.message, field="receiver_public_key") from exc
    reason = clean_reason(reason)
    return seal_bundle(
        actor=actor,
        person=person,
        mode=TransferMode.OUTBOUND,
        receiver={"organisation_id": receiver_id, "organisation_name": name},
        receiver_organisation=None,
        recipient=recipient,
        reason=reason,
        include_attachments=include_attachments,
    )


@transaction.atomic(durable=True)
def transfer_record_export(*, actor: Actor, transfer: Transfer) -> bytes:
    """The signed bundle for its sender to take away (another installation's receiver), with
    its SHA-256 in the audit trail. Returns the envelope's bytes."""
    is_sender, _ = selectors.sides(actor, transfer)
    if not is_sender:
        raise NotPermitted("Only the sender's leads can download the signed bundle.")
    if transfer.status == TransferStatus.SUPERSEDED:
        raise DomainError("This bundle was replaced by a resend: download the newer one.")
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_EXPORTED,
        subject=transfer,
        changes={"bundle_id": str(transfer.bundle_id), "sha256": transfer.envelope_sha256},
    )
    return bytes(transfer.envelope)


def _require_receiver(actor: Actor, transfer: Transfer) -> None:
    _, is_receiver = selectors.sides(actor, transfer)
    if not is_receiver or actor.user is None:
        raise NotPermitted("Only the receiving organisation's leads can act on this file.")
    if transfer.status == TransferStatus.SUPERSEDED:
        raise DomainError(
            "This file was replaced by a newer one the sender resent: open that one instead."
        )


def _open(transfer: Transfer, *, check_expiry: bool = True) -> tuple[dict[str, Any], bytes]:
    """Verify and decrypt the stored bundle again, as if it had just arrived."""
    verified = envelope.verify(bytes(transfer.envelope), check_expiry=check_expiry)
    if verified.bundle_id != str(transfer.bundle_id) or verified.receiver_organisation_id != str(
        transfer.receiver_organisation_id
    ):
        raise envelope.BundleRefused("tampered", "The stored bundle does not match its transfer.")
    return envelope.decrypt(verified, keys.encryption_key())


@transaction.atomic(durable=True)
def transfer_view(*, actor: Actor, transfer: Transfer) -> dict[str, Any]:
    """The receiver opens the file: verified and decrypted, its first opening marks it viewed
    (the sender sees that); every opening is audited. Returns the bundle's document."""
    _require_receiver(actor, transfer)
    # An expired bundle may still be read (and rejected); it can no longer be accepted.
    document, _ = _open(transfer, check_expiry=False)
    first = transfer.status == TransferStatus.PENDING
    if first:
        bump(
            transfer,
            transfer.version,
            status=TransferStatus.VIEWED,
            viewed_at=timezone.now(),
            viewed_by=actor.user,
        )
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_VIEWED,
        subject=transfer,
        changes={"bundle_id": str(transfer.bundle_id), "first": first},
    )
    return document


def _receipt(actor: Actor, transfer: Transfer, status: str, at: datetime, reason: str) -> bytes:
    """For a bundle from another installation, the signed receipt its sender collects."""
    if transfer.mode != TransferMode.INBOUND or actor.organisation is None:
        return b""
    return receipts.sign_receipt(
        bundle_id=str(transfer.bundle_id),
        status=status,
        decided_at=at,
        reason=reason,
        receiver={
            "installation": keys.installation_name(),
            "organisation_id": str(actor.organisation.pk),
            "organisation_name": actor.organisation.name,
        },
    )


def _import_person(actor: Actor, data: dict[str, Any]) -> Person:
    """A person in the receiving organisation made from the bundle's person (as person_create
    would, inside this action's transaction)."""
    # person_create is durable (its own transaction): its validation and identifier helpers
    # are reused so an imported person is exactly like one entered by hand.
    from safecase.insight import search
    from safecase.people.actions import _add_identifier, _clean_person_fields

    require(actor, Permission.PERSON_MANAGE)
    assert actor.organisation is not None and actor.user is not None
    fields = receiving.person_fields(data)
    cleaned = _clean_person_fields(**fields)
    person = Person.objects.create(
        organisation=actor.organisation, created_by=actor.user, **cleaned
    )
    schemes = []
    for scheme, value in receiving.identifiers(data):
        _add_identifier(actor, person, scheme, value)
        schemes.append(scheme)
    recorder.record(
        actor=actor,
        action=AuditAction.PERSON_CREATED,
        subject=person,
        changes={"kind": person.kind, "flags": person.flags, "identifiers": schemes},
    )
    search.index_person(person)
    return person


@transaction.atomic(durable=True)
def transfer_accept(
    *, actor: Actor, transfer: Transfer, version: int, link_to: Person | None = None
) -> ReceivedFile:
    """Accept the file: verified and decrypted again, it becomes a read-only received file on
    the receiver's person (``link_to``, one of theirs, or a new person made from the bundle),
    and receipt is confirmed on both sides."""
    _require_receiver(actor, transfer)
    assert actor.organisation is not None and actor.user is not None
    if not transfer.is_open:
        raise DomainError(f"This file is already {transfer.get_status_display().lower()}.")
    if link_to is not None and (
        link_to.organisation_id != actor.organisation.pk
        or not can(actor, Permission.PERSON_VIEW, link_to)
        or link_to.merged_into_id is not None
    ):
        raise DomainError("Choose a person of your own organisation.", field="person")
    document, pdf = _open(transfer)
    person = link_to if link_to is not None else _import_person(actor, document.get("person", {}))
    now = timezone.now()
    bump(
        transfer,
        version,
        status=TransferStatus.ACCEPTED,
        decided_at=now,
        decided_by=actor.user,
        receipt_confirmed_at=now,
        receipt=_receipt(actor, transfer, TransferStatus.ACCEPTED, now, ""),
    )
    received = ReceivedFile(
        id=uuid.uuid4(),
        organisation=actor.organisation,
        transfer=transfer,
        person=person,
        bundle=document,
        accepted_by=actor.user,
    )
    received.pdf = crypto.encrypt(pdf, aad=received.pdf_aad)
    received.save(force_insert=True)
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_ACCEPTED,
        subject=transfer,
        changes={
            "bundle_id": str(transfer.bundle_id),
            "person": person.pk,
            "linked": link_to is not None,
            "received_file": received.pk,
        },
    )
    if transfer.sender_organisation_id is not None:
        recorder.record(
            actor=actor,
            action=AuditAction.TRANSFER_RECEIPT_CONFIRMED,
            subject=transfer,
            organisation_id=transfer.sender_organisation_id,
            changes={"bundle_id": str(transfer.bundle_id), "by": str(actor.organisation.pk)},
        )
        notices.tell_sender_decided(transfer.sender_organisation_id, transfer.pk, accepted=True)
        mail_after_commit(
            "Receipt of a safeguarding file confirmed",
            f"{actor.organisation.name} accepted a safeguarding file your organisation sent: "
            "receipt is confirmed.\n\nSign in to Safecase and open Transfers: sent files.\n",
            [u.email for u in leads_of(transfer.sender_organisation_id)],
        )
    return received


@transaction.atomic(durable=True)
def transfer_reject(*, actor: Actor, transfer: Transfer, version: int, reason: str) -> Transfer:
    """Reject the file, with the reason (e.g. the child never joined us); the sender sees it
    and keeps its copy. Nothing is imported."""
    _require_receiver(actor, transfer)
    assert actor.organisation is not None
    if not transfer.is_open:
        raise DomainError(f"This file is already {transfer.get_status_display().lower()}.")
    why = clean_reason(reason, "the reason for rejecting the file")
    now = timezone.now()
    bump(
        transfer,
        version,
        status=TransferStatus.REJECTED,
        decided_at=now,
        decided_by=actor.user,
        rejection_reason=why,
        receipt=_receipt(actor, transfer, TransferStatus.REJECTED, now, why),
    )
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_REJECTED,
        subject=transfer,
        reason=why,
        changes={"bundle_id": str(transfer.bundle_id)},
    )
    if transfer.sender_organisation_id is not None:
        recorder.record(
            actor=actor,
            action=AuditAction.TRANSFER_REJECTED,
            subject=transfer,
            reason=why,
            organisation_id=transfer.sender_organisation_id,
            changes={"bundle_id": str(transfer.bundle_id), "by": str(actor.organisation.pk)},
        )
        notices.tell_sender_decided(transfer.sender_organisation_id, transfer.pk, accepted=False)
        mail_after_commit(
            "A safeguarding file you sent was rejected",
            f"{actor.organisation.name} rejected a safeguarding file your organisation sent, "
            "with a reason.\n\nSign in to Safecase and open Transfers: sent files.\n",
            [u.email for u in leads_of(transfer.sender_organisation_id)],
        )
    return transfer


@transaction.atomic(durable=True)
def transfer_resend(*, actor: Actor, transfer: Transfer, version: int, reason: str) -> Transfer:
    """Send the file again as a new bundle (new id, new expiry, the person's file as it is
    now): the old bundle is superseded and refused if it is ever presented again."""
    is_sender, _ = selectors.sides(actor, transfer)
    if not is_sender:
        raise NotPermitted("Only the sender's leads can resend the file.")
    if transfer.mode not in (TransferMode.SAME_INSTALLATION, TransferMode.OUTBOUND):
        raise DomainError("Only a file sent to another Safecase can be resent.")
    if not transfer.is_open:
        raise DomainError(
            f"This file is {transfer.get_status_display().lower()}: there is nothing to resend."
        )
    person = transfer.person
    assert person is not None
    require_sendable(actor, person)
    why = clean_reason(reason, "the reason for resending the file")
    bump(transfer, version, status=TransferStatus.SUPERSEDED)
    receiver = {
        "organisation_id": transfer.receiver_organisation_ref,
        "organisation_name": transfer.receiver_label,
    }
    if transfer.mode == TransferMode.SAME_INSTALLATION:
        recipient = keys.encryption_key().public_key()
    else:
        recipient = receiving.recipient_of(bytes(transfer.envelope))
    return seal_bundle(
        actor=actor,
        person=person,
        mode=transfer.mode,
        receiver=receiver,
        receiver_organisation=transfer.receiver_organisation,
        recipient=recipient,
        reason=why,
        include_attachments=False,
        supersedes=transfer,
    )


@transaction.atomic(durable=True)
def transfer_file_read(*, actor: Actor, received: ReceivedFile, as_pdf: bool = False) -> None:
    """Record that someone read a received file (its page, or its PDF taken away)."""
    require(actor, Permission.PERSON_VIEW, received.person)
    if received.organisation_id != actor.organisation_id:
        raise NotPermitted("This file is not your organisation's.")
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_FILE_VIEWED,
        subject=received,
        changes={"transfer": received.transfer_id, "pdf": as_pdf},
    )
