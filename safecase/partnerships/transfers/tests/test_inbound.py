"""A bundle from another installation: accepted when it holds; refused with a clear reason,
audited, and nothing imported when it is tampered with, replayed, superseded, expired, sent
to the wrong organisation, signed by an unknown key, of an unknown format version or
encrypted for another installation."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.partnerships.transfers import actions, inbound_actions
from safecase.partnerships.transfers.choices import TransferMode, TransferStatus
from safecase.partnerships.transfers.envelope import BundleRefused
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.partnerships.transfers.tests import remote
from safecase.people.models import Person

pytestmark = pytest.mark.django_db


def _oakfield(world: DemoWorld) -> str:
    return str(world.organisations["primary"].pk)


def _flip(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[len(raw) // 2] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_a_good_bundle_arrives_pending_and_can_be_accepted(world: DemoWorld) -> None:
    with remote.trusting_remote():
        transfer = inbound_actions.transfer_receive_inbound(raw=remote.bundle(_oakfield(world)))
        assert transfer.mode == TransferMode.INBOUND
        assert transfer.status == TransferStatus.PENDING
        assert transfer.receiver_organisation == world.organisations["primary"]
        assert "Eastshire" in transfer.sender_label
        received = actions.transfer_accept(
            actor=actor_for(world, "primary_lead"), transfer=transfer, version=transfer.version
        )
    assert received.person.family_name == "Faraway-Example"
    assert received.person.flags == ["send"]
    # The UPN fails its check letter: kept in the file, not put on the record unchecked.
    assert received.person.identifiers.get().value == "EAST-4471"
    assert AuditEvent.objects.filter(
        organisation_id=_oakfield(world), action=AuditAction.TRANSFER_RECEIVED
    ).exists()


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _flip_at(path: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = _flip(target[path[-1]])

    return change


REFUSALS: dict[str, tuple[str, Callable[[DemoWorld], bytes], str]] = {
    "signature changed": (
        "tampered",
        lambda w: remote.altered(remote.bundle(_oakfield(w)), _flip_at(("signature",))),
        "signature does not match",
    ),
    "ciphertext changed": (
        "tampered",
        lambda w: remote.altered(remote.bundle(_oakfield(w)), _flip_at(("ciphertext",))),
        "signature does not match",
    ),
    "header changed (later expiry)": (
        "tampered",
        lambda w: remote.altered(
            remote.bundle(_oakfield(w)), _set(("header", "expires_at"), "2099-01-01T00:00:00+00:00")
        ),
        "signature does not match",
    ),
    "expired": (
        "expired",
        lambda w: remote.bundle(_oakfield(w), expires_at=timezone.now() - timedelta(minutes=1)),
        "expired",
    ),
    "wrong organisation": (
        "wrong_organisation",
        lambda w: remote.bundle(str(uuid.uuid4())),
        "organisation this Safecase does not have",
    ),
    "unknown sender key": (
        "unknown_sender_key",
        lambda w: remote.bundle(_oakfield(w), signing=remote.STRANGER_SIGNING),
        "does not trust",
    ),
    "unknown format version": (
        "unknown_format",
        lambda w: remote.altered(
            remote.bundle(_oakfield(w)), _set(("format",), "safecase.transfer/2")
        ),
        "safecase.transfer/1",
    ),
    "encrypted for another installation": (
        "not_for_this_installation",
        lambda w: remote.bundle(_oakfield(w), recipient=X25519PrivateKey.generate().public_key()),
        "another installation",
    ),
    "not JSON": ("malformed", lambda w: b"%PDF-1.4 not a bundle", "not a Safecase"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_bundle_is_refused_with_its_reason_and_nothing_imported(
    world: DemoWorld, case: str
) -> None:
    code, make, words = REFUSALS[case]
    with remote.trusting_remote():
        raw = make(world)
        before = (Transfer.objects.count(), Person.objects.count())
        with pytest.raises(BundleRefused) as refused:
            inbound_actions.transfer_receive_inbound(raw=raw)
    assert refused.value.code == code
    assert words in refused.value.message
    assert (Transfer.objects.count(), Person.objects.count()) == before
    assert not ReceivedFile.objects.exists()
    event = AuditEvent.objects.filter(action=AuditAction.TRANSFER_REFUSED).get()
    assert event.changes["code"] == code and event.outcome == "failure"


def test_the_same_bundle_twice_is_a_replay(world: DemoWorld) -> None:
    with remote.trusting_remote():
        raw = remote.bundle(_oakfield(world))
        inbound_actions.transfer_receive_inbound(raw=raw)
        with pytest.raises(BundleRefused) as refused:
            inbound_actions.transfer_receive_inbound(raw=raw)
    assert refused.value.code == "replayed"
    assert Transfer.objects.count() == 1


def test_a_superseded_bundle_is_refused(world: DemoWorld) -> None:
    with remote.trusting_remote():
        first_id = str(uuid.uuid4())
        first = remote.bundle(_oakfield(world), bundle_id=first_id)
        old = inbound_actions.transfer_receive_inbound(raw=first)
        inbound_actions.transfer_receive_inbound(
            raw=remote.bundle(_oakfield(world), supersedes=first_id)
        )
        old.refresh_from_db()
        assert old.status == TransferStatus.SUPERSEDED
        with pytest.raises(BundleRefused) as refused:
            inbound_actions.transfer_receive_inbound(raw=first)
    assert refused.value.code == "superseded"


def test_a_bundle_sent_on_this_installation_cannot_be_replayed_inbound(world: DemoWorld) -> None:
    from safecase.partnerships.transfers.tests.helpers import send

    transfer = send(world)
    with pytest.raises(BundleRefused) as refused:
        inbound_actions.transfer_receive_inbound(raw=bytes(transfer.envelope))
    assert refused.value.code == "replayed"


def test_an_exported_bundle_is_read_by_the_receiving_installation(world: DemoWorld) -> None:
    """Round trip: sealed here for "another installation" (the remote's encryption key), then
    verified and opened by that installation (the remote settings, trusting this one)."""
    from safecase.partnerships.transfers import envelope, keys
    from safecase.partnerships.transfers.tests.helpers import REASON, child

    with remote.remote():
        remote_encryption = keys.b64(keys.encryption_public())
    transfer = actions.transfer_export(
        actor=actor_for(world, "lead"),
        person=child(world),
        receiver_organisation_id=str(uuid.uuid4()),
        receiver_organisation_name="Eastshire Primary (synthetic)",
        receiver_public_key=remote_encryption,
        reason=REASON,
    )
    raw = actions.transfer_record_export(actor=actor_for(world, "lead"), transfer=transfer)
    here = keys.b64(keys.signing_public())
    from django.test import override_settings

    with remote.remote(), override_settings(SAFECASE_TRANSFER_TRUSTED_SENDERS=f"Northshire={here}"):
        verified = envelope.verify(raw)
        document, pdf = envelope.decrypt(verified, keys.encryption_key())
    assert document["concerns"] and pdf.startswith(b"%PDF")
    # This installation cannot open what it sealed for another.
    with pytest.raises(BundleRefused) as refused:
        envelope.decrypt(envelope.verify(raw), keys.encryption_key())
    assert refused.value.code == "not_for_this_installation"


def test_the_inbound_endpoint_answers_201_then_400_with_the_reason(world: DemoWorld) -> None:
    client = Client()
    with remote.trusting_remote():
        raw = remote.bundle(_oakfield(world))
        first = client.post("/api/v1/transfers/inbound", raw, content_type="application/json")
        again = client.post("/api/v1/transfers/inbound", raw, content_type="application/json")
        junk = client.post("/api/v1/transfers/inbound", b"{}", content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "pending"
    assert again.status_code == 400 and again.json()["code"] == "replayed"
    assert junk.status_code == 400 and junk.json()["code"] == "malformed"
    assert Transfer.objects.count() == 1


def _signed(envelope_data: dict[str, Any]) -> bytes:
    """An envelope re-signed with this installation's own (trusted) key after a change: the
    signature holds, so what is checked is the content."""
    import json

    from safecase.partnerships.transfers import keys
    from safecase.partnerships.transfers.envelope import canonical

    header = envelope_data["header"]
    header["signing_key_id"] = keys.signing_key_id()
    signed = canonical(
        {
            "format": envelope_data["format"],
            "header": header,
            "ciphertext": envelope_data["ciphertext"],
        }
    )
    envelope_data["signature"] = keys.b64(keys.signing_key().sign(signed))
    return json.dumps(envelope_data).encode()


ODD_HEADERS: dict[str, tuple[tuple[str, ...], Any]] = {
    "bundle id not a uuid": (("header", "bundle_id"), "not-a-uuid"),
    "receiver id not a uuid": (("header", "receiver", "organisation_id"), "oakfield"),
    "expiry not a time": (("header", "expires_at"), "soon"),
    "expiry without a zone": (("header", "expires_at"), "2099-01-01T00:00:00"),
    "encryption not an object": (("header", "encryption"), "none"),
    "nonce not base64": (("header", "encryption", "nonce"), "!!"),
    "ephemeral key too short": (("header", "encryption", "ephemeral_public_key"), "AAAA"),
    "ciphertext not base64": (("ciphertext",), "%%%"),
    "sender not an object": (("header", "sender"), []),
}


@pytest.mark.parametrize("case", sorted(ODD_HEADERS))
def test_a_signed_but_odd_bundle_is_refused_never_a_500(world: DemoWorld, case: str) -> None:
    import json

    path, value = ODD_HEADERS[case]
    data = json.loads(remote.bundle(_oakfield(world), signing=_own_signing()))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    response = Client().post(
        "/api/v1/transfers/inbound", _signed(data), content_type="application/json"
    )
    assert response.status_code == 400, (case, response.content)
    assert response.json()["code"] in {
        "malformed",
        "tampered",
        "unknown_format",
        "wrong_organisation",
        "not_for_this_installation",
    }
    assert not Transfer.objects.exists()


def _own_signing() -> str:
    from safecase.partnerships.transfers import keys

    return keys.b64(keys._secret("SAFECASE_TRANSFER_SIGNING_KEY", b"safecase transfer signing key"))


def test_a_sender_trusted_only_for_another_organisation_is_refused(world: DemoWorld) -> None:
    from django.test import override_settings

    police = str(world.organisations["police"].pk)
    oakfield = _oakfield(world)
    only_police = f"Eastshire={remote.remote_public()}@{police}"
    with override_settings(SAFECASE_TRANSFER_TRUSTED_SENDERS=only_police):
        with pytest.raises(BundleRefused) as refused:
            inbound_actions.transfer_receive_inbound(raw=remote.bundle(oakfield))
        assert refused.value.code == "unknown_sender_key"
    both = f"Eastshire={remote.remote_public()}@{police};{oakfield}"
    with override_settings(SAFECASE_TRANSFER_TRUSTED_SENDERS=both):
        assert inbound_actions.transfer_receive_inbound(raw=remote.bundle(oakfield))
