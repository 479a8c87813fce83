"""Confirmation of receipt across installations: the receiver signs a receipt when it accepts
or rejects a bundle from another installation; the sender's installation records it on its
sent file, refusing a receipt that does not hold."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.partnerships.transfers import actions, inbound_actions, keys, receipts
from safecase.partnerships.transfers.choices import TransferStatus
from safecase.partnerships.transfers.models import Transfer
from safecase.partnerships.transfers.tests import remote
from safecase.partnerships.transfers.tests.helpers import REASON, child

pytestmark = pytest.mark.django_db
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


def _receipt(bundle_id: str, *, status: str = "accepted", receiver: str = RECEIVER) -> bytes:
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


def _post(raw: bytes) -> object:
    return Client().post("/api/v1/transfers/receipts", raw, content_type="application/json")


def test_a_receipt_confirms_receipt_on_the_sent_file(world: DemoWorld) -> None:
    transfer = _exported(world)
    with remote.trusting_remote():
        response = _post(_receipt(str(transfer.bundle_id)))
        again = _post(_receipt(str(transfer.bundle_id)))
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.receipt_confirmed_at
    assert AuditEvent.objects.filter(
        organisation_id=str(world.organisations["secondary"].pk),
        action=AuditAction.TRANSFER_RECEIPT_CONFIRMED,
    ).exists()
    assert again.status_code == 400 and again.json()["code"] == "replayed"  # type: ignore[attr-defined]


def test_a_rejection_receipt_records_the_reason(world: DemoWorld) -> None:
    transfer = _exported(world)
    with remote.trusting_remote():
        assert _post(_receipt(str(transfer.bundle_id), status="rejected")).status_code == 200  # type: ignore[attr-defined]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED
    assert transfer.rejection_reason.startswith("Never joined")


@pytest.mark.parametrize(
    "case", ["tampered", "wrong_organisation", "unknown_bundle", "unknown_sender_key"]
)
def test_a_bad_receipt_is_refused(world: DemoWorld, case: str) -> None:
    transfer = _exported(world)
    raw = _receipt(str(transfer.bundle_id))
    if case == "tampered":
        data = json.loads(raw)
        data["receipt"]["status"] = "rejected"
        raw = json.dumps(data).encode()
    elif case == "wrong_organisation":
        raw = _receipt(str(transfer.bundle_id), receiver=str(uuid.uuid4()))
    elif case == "unknown_bundle":
        raw = _receipt(str(uuid.uuid4()))
    if case == "unknown_sender_key":
        response = _post(raw)
    else:
        with remote.trusting_remote():
            response = _post(raw)
    assert response.status_code == 400 and response.json()["code"] == case  # type: ignore[attr-defined]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_REFUSED).count() == 1


def test_accepting_an_inbound_file_makes_a_receipt_for_its_sender(world: DemoWorld) -> None:
    with remote.trusting_remote():
        transfer = inbound_actions.transfer_receive_inbound(
            raw=remote.bundle(str(world.organisations["primary"].pk))
        )
    priya = client_for(world.users["primary_lead"])
    url = f"/api/v1/transfers/received/{transfer.pk}/receipt"
    assert priya.get(url).status_code == 409
    with remote.trusting_remote():  # accepting verifies the bundle again
        actions.transfer_accept(
            actor=actor_for(world, "primary_lead"), transfer=transfer, version=transfer.version
        )
    response = priya.get(url)
    assert response.status_code == 200
    receipt = receipts.verify_receipt(response.content)  # signed by this installation's key
    assert receipt["status"] == "accepted"
    assert receipt["bundle_id"] == str(transfer.bundle_id)
    assert receipt["receiver"]["organisation_id"] == str(world.organisations["primary"].pk)
