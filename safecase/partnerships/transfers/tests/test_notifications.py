"""In-app notifications of a transfer: the receiver's leads when a file arrives (sent here,
delivered from another installation, resent), the sender's leads when it is accepted or
rejected, both sides once per escalation step. Each is written once, only to members whose
role may open the linked page (never a reporter, never another organisation), with a sentence
that names nobody, and nothing is written when the action fails."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole, User
from safecase.core.errors import Conflict, DomainError
from safecase.notifications.models import LINKS, TEXTS, Notification, NotificationKind
from safecase.partnerships.transfers import actions, inbound_actions, keys, receipts
from safecase.partnerships.transfers.envelope import BundleRefused
from safecase.partnerships.transfers.escalation import MAX_STEPS, escalate_transfers, step_due_on
from safecase.partnerships.transfers.models import Transfer
from safecase.partnerships.transfers.notices import UNANSWERED, WAITING
from safecase.partnerships.transfers.tests import remote
from safecase.partnerships.transfers.tests.helpers import REASON, child, send

pytestmark = pytest.mark.django_db

K = NotificationKind


@pytest.fixture
def oakfield_staff(world: DemoWorld) -> DemoWorld:
    """Oakfield gets a deputy lead (may receive) and a reporter (may not), so the tests show
    who is told and who is not."""
    for persona, role in (("oak_deputy", Role.DEPUTY_LEAD), ("oak_reporter", Role.REPORTER)):
        user = User.objects.create_user(
            email=f"{persona}@example.invalid", full_name=f"{persona} (synthetic)"
        )
        membership = Membership.objects.create(
            user=user, organisation=world.organisations["primary"]
        )
        MembershipRole.objects.create(membership=membership, role=role)
        world.users[persona] = user
    return world


def _told(world: DemoWorld) -> list[tuple[str, str, str, Any]]:
    """Every notification as (persona, organisation key, kind, target), sorted."""
    persona = {user.pk: key for key, user in world.users.items()}
    org = {o.pk: key for key, o in world.organisations.items()}
    return sorted(
        (persona[n.recipient_id], org[n.organisation_id], n.kind, n.target_id)
        for n in Notification.objects.all()
    )


def _no_details(transfer: Transfer) -> None:
    for note in Notification.objects.filter(target_id=transfer.pk):
        assert transfer.person_label not in note.text
        assert REASON not in note.text
        assert transfer.sender_label not in note.text
        assert transfer.receiver_label not in note.text


def test_every_transfer_kind_has_a_sentence_and_a_page() -> None:
    kinds = [k for k in NotificationKind if k.startswith("transfer_")]
    assert len(kinds) == 9
    for kind in kinds:
        assert len(TEXTS[kind].format(when="14:02 on 3 March 2026")) <= 200
        assert LINKS[kind][0] in ("transfers:received", "transfers:sent")
    assert set(WAITING) == set(UNANSWERED) == set(range(1, MAX_STEPS + 1))


def test_a_file_sent_here_tells_the_receivers_leads_once(oakfield_staff: DemoWorld) -> None:
    world = oakfield_staff
    transfer = send(world)
    assert _told(world) == [
        ("oak_deputy", "primary", K.TRANSFER_RECEIVED, transfer.pk),
        ("primary_lead", "primary", K.TRANSFER_RECEIVED, transfer.pk),
    ]
    note = Notification.objects.filter(recipient=world.users["primary_lead"]).get()
    assert note.target_url == f"/transfers/received/{transfer.pk}/"
    _no_details(transfer)


def test_a_file_that_cannot_be_sent_tells_nobody(world: DemoWorld) -> None:
    with pytest.raises(DomainError):
        actions.transfer_send(
            actor=actor_for(world, "lead"),
            person=child(world),
            receiver_organisation=world.organisations["outside"],
            reason=REASON,
        )
    with pytest.raises(DomainError):
        actions.transfer_send(
            actor=actor_for(world, "lead"),
            person=child(world),
            receiver_organisation=world.organisations["primary"],
            reason="short",
        )
    assert not Notification.objects.exists()


def test_accepting_tells_the_senders_leads_once(oakfield_staff: DemoWorld) -> None:
    world = oakfield_staff
    transfer = send(world)
    oakfield = actor_for(world, "primary_lead")
    with pytest.raises(Conflict):
        actions.transfer_accept(actor=oakfield, transfer=transfer, version=transfer.version + 7)
    assert not Notification.objects.filter(kind=K.TRANSFER_ACCEPTED).exists()
    actions.transfer_accept(actor=oakfield, transfer=transfer, version=transfer.version)
    sender_side = [t for t in _told(world) if t[1] != "primary"]
    # The lead only: the deputy may not open sent files, the reporter nothing.
    assert sender_side == [("lead", "secondary", K.TRANSFER_ACCEPTED, transfer.pk)]
    note = Notification.objects.get(kind=K.TRANSFER_ACCEPTED)
    assert note.target_url == f"/transfers/sent/{transfer.pk}/"
    with pytest.raises(DomainError):  # already accepted: nothing more
        actions.transfer_reject(
            actor=oakfield, transfer=transfer, version=transfer.version, reason=REASON
        )
    assert Notification.objects.filter(organisation=world.organisations["secondary"]).count() == 1
    _no_details(transfer)


def test_rejecting_tells_the_senders_leads_once(world: DemoWorld) -> None:
    transfer = send(world)
    oakfield = actor_for(world, "primary_lead")
    with pytest.raises(DomainError):
        actions.transfer_reject(
            actor=oakfield, transfer=transfer, version=transfer.version, reason="no"
        )
    assert not Notification.objects.filter(kind=K.TRANSFER_REJECTED).exists()
    actions.transfer_reject(
        actor=oakfield,
        transfer=transfer,
        version=transfer.version,
        reason="The child never joined us (synthetic).",
    )
    assert [t for t in _told(world) if t[1] != "primary"] == [
        ("lead", "secondary", K.TRANSFER_REJECTED, transfer.pk)
    ]
    _no_details(transfer)


def test_a_resend_tells_the_receiver_about_the_new_file(world: DemoWorld) -> None:
    transfer = send(world)
    lead = actor_for(world, "lead")
    with pytest.raises(DomainError):
        actions.transfer_resend(actor=lead, transfer=transfer, version=transfer.version, reason="")
    assert Notification.objects.count() == 1
    again = actions.transfer_resend(
        actor=lead, transfer=transfer, version=transfer.version, reason=REASON
    )
    assert _told(world) == sorted(
        [
            ("primary_lead", "primary", K.TRANSFER_RECEIVED, transfer.pk),
            ("primary_lead", "primary", K.TRANSFER_RECEIVED, again.pk),
        ]
    )


def test_a_bundle_from_another_installation_tells_the_receiver_once(
    oakfield_staff: DemoWorld,
) -> None:
    world = oakfield_staff
    oakfield = str(world.organisations["primary"].pk)
    raw = remote.bundle(oakfield)
    with remote.trusting_remote():
        transfer = inbound_actions.transfer_receive_inbound(raw=raw)
        with pytest.raises(BundleRefused):  # the same bundle again: refused, nobody told
            inbound_actions.transfer_receive_inbound(raw=raw)
        with pytest.raises(BundleRefused):  # addressed to nobody here
            inbound_actions.transfer_receive_inbound(raw=remote.bundle(str(uuid.uuid4())))
    assert _told(world) == [
        ("oak_deputy", "primary", K.TRANSFER_RECEIVED, transfer.pk),
        ("primary_lead", "primary", K.TRANSFER_RECEIVED, transfer.pk),
    ]
    _no_details(transfer)


RECEIVER = "9d3c8a50-7f5e-4f2b-8b64-0a8e5c1d2e33"


def _exported(world: DemoWorld) -> Transfer:
    with remote.remote():
        their_key = keys.b64(keys.encryption_public())
    return actions.transfer_export(
        actor=actor_for(world, "lead"),
        person=child(world),
        receiver_organisation_id=RECEIVER,
        receiver_organisation_name="Eastshire Primary (synthetic)",
        receiver_public_key=their_key,
        reason=REASON,
    )


def _receipt(bundle_id: str, status: str, receiver: str = RECEIVER) -> bytes:
    with remote.remote():
        return receipts.sign_receipt(
            bundle_id=bundle_id,
            status=status,
            decided_at=timezone.now(),
            reason="" if status == "accepted" else "Never joined us (synthetic).",
            receiver={
                "installation": "Eastshire",
                "organisation_id": receiver,
                "organisation_name": "Eastshire Primary",
            },
        )


@pytest.mark.parametrize(
    ("status", "kind"), [("accepted", K.TRANSFER_ACCEPTED), ("rejected", K.TRANSFER_REJECTED)]
)
def test_a_receipt_from_another_installation_tells_the_senders_leads_once(
    world: DemoWorld, status: str, kind: NotificationKind
) -> None:
    transfer = _exported(world)
    assert not Notification.objects.exists()  # sealed for elsewhere: nobody here is told
    with remote.trusting_remote():
        with pytest.raises(BundleRefused):  # from the wrong organisation: nobody told
            inbound_actions.transfer_receipt_inbound(
                raw=_receipt(str(transfer.bundle_id), status, receiver=str(uuid.uuid4()))
            )
        assert not Notification.objects.exists()
        inbound_actions.transfer_receipt_inbound(raw=_receipt(str(transfer.bundle_id), status))
        with pytest.raises(BundleRefused):  # again: replayed
            inbound_actions.transfer_receipt_inbound(raw=_receipt(str(transfer.bundle_id), status))
    assert _told(world) == [("lead", "secondary", kind, transfer.pk)]


def test_escalation_tells_both_sides_once_per_step(oakfield_staff: DemoWorld) -> None:
    world = oakfield_staff
    transfer = send(world)
    Notification.objects.all().delete()
    assert escalate_transfers(today=transfer.due_on) == 0  # not due yet: nobody told
    assert not Notification.objects.exists()
    first = step_due_on(transfer, 1)
    assert escalate_transfers(today=first) == 1
    assert escalate_transfers(today=first) == 0  # a second run that day adds nothing
    assert _told(world) == sorted(
        [
            ("oak_deputy", "primary", K.TRANSFER_WAITING_1, transfer.pk),
            ("lead", "secondary", K.TRANSFER_UNANSWERED_1, transfer.pk),
            ("primary_lead", "primary", K.TRANSFER_WAITING_1, transfer.pk),
        ]
    )
    receiver_note = Notification.objects.get(
        kind=K.TRANSFER_WAITING_1, recipient=world.users["primary_lead"]
    )
    assert receiver_note.target_url == f"/transfers/received/{transfer.pk}/"
    sender_note = Notification.objects.get(kind=K.TRANSFER_UNANSWERED_1)
    assert sender_note.target_url == f"/transfers/sent/{transfer.pk}/"
    for step in range(2, MAX_STEPS + 1):
        assert escalate_transfers(today=step_due_on(transfer, step)) == 1
    assert escalate_transfers(today=step_due_on(transfer, MAX_STEPS + 1)) == 0
    kinds = [n.kind for n in Notification.objects.filter(recipient=world.users["lead"])]
    assert sorted(kinds) == sorted(UNANSWERED[s] for s in range(1, MAX_STEPS + 1))
    assert Notification.objects.filter(recipient=world.users["primary_lead"]).count() == MAX_STEPS
    assert not Notification.objects.filter(recipient=world.users["oak_reporter"]).exists()
    assert not Notification.objects.filter(organisation=world.organisations["outside"]).exists()
    _no_details(transfer)


def test_a_decided_file_is_not_escalated_and_tells_nobody_more(world: DemoWorld) -> None:
    transfer = send(world)
    actions.transfer_accept(
        actor=actor_for(world, "primary_lead"), transfer=transfer, version=transfer.version
    )
    before = Notification.objects.count()
    assert escalate_transfers(today=step_due_on(transfer, 1)) == 0
    assert Notification.objects.count() == before
