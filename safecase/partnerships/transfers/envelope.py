"""The signed, encrypted envelope of a transfer bundle (format ``safecase.transfer/1``).

docs/transfers-format.md is the reference; in short::

    {"format": "safecase.transfer/1",
     "header": {"bundle_id", "supersedes", "issued_at", "expires_at",
                "sender": {"installation", "organisation_id", "organisation_name"},
                "receiver": {"organisation_id", "organisation_name"},
                "signing_key_id",
                "encryption": {"algorithm", "recipient_key_id", "ephemeral_public_key", "nonce"}},
     "ciphertext": "<base64>",
     "signature": "<base64 Ed25519 over canonical JSON of format, header and ciphertext>"}

Encryption: an ephemeral X25519 key agreed with the receiving installation's public key,
HKDF-SHA256 to an AES-256-GCM key; the canonical JSON of format and header is the AES-GCM
associated data, so no header field can be changed without the decryption failing too. The
plaintext is the canonical JSON of ``{"bundle": <document>, "pdf": <base64>}``; the document
repeats the bundle id, sender and receiver, and the receiver checks that they match.

Verification refuses, with a reason code and a sentence, before anything is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from safecase.core.errors import DomainError
from safecase.partnerships.transfers import keys

FORMAT = "safecase.transfer/1"
ALGORITHM = "X25519-HKDF-SHA256-AES-256-GCM"
MAX_ENVELOPE_BYTES = 25 * 1024 * 1024


class BundleRefused(DomainError):  # noqa: N818 - reads as a sentence: "raise BundleRefused"
    """A bundle that will not be imported: ``code`` says why (malformed, unknown_format,
    unknown_sender_key, tampered, not_for_this_installation, wrong_organisation, expired,
    replayed, superseded), the message says it in a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, field=None)
        self.code = code


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _aes_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=FORMAT.encode()
    ).derive(shared)


def seal(
    *,
    bundle_id: str,
    supersedes: str | None,
    issued_at: datetime,
    expires_at: datetime,
    sender: dict[str, str],
    receiver: dict[str, str],
    document: dict[str, Any],
    pdf: bytes,
    recipient: X25519PublicKey,
) -> bytes:
    """Encrypt the document and PDF to ``recipient`` and sign: the envelope's bytes."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw(ephemeral.public_key())
    recipient_raw = _raw(recipient)
    nonce = os.urandom(12)
    header = {
        "bundle_id": bundle_id,
        "supersedes": supersedes,
        "issued_at": issued_at.isoformat(),
        "expires_at": expires_at.isoformat(),
        "sender": sender,
        "receiver": receiver,
        "signing_key_id": keys.signing_key_id(),
        "encryption": {
            "algorithm": ALGORITHM,
            "recipient_key_id": keys.fingerprint(recipient_raw),
            "recipient_public_key": keys.b64(recipient_raw),
            "ephemeral_public_key": keys.b64(ephemeral_public),
            "nonce": keys.b64(nonce),
        },
    }
    aad = canonical({"format": FORMAT, "header": header})
    key = _aes_key(ephemeral.exchange(recipient), ephemeral_public, recipient_raw)
    plaintext = canonical({"bundle": document, "pdf": keys.b64(pdf)})
    ciphertext = keys.b64(AESGCM(key).encrypt(nonce, plaintext, aad))
    signed = canonical({"format": FORMAT, "header": header, "ciphertext": ciphertext})
    signature = keys.b64(keys.signing_key().sign(signed))
    return canonical(
        {"format": FORMAT, "header": header, "ciphertext": ciphertext, "signature": signature}
    )


@dataclass(frozen=True)
class Verified:
    """An envelope whose format, sender key and signature are good (not yet decrypted)."""

    envelope: dict[str, Any]
    header: dict[str, Any]
    sender_key_label: str
    issued_at: datetime
    expires_at: datetime
    sha256: str

    @property
    def bundle_id(self) -> str:
        return str(self.header["bundle_id"])

    @property
    def receiver_organisation_id(self) -> str:
        return str(self.header["receiver"]["organisation_id"])


def _text(mapping: Any, name: str) -> str:
    value = mapping.get(name) if isinstance(mapping, dict) else None
    if not isinstance(value, str) or not value:
        raise BundleRefused("malformed", f"This is not a Safecase transfer bundle: no {name}.")
    return value


def _moment(header: dict[str, Any], name: str) -> datetime:
    moment = parse_datetime(_text(header, name))
    if moment is None or timezone.is_naive(moment):
        raise BundleRefused("malformed", f"The bundle's {name} is not a time with its zone.")
    return moment


def verify(raw: bytes, *, check_expiry: bool = True) -> Verified:
    """Check the envelope's format, that its sender key is trusted and that its signature
    holds over everything it carries; then that it has not expired."""
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise BundleRefused("malformed", "The bundle is larger than a transfer may be (25 MB).")
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleRefused(
            "malformed", "This is not a Safecase transfer bundle (not JSON)."
        ) from exc
    if not isinstance(envelope, dict):
        raise BundleRefused("malformed", "This is not a Safecase transfer bundle.")
    format_name = _text(envelope, "format")
    if format_name != FORMAT:
        raise BundleRefused(
            "unknown_format",
            f"The bundle's format {format_name[:60]!r} is not one this Safecase reads "
            f"(it reads {FORMAT}).",
        )
    header = envelope.get("header")
    ciphertext = _text(envelope, "ciphertext")
    signature = _text(envelope, "signature")
    key_id = _text(header, "signing_key_id")
    for name in ("bundle_id", "issued_at", "expires_at"):
        _text(header, name)
    assert isinstance(header, dict)
    for part in ("sender", "receiver"):
        _text(header.get(part), "organisation_id")
    trusted = keys.trusted_senders().get(key_id)
    if trusted is None:
        raise BundleRefused(
            "unknown_sender_key",
            f"The bundle is signed with a key this Safecase does not trust ({key_id[:40]}): "
            "ask the operator to add the sending installation's public key.",
        )
    signed = canonical({"format": format_name, "header": header, "ciphertext": ciphertext})
    try:
        trusted.key.verify(keys.unb64(signature, "The signature"), signed)
    except (InvalidSignature, keys.TransferKeyError) as exc:
        raise BundleRefused(
            "tampered",
            "The bundle's signature does not match its content: it was changed after it was "
            "signed. Nothing was imported; ask the sender to send it again.",
        ) from exc
    issued_at, expires_at = _moment(header, "issued_at"), _moment(header, "expires_at")
    if check_expiry and expires_at <= timezone.now():
        raise BundleRefused(
            "expired",
            f"The bundle expired on {timezone.localtime(expires_at):%d %b %Y %H:%M}: ask the "
            "sender to resend it.",
        )
    receiver_id = str(header["receiver"]["organisation_id"]).lower()
    if not trusted.may_send_to(receiver_id):
        raise BundleRefused(
            "unknown_sender_key",
            f"The sending key ({key_id[:40]}) is trusted here only for other organisations "
            "than the one this bundle is for.",
        )
    return Verified(
        envelope=envelope,
        header=header,
        sender_key_label=trusted.label,
        issued_at=issued_at,
        expires_at=expires_at,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def decrypt(verified: Verified, private: X25519PrivateKey) -> tuple[dict[str, Any], bytes]:
    """The bundle's document and PDF, decrypted with this installation's key and checked
    against the signed header."""
    header = verified.header
    encryption = header.get("encryption")
    if not isinstance(encryption, dict) or encryption.get("algorithm") != ALGORITHM:
        raise BundleRefused("unknown_format", "The bundle uses an encryption this Safecase lacks.")
    own = _raw(private.public_key())
    if encryption.get("recipient_key_id") != keys.fingerprint(own):
        raise BundleRefused(
            "not_for_this_installation",
            "The bundle was encrypted for another installation's key, not this one's.",
        )
    try:
        ephemeral = keys.unb64(encryption.get("ephemeral_public_key"), "The ephemeral key")
        nonce = keys.unb64(encryption.get("nonce"), "The nonce")
        ciphertext = keys.unb64(verified.envelope["ciphertext"], "The ciphertext")
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        key = _aes_key(shared, ephemeral, own)
        aad = canonical({"format": FORMAT, "header": header})
        plaintext = json.loads(AESGCM(key).decrypt(nonce, ciphertext, aad))
        document, pdf = plaintext["bundle"], keys.unb64(plaintext["pdf"], "The PDF")
    except (InvalidTag, ValueError, KeyError, TypeError, keys.TransferKeyError) as exc:
        raise BundleRefused(
            "tampered", "The bundle could not be decrypted: it is damaged or was changed."
        ) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleRefused("tampered", "The bundle's content is not a transfer document.")
    for name in ("bundle_id",):
        if document.get(name) != header.get(name):
            raise BundleRefused("tampered", "The bundle's content does not match its envelope.")
    for part in ("sender", "receiver"):
        found = document.get(part)
        inner: dict[str, Any] = found if isinstance(found, dict) else {}
        if inner.get("organisation_id") != header[part]["organisation_id"]:
            raise BundleRefused("tampered", "The bundle's content does not match its envelope.")
    return document, pdf
