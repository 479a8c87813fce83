"""Signing deliveries the Standard Webhooks way (docs/webhooks.md explains it to integrators).

The secret is ``whsec_`` followed by the base64 of 32 random bytes; the HMAC key is those bytes.
Each request carries ``webhook-id`` (the event id), ``webhook-timestamp`` (Unix seconds, when
this attempt was sent) and ``webhook-signature: v1,<base64 of HMAC-SHA256(key,
"{id}.{timestamp}.{body}")>``. ``verify`` is the receiver's side, used by the tests exactly as
the documentation tells integrators to do it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32
SIGNATURE_VERSION = "v1"
# A receiver refuses a timestamp further than this from its clock (replayed requests).
TOLERANCE_SECONDS = 5 * 60


class SignatureError(Exception):
    """A request whose signature does not verify; the message names why, never the secret."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("The signing secret is not in the whsec_<base64> form.") from exc


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for one request."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signed_headers(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=secret, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }


def verify(
    *, secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> None:
    """Raise SignatureError unless the request is signed with ``secret`` and recent.

    ``headers`` must be looked up case-insensitively (an ``email.message.Message`` from
    ``http.server`` is; so are Django's ``request.headers``).
    """
    msg_id = headers.get("webhook-id")
    raw_timestamp = headers.get("webhook-timestamp")
    raw_signatures = headers.get("webhook-signature")
    if not msg_id or not raw_timestamp or not raw_signatures:
        raise SignatureError("Missing webhook-id, webhook-timestamp or webhook-signature.")
    try:
        timestamp = int(raw_timestamp)
    except ValueError as exc:
        raise SignatureError("webhook-timestamp is not a whole number of seconds.") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("webhook-timestamp is more than 5 minutes from now.")
    expected = signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    for candidate in raw_signatures.split(" "):
        if hmac.compare_digest(candidate.strip().encode(), expected.encode()):
            return
    raise SignatureError("No signature matches.")
