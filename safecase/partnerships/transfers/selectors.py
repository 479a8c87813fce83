"""Reading transfers: the outbox (the sender's leads), the inbox (the receiver's leads), one
transfer (either side, 404 to everyone else), the organisations a file may go to, and the
received files on a person's record."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Organisation, PartnershipMember
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page
from safecase.partnerships.transfers.choices import TransferStatus
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.people.models import Person
from safecase.people.selectors import people_visible_to

PAGE_SIZE = 25


def _denied(actor: Actor, model: type[Any], pk: object, perm: Permission) -> Http404:
    """404, and for a record that exists a denial in the audit trail (security bar Z8)."""
    if pk is not None and model._default_manager.filter(pk=pk).exists():
        recorder.record_in_own_transaction(
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            subject_type=model._meta.label_lower,
            subject_id=str(pk),
            changes={"permission": str(perm)},
        )
    return Http404()


_LIST_FIELDS = ("sender_organisation", "receiver_organisation", "sent_by")


def outbox(actor: Actor) -> QuerySet[Transfer]:
    if actor.organisation is None or not can(actor, Permission.TRANSFER_SEND):
        return Transfer.objects.none()
    return Transfer.objects.filter(sender_organisation_id=actor.organisation.pk)


def inbox(actor: Actor) -> QuerySet[Transfer]:
    """Files sent to the organisation; a resent bundle's old copy is not listed."""
    if actor.organisation is None or not can(actor, Permission.TRANSFER_RECEIVE):
        return Transfer.objects.none()
    return Transfer.objects.filter(receiver_organisation_id=actor.organisation.pk).exclude(
        status=TransferStatus.SUPERSEDED
    )


def _page(transfers: QuerySet[Transfer], cursor: str | None) -> KeysetPage[Transfer]:
    rows = transfers.select_related(*_LIST_FIELDS).defer(
        "envelope", "sender_copy", "sender_pdf", "reason"
    )
    return keyset_page(
        rows, key=("created_at", "id"), cursor=cursor, descending=True, size=PAGE_SIZE
    )


def outbox_page(actor: Actor, *, cursor: str | None) -> KeysetPage[Transfer]:
    return _page(outbox(actor), cursor)


def inbox_page(actor: Actor, *, cursor: str | None) -> KeysetPage[Transfer]:
    return _page(inbox(actor), cursor)


def sides(actor: Actor, transfer: Transfer) -> tuple[bool, bool]:
    """(is the sender's side, is the receiver's side) for this actor."""
    org = actor.organisation_id
    sender = org is not None and transfer.sender_organisation_id == org
    receiver = org is not None and transfer.receiver_organisation_id == org
    return (
        sender and can(actor, Permission.TRANSFER_SEND),
        receiver and can(actor, Permission.TRANSFER_RECEIVE),
    )


def _access(actor: Actor, transfer_id: object, side: str) -> Transfer:
    if actor.organisation is None:
        raise Http404
    try:
        pk = uuid.UUID(str(transfer_id))
    except ValueError as exc:
        raise Http404 from exc
    field = "sender_organisation_id" if side == "sent" else "receiver_organisation_id"
    perm = Permission.TRANSFER_SEND if side == "sent" else Permission.TRANSFER_RECEIVE
    transfer = (
        Transfer.objects.filter(pk=pk, **{field: actor.organisation.pk})
        .select_related(*_LIST_FIELDS, "person", "viewed_by", "decided_by")
        .first()
    )
    if transfer is None:
        raise _denied(actor, Transfer, pk, perm)
    is_sender, is_receiver = sides(actor, transfer)
    if not (is_sender if side == "sent" else is_receiver):
        raise _denied(actor, Transfer, pk, perm)
    return transfer


def access_sent(actor: Actor, transfer_id: object) -> Transfer:
    """A transfer the actor's organisation sent, for its leads (transfer.send); else 404."""
    return _access(actor, transfer_id, "sent")


def access_received(actor: Actor, transfer_id: object) -> Transfer:
    """A transfer sent to the actor's organisation, for its leads (transfer.receive); else
    404 (to the sender too: each side reads its own view of it)."""
    return _access(actor, transfer_id, "received")


def receiving_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Organisations on this installation a file may go to: the active members of a current
    partnership the sender's organisation belongs to (ADR 0017), itself excluded."""
    if actor.organisation is None:
        return Organisation.objects.none()
    today = timezone.localdate()
    current = Q(left_on__isnull=True) | Q(left_on__gt=today)
    ours = PartnershipMember.objects.filter(
        current,
        organisation_id=actor.organisation.pk,
        partnership__starts_on__lte=today,
    ).filter(Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=today))
    members = PartnershipMember.objects.filter(
        current, partnership_id__in=ours.values("partnership_id")
    ).values("organisation_id")
    return (
        Organisation.objects.filter(pk__in=members, is_active=True)
        .exclude(pk=actor.organisation.pk)
        .order_by("name")
    )


def sendable_person(actor: Actor, person_id: object) -> Person:
    """A person of the actor's own organisation they may see (a shared-in person is not theirs
    to send on); 404 otherwise."""
    if actor.organisation is None:
        raise Http404
    try:
        pk = uuid.UUID(str(person_id))
    except ValueError as exc:
        raise Http404 from exc
    person = people_visible_to(actor).filter(pk=pk, organisation_id=actor.organisation.pk).first()
    if person is None or not can(actor, Permission.PERSON_VIEW, person):
        raise _denied(actor, Person, pk, Permission.TRANSFER_SEND)
    return person


def existing_people_for_link(actor: Actor, *, family_name: str, limit: int = 20) -> list[Person]:
    """People of the receiving organisation a received file may be linked to: those with the
    bundle's family name (the receiver may also give any person's id)."""
    if actor.organisation is None:
        return []
    return list(
        people_visible_to(actor)
        .filter(organisation_id=actor.organisation.pk, family_name__iexact=family_name)
        .order_by("family_name", "given_names")[:limit]
    )


def received_files_for(actor: Actor, person: Person) -> QuerySet[ReceivedFile]:
    if actor.organisation is None or not can(actor, Permission.PERSON_VIEW, person):
        return ReceivedFile.objects.none()
    return ReceivedFile.objects.filter(
        organisation_id=actor.organisation.pk, person=person
    ).select_related("transfer", "accepted_by")


def access_received_file(actor: Actor, file_id: object) -> ReceivedFile:
    if actor.organisation is None:
        raise Http404
    try:
        file_id = uuid.UUID(str(file_id))
    except ValueError as exc:
        raise Http404 from exc
    found = (
        ReceivedFile.objects.filter(pk=file_id, organisation_id=actor.organisation.pk)
        .select_related("person", "transfer", "accepted_by")
        .first()
    )
    if found is None or not can(actor, Permission.PERSON_VIEW, found.person):
        raise _denied(actor, ReceivedFile, file_id, Permission.PERSON_VIEW)
    return found


def home_panel(actor: Actor) -> dict[str, Any]:
    """Files sent to the organisation that wait for a decision: how many, the oldest five."""
    waiting = inbox(actor).filter(status__in=(TransferStatus.PENDING, TransferStatus.VIEWED))
    rows = waiting.defer("envelope", "sender_copy", "sender_pdf", "reason").order_by("due_on", "id")
    return {"count": waiting.count(), "transfers": list(rows[:5])}
