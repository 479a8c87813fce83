"""Confirmation of receipt across installations (format ``safecase.transfer-receipt/1``).

When a receiver on this installation accepts or rejects a bundle that came from another
installation, it signs a receipt with its Ed25519 key; the sender's installation takes it at
``POST /api/v1/transfers/receipts`` and records receipt (or rejection) on its outbound transfer,
after checking the signature (a trusted key), that the bundle is one it sent, and that the
receipt comes from the organisation it was sent to::

    {"format": "safecase.transfer-receipt/1",
     "receipt": {"bundle_id", "status": "accepted" | "rejected", "decided_at", "reason",
                 "receiver": {"installation", "organisation_id", "organisation_name"},
                 "signing_key_id"},
     "signature": "<base64 Ed25519 over the canonical JSON of format and receipt>"}
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.utils.dateparse import parse_datetime

from safecase.partnerships.transfers import keys
from safecase.partnerships.transfers.envelope import BundleRefused, canonical

FORMAT = "safecase.transfer-receipt/1"


def sign_receipt(
    *,
    bundle_id: str,
    status: str,
    decided_at: datetime,
    reason: str,
    receiver: dict[str, str],
) -> bytes:
    receipt = {
        "bundle_id": bundle_id,
        "status": status,
        "decided_at": decided_at.isoformat(),
        "reason": reason,
        "receiver": receiver,
        "signing_key_id": keys.signing_key_id(),
    }
    signature = keys.b64(keys.signing_key().sign(canonical({"format": FORMAT, "receipt": receipt})))
    return canonical({"format": FORMAT, "receipt": receipt, "signature": signature})


def verify_receipt(raw: bytes) -> dict[str, Any]:
    """The receipt's content, once its format and signature (by a trusted key) hold."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleRefused("malformed", "This is not a Safecase transfer receipt.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("receipt"), dict):
        raise BundleRefused("malformed", "This is not a Safecase transfer receipt.")
    if data.get("format") != FORMAT:
        raise BundleRefused("unknown_format", f"This Safecase reads receipts of format {FORMAT}.")
    receipt = data["receipt"]
    trusted = keys.trusted_senders().get(str(receipt.get("signing_key_id") or ""))
    if trusted is None:
        raise BundleRefused(
            "unknown_sender_key", "The receipt is signed with a key this Safecase does not trust."
        )
    try:
        trusted.key.verify(
            keys.unb64(data.get("signature"), "The signature"),
            canonical({"format": FORMAT, "receipt": receipt}),
        )
    except (InvalidSignature, keys.TransferKeyError) as exc:
        raise BundleRefused(
            "tampered", "The receipt's signature does not match its content."
        ) from exc
    if receipt.get("status") not in ("accepted", "rejected"):
        raise BundleRefused("malformed", "The receipt's status is neither accepted nor rejected.")
    moment = parse_datetime(str(receipt.get("decided_at") or ""))
    if moment is None:
        raise BundleRefused("malformed", "The receipt's decided_at is not a time.")
    receiver = receipt.get("receiver")
    if not isinstance(receiver, dict) or not isinstance(receiver.get("organisation_id"), str):
        raise BundleRefused("malformed", "The receipt names no receiving organisation.")
    return {**receipt, "decided_at": moment, "sender_key_label": trusted.label}
