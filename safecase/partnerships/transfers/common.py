"""What the transfer actions share: settings, reasons, the stale-version guard, leads and
e-mail, and sealing one bundle (build, render, sign, encrypt, store, audit). Not actions
themselves: each is called inside an action's transaction."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can, require
from safecase.access.roles import Role
from safecase.accounts.models import Organisation, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core import crypto
from safecase.core.actors import Actor
from safecase.core.calendar import add_working_days
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.core.events import TRANSFER_RECEIVED, publish
from safecase.partnerships.transfers import document as documents
from safecase.partnerships.transfers import envelope, keys, notices
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.people.models import Person

MIN_REASON = 10
LEADS = (Role.LEAD, Role.DEPUTY_LEAD)


def response_working_days() -> int:
    return int(getattr(settings, "SAFECASE_TRANSFER_RESPONSE_WORKING_DAYS", 5) or 5)


def bundle_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "SAFECASE_TRANSFER_BUNDLE_DAYS", 30) or 30))


def clean_reason(text: str, what: str = "the reason for sending the file") -> str:
    cleaned = (text or "").strip()
    if len(" ".join(cleaned.split())) < MIN_REASON:
        raise DomainError(f"Give {what}: the record must say why.", field="reason")
    if len(cleaned) > 2000:
        raise DomainError("Keep the reason under 2000 characters.", field="reason")
    return cleaned


def bump(transfer: Transfer, version: int, **fields: Any) -> None:
    now = timezone.now()
    updated = Transfer.objects.filter(pk=transfer.pk, version=version).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise Conflict(
            "This transfer changed since you opened it (perhaps a colleague acted on it). "
            "Reload it to see where it stands, then try again."
        )
    for name, value in fields.items():
        setattr(transfer, name, value)
    transfer.version, transfer.updated_at = version + 1, now


def leads_of(organisation_id: Any) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__is_active=True,
            memberships__roles__role__in=LEADS,
        )
        .distinct()
        .order_by("email")
    )


def mail_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    """One pointer e-mail per recipient, after the commit (never names the person)."""
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients if to]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def sender_of(organisation: Organisation) -> dict[str, str]:
    return {
        "installation": keys.installation_name(),
        "installation_key_id": keys.signing_key_id(),
        "organisation_id": str(organisation.pk),
        "organisation_name": organisation.name,
    }


def seal_bundle(
    *,
    actor: Actor,
    person: Person,
    mode: str,
    receiver: dict[str, str],
    receiver_organisation: Organisation | None,
    recipient: X25519PublicKey,
    reason: str,
    include_attachments: bool,
    recipient_email: str = "",
    supersedes: Transfer | None = None,
) -> Transfer:
    """Build, render, seal and store one bundle; the sender's copy is kept encrypted."""
    assert actor.organisation is not None and actor.user is not None
    now = timezone.now()
    bundle_id = str(uuid.uuid4())
    expires_at = now + bundle_lifetime()
    sender = sender_of(actor.organisation)
    document = documents.build_document(
        actor=actor,
        person=person,
        bundle_id=bundle_id,
        issued_at=now,
        expires_at=expires_at,
        sender=sender,
        receiver=receiver,
        reason=reason,
        include_attachments=include_attachments,
    )
    pdf = documents.render_pdf(document)
    sealed = envelope.seal(
        bundle_id=bundle_id,
        supersedes=str(supersedes.bundle_id) if supersedes is not None else None,
        issued_at=now,
        expires_at=expires_at,
        sender=sender,
        receiver=receiver,
        document=document,
        pdf=pdf,
        recipient=recipient,
    )
    transfer = Transfer(
        id=uuid.uuid4(),
        mode=mode,
        sender_organisation=actor.organisation,
        sender_label=actor.organisation.name,
        receiver_organisation=receiver_organisation,
        receiver_label=receiver["organisation_name"],
        receiver_organisation_ref=receiver["organisation_id"],
        recipient_email=recipient_email,
        person=person,
        person_label=person.display_name,
        sent_by=actor.user,
        reason=reason,
        bundle_id=uuid.UUID(bundle_id),
        issued_at=now,
        expires_at=expires_at,
        envelope=sealed,
        envelope_sha256=hashlib.sha256(sealed).hexdigest(),
        due_on=add_working_days(timezone.localdate(now), response_working_days()),
        supersedes=supersedes,
    )
    transfer.sender_copy = crypto.encrypt(envelope.canonical(document), aad=transfer.copy_aad)
    transfer.sender_pdf = crypto.encrypt(pdf, aad=transfer.pdf_aad)
    transfer.save(force_insert=True)
    changes = {
        "bundle_id": bundle_id,
        "mode": mode,
        "person": person.pk,
        "receiver": receiver["organisation_id"],
        "sha256": transfer.envelope_sha256,
        "concerns": len(document["concerns"]),
        "cases": len(document["cases"]),
        "chronology": len(document["chronology"]),
        "due_on": transfer.due_on,
        "expires_at": expires_at,
    }
    if supersedes is not None:
        changes["supersedes"] = str(supersedes.bundle_id)
    recorder.record(
        actor=actor,
        action=AuditAction.TRANSFER_RESENT if supersedes else AuditAction.TRANSFER_SENT,
        subject=transfer,
        reason=reason,
        changes=changes,
    )
    if receiver_organisation is not None:
        recorder.record(
            actor=actor,
            action=AuditAction.TRANSFER_RECEIVED,
            subject=transfer,
            organisation_id=receiver_organisation.pk,
            changes={"bundle_id": bundle_id, "from": str(actor.organisation.pk)},
        )
        publish(
            organisation_id=receiver_organisation.pk,
            event_type=TRANSFER_RECEIVED,
            payload={"transfer_id": str(transfer.pk), "bundle_id": bundle_id, "status": "pending"},
        )
        notices.tell_receiver(receiver_organisation.pk, transfer.pk)
        mail_after_commit(
            "A safeguarding file was sent to you",
            f"{actor.organisation.name} sent a safeguarding file to {receiver_organisation.name}."
            "\n\nSign in to Safecase and open Transfers: received files to view and accept it.\n",
            [u.email for u in leads_of(receiver_organisation.pk)],
        )
    return transfer


def require_sendable(actor: Actor, person: Person) -> None:
    require(actor, Permission.TRANSFER_SEND)
    if (
        actor.organisation is None
        or actor.user is None
        or person.organisation_id != actor.organisation.pk
        or not can(actor, Permission.PERSON_VIEW, person)
    ):
        raise NotPermitted("You can only send the file of a person of your own organisation.")


def pdf_of_sender_copy(transfer: Transfer) -> bytes:
    return crypto.decrypt(bytes(transfer.sender_pdf), aad=transfer.pdf_aad)


def pdf_of_received(received: ReceivedFile) -> bytes:
    return crypto.decrypt(bytes(received.pdf), aad=received.pdf_aad)
