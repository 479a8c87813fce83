"""Sending a file on this installation, and what the receiver does with it."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from conftest import DemoWorld, actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core import events
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.partnerships.transfers import actions, selectors
from safecase.partnerships.transfers.choices import TransferStatus
from safecase.partnerships.transfers.common import pdf_of_received, pdf_of_sender_copy
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.partnerships.transfers.tests.helpers import REASON, RESTRICTED_FACT, child, send
from safecase.people.actions import person_create
from safecase.people.models import Person

pytestmark = pytest.mark.django_db(transaction=False)


def _chain(org: object, action: str) -> int:
    return AuditEvent.objects.filter(organisation_id=str(org), action=action).count()


def test_send_creates_a_pending_transfer_seen_by_both_leads(world: DemoWorld) -> None:
    transfer = send(world)
    assert transfer.status == TransferStatus.PENDING
    lead, primary = actor_for(world, "lead"), actor_for(world, "primary_lead")
    assert list(selectors.outbox(lead)) == [transfer]
    assert list(selectors.inbox(primary)) == [transfer]
    assert not selectors.inbox(lead).exists()
    assert not selectors.outbox(actor_for(world, "other_org")).exists()
    school, oakfield = world.organisations["secondary"].pk, world.organisations["primary"].pk
    assert _chain(school, AuditAction.TRANSFER_SENT) == 1
    assert _chain(oakfield, AuditAction.TRANSFER_RECEIVED) == 1


def test_the_bundle_is_signed_encrypted_and_holds_no_plaintext(world: DemoWorld) -> None:
    person = child(world)
    transfer = send(world, person)
    raw = bytes(transfer.envelope)
    envelope = json.loads(raw)
    assert envelope["format"] == "safecase.transfer/1"
    header = envelope["header"]
    assert header["bundle_id"] == str(transfer.bundle_id)
    assert header["receiver"]["organisation_id"] == str(world.organisations["primary"].pk)
    assert header["sender"]["organisation_id"] == str(world.organisations["secondary"].pk)
    assert header["issued_at"] and header["expires_at"]
    assert person.family_name.encode() not in raw
    assert b"no coat" not in raw
    assert pdf_of_sender_copy(transfer).startswith(b"%PDF")


def test_the_document_holds_concerns_triage_and_chronology_but_never_restricted(
    world: DemoWorld,
) -> None:
    person = child(world, with_restricted=True)
    transfer = send(world, person)
    document = actions.transfer_view(actor=actor_for(world, "primary_lead"), transfer=transfer)
    assert document["person"]["family_name"] == person.family_name
    assert len(document["concerns"]) == 1
    concern = document["concerns"][0]
    assert "no coat" in concern["fact"]
    assert concern["triage"][0]["rationale"].startswith("First concern")
    assert document["chronology"]
    assert RESTRICTED_FACT not in json.dumps(document)


def test_viewing_marks_it_viewed_once_and_audits_every_opening(world: DemoWorld) -> None:
    transfer = send(world)
    primary = actor_for(world, "primary_lead")
    actions.transfer_view(actor=primary, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.VIEWED and transfer.viewed_by is not None
    actions.transfer_view(actor=primary, transfer=transfer)
    oakfield = world.organisations["primary"].pk
    assert _chain(oakfield, AuditAction.TRANSFER_VIEWED) == 2


def test_accept_imports_a_new_person_and_confirms_receipt_on_both_sides(
    world: DemoWorld,
) -> None:
    seen: list[events.DomainEvent] = []
    events.subscribe(seen.append)
    person = child(world)
    transfer = send(world, person)
    assert [e.event_type for e in seen] == ["transfer.received"]
    assert seen[0].organisation_id == world.organisations["primary"].pk
    primary = actor_for(world, "primary_lead")
    mail.outbox.clear()
    received = actions.transfer_accept(actor=primary, transfer=transfer, version=transfer.version)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.receipt_confirmed_at
    new = received.person
    assert new.organisation_id == world.organisations["primary"].pk
    assert (new.given_names, new.family_name) == (person.given_names, person.family_name)
    assert pdf_of_received(received).startswith(b"%PDF")
    assert received.bundle["bundle_id"] == str(transfer.bundle_id)
    school, oakfield = world.organisations["secondary"].pk, world.organisations["primary"].pk
    assert _chain(oakfield, AuditAction.TRANSFER_ACCEPTED) == 1
    assert _chain(school, AuditAction.TRANSFER_RECEIPT_CONFIRMED) == 1
    # The sender keeps its copy.
    assert Person.objects.filter(pk=person.pk).exists()
    assert pdf_of_sender_copy(transfer).startswith(b"%PDF")
    events._subscribers.remove(seen.append)


def test_accept_can_link_to_an_existing_person_of_the_receiver(world: DemoWorld) -> None:
    transfer = send(world)
    primary = actor_for(world, "primary_lead")
    existing = person_create(
        actor=primary, kind="child", given_names="Jamie", family_name="Known-Here"
    )
    received = actions.transfer_accept(
        actor=primary, transfer=transfer, version=transfer.version, link_to=existing
    )
    assert received.person == existing
    assert Person.objects.filter(organisation=world.organisations["primary"]).count() == 1


def test_accept_refuses_a_person_of_another_organisation(world: DemoWorld) -> None:
    person = child(world)
    transfer = send(world, person)
    with pytest.raises(DomainError, match="your own organisation"):
        actions.transfer_accept(
            actor=actor_for(world, "primary_lead"),
            transfer=transfer,
            version=transfer.version,
            link_to=person,
        )
    assert not ReceivedFile.objects.exists()


def test_reject_needs_a_reason_and_the_sender_sees_it(world: DemoWorld) -> None:
    transfer = send(world)
    primary = actor_for(world, "primary_lead")
    with pytest.raises(DomainError, match="reason"):
        actions.transfer_reject(actor=primary, transfer=transfer, version=1, reason="")
    actions.transfer_reject(
        actor=primary,
        transfer=transfer,
        version=transfer.version,
        reason="The child never joined Oakfield (synthetic).",
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED
    assert not ReceivedFile.objects.exists()
    school = world.organisations["secondary"].pk
    assert _chain(school, AuditAction.TRANSFER_REJECTED) == 1


def test_a_stale_version_is_a_conflict(world: DemoWorld) -> None:
    transfer = send(world)
    primary = actor_for(world, "primary_lead")
    with pytest.raises(Conflict):
        actions.transfer_accept(actor=primary, transfer=transfer, version=transfer.version + 7)
    assert not ReceivedFile.objects.exists()


def test_only_partnership_members_may_receive(world: DemoWorld) -> None:
    with pytest.raises(DomainError, match="partnership"):
        actions.transfer_send(
            actor=actor_for(world, "lead"),
            person=child(world),
            receiver_organisation=world.organisations["outside"],
            reason=REASON,
        )
    assert not Transfer.objects.exists()


def test_a_short_reason_is_refused(world: DemoWorld) -> None:
    with pytest.raises(DomainError, match="reason"):
        actions.transfer_send(
            actor=actor_for(world, "lead"),
            person=child(world),
            receiver_organisation=world.organisations["primary"],
            reason="moved",
        )
    assert not Transfer.objects.exists()


def test_others_may_not_send_or_receive(world: DemoWorld) -> None:
    person = child(world)
    for persona in ("reporter", "auditor", "case_worker"):
        with pytest.raises(NotPermitted):
            actions.transfer_send(
                actor=actor_for(world, persona),
                person=person,
                receiver_organisation=world.organisations["primary"],
                reason=REASON,
            )
    transfer = send(world, person)
    for persona in ("lead", "other_org", "partner_with_share"):
        with pytest.raises(NotPermitted):
            actions.transfer_accept(
                actor=actor_for(world, persona), transfer=transfer, version=transfer.version
            )


def test_resend_supersedes_the_old_bundle(world: DemoWorld) -> None:
    transfer = send(world)
    new = actions.transfer_resend(
        actor=actor_for(world, "lead"),
        transfer=transfer,
        version=transfer.version,
        reason="No answer after five working days (synthetic).",
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SUPERSEDED
    assert new.bundle_id != transfer.bundle_id and new.supersedes == transfer
    primary = actor_for(world, "primary_lead")
    assert list(selectors.inbox(primary)) == [new]
    with pytest.raises(DomainError, match="replaced"):
        actions.transfer_accept(actor=primary, transfer=transfer, version=transfer.version)


def test_an_expired_bundle_can_be_read_and_rejected_but_not_accepted(world: DemoWorld) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from safecase.partnerships.transfers.envelope import BundleRefused

    transfer = send(world)
    primary = actor_for(world, "primary_lead")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        actions.transfer_view(actor=primary, transfer=transfer)
        transfer.refresh_from_db()
        with pytest.raises(BundleRefused, match="expired"):
            actions.transfer_accept(actor=primary, transfer=transfer, version=transfer.version)
        assert not ReceivedFile.objects.exists()
        actions.transfer_reject(
            actor=primary,
            transfer=transfer,
            version=transfer.version,
            reason="It arrived too late; please resend (synthetic).",
        )


def test_a_file_sealed_for_another_installation_is_resent_to_the_same_key(
    world: DemoWorld,
) -> None:
    import uuid

    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from safecase.partnerships.transfers import keys, receiving

    theirs = X25519PrivateKey.generate().public_key()
    lead = actor_for(world, "lead")
    first = actions.transfer_export(
        actor=lead,
        person=child(world),
        receiver_organisation_id=str(uuid.uuid4()),
        receiver_organisation_name="Eastshire Primary (synthetic)",
        receiver_public_key=keys.b64(keys._raw(theirs)),
        reason=REASON,
    )
    second = actions.transfer_resend(
        actor=lead,
        transfer=first,
        version=first.version,
        reason="The first bundle was not delivered (synthetic).",
    )
    again = receiving.recipient_of(bytes(second.envelope))
    assert keys._raw(again) == keys._raw(theirs)
    header = json.loads(bytes(second.envelope))["header"]
    assert header["supersedes"] == str(first.bundle_id)
    with pytest.raises(DomainError, match="replaced"):
        actions.transfer_record_export(actor=lead, transfer=Transfer.objects.get(pk=first.pk))
