"""Another Safecase installation, simulated in the same process: its own signing and
encryption keys (override_settings), sealing bundles for an organisation here."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.test import override_settings
from django.utils import timezone

from safecase.partnerships.transfers import envelope, keys

REMOTE_SIGNING = base64.b64encode(bytes(range(32))).decode()
REMOTE_ENCRYPTION = base64.b64encode(bytes(range(32, 64))).decode()
STRANGER_SIGNING = base64.b64encode(bytes(range(64, 96))).decode()
SENDER_ORG = "3f1c6a52-2c47-4c36-9d8e-1d2b0f9e7a11"


@contextmanager
def remote(signing: str = REMOTE_SIGNING) -> Iterator[None]:
    with override_settings(
        SAFECASE_TRANSFER_SIGNING_KEY=signing,
        SAFECASE_TRANSFER_ENCRYPTION_KEY=REMOTE_ENCRYPTION,
        SAFECASE_INSTALLATION_NAME="Eastshire Safecase (synthetic)",
    ):
        yield


def remote_public(signing: str = REMOTE_SIGNING) -> str:
    with remote(signing):
        return keys.b64(keys.signing_public())


@contextmanager
def trusting_remote() -> Iterator[None]:
    with override_settings(SAFECASE_TRANSFER_TRUSTED_SENDERS=f"Eastshire={remote_public()}"):
        yield


def document(bundle_id: str, receiver_id: str, **person: Any) -> dict[str, Any]:
    return {
        "format": envelope.FORMAT,
        "bundle_id": bundle_id,
        "sender": {"organisation_id": SENDER_ORG, "organisation_name": "Eastshire High"},
        "receiver": {"organisation_id": receiver_id, "organisation_name": "Oakfield Primary"},
        "reason": "Moved to Northshire (synthetic).",
        "person": {
            "kind": "child",
            "given_names": "Robin",
            "family_name": "Faraway-Example",
            "date_of_birth": "2016-02-29",
            "gender": "not_known",
            "flags": [{"code": "send", "label": "SEND"}],
            "identifiers": [
                {"scheme": "other", "value": "EAST-4471"},
                {"scheme": "upn", "value": "A123456789012"},
            ],
            **person,
        },
        "chronology": [],
        "concerns": [],
        "cases": [],
    }


def bundle(
    receiver_id: str,
    *,
    bundle_id: str | None = None,
    supersedes: str | None = None,
    expires_at: datetime | None = None,
    signing: str = REMOTE_SIGNING,
    recipient: Any = None,
) -> bytes:
    """A bundle sealed by the remote installation for ``receiver_id`` on this one."""
    bundle_id = bundle_id or str(uuid.uuid4())
    recipient = recipient or keys.encryption_key().public_key()
    now = timezone.now()
    with remote(signing):
        return envelope.seal(
            bundle_id=bundle_id,
            supersedes=supersedes,
            issued_at=now,
            expires_at=expires_at or now + timedelta(days=30),
            sender={
                "installation": "Eastshire Safecase (synthetic)",
                "organisation_id": SENDER_ORG,
                "organisation_name": "Eastshire High",
            },
            receiver={"organisation_id": receiver_id, "organisation_name": "Oakfield Primary"},
            document=document(bundle_id, receiver_id),
            pdf=b"%PDF-1.4 synthetic\n",
            recipient=recipient,
        )


def altered(raw: bytes, change: Any) -> bytes:
    data = json.loads(raw)
    change(data)
    return json.dumps(data).encode()
