"""The installation's transfer keys and the senders it trusts (ADR 0017).

- Signing: Ed25519, ``SAFECASE_TRANSFER_SIGNING_KEY`` (base64 of the 32-byte private seed).
- Receiving: X25519, ``SAFECASE_TRANSFER_ENCRYPTION_KEY`` (base64 of the 32-byte private key);
  its public half is what other installations encrypt to.
- Trusted senders: ``SAFECASE_TRANSFER_TRUSTED_SENDERS``, a comma-separated list of
  ``label=<base64 Ed25519 public key>``; this installation's own key is always trusted.

When a key is not configured it is derived from ``SECRET_KEY`` (HKDF-SHA256, one label per
key), so a development machine and the tests need nothing more; in production set both
explicitly, so that rotating the secret key does not change the installation's identity.
Keys are read at call time (``override_settings`` works in tests).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from safecase.core.errors import DomainError


class TransferKeyError(DomainError):
    """A transfer key in the settings, or one given by a user, is unusable."""


def _raw(value: object) -> bytes:
    if isinstance(value, X25519PublicKey | Ed25519PublicKey):
        return value.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raise TypeError("not a public key")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise TransferKeyError(f"{what} must be base64 text.")
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TransferKeyError(f"{what} is not valid base64.") from exc


def _derived(label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(
        settings.SECRET_KEY.encode()
    )


def _secret(name: str, label: bytes) -> bytes:
    configured = getattr(settings, name, "") or ""
    if not configured:
        return _derived(label)
    raw = unb64(configured, name)
    if len(raw) != 32:
        raise TransferKeyError(f"{name} must be the base64 of exactly 32 bytes.")
    return raw


def signing_key() -> Ed25519PrivateKey:
    seed = _secret("SAFECASE_TRANSFER_SIGNING_KEY", b"safecase transfer signing key")
    return Ed25519PrivateKey.from_private_bytes(seed)


def encryption_key() -> X25519PrivateKey:
    raw = _secret("SAFECASE_TRANSFER_ENCRYPTION_KEY", b"safecase transfer encryption key")
    return X25519PrivateKey.from_private_bytes(raw)


def fingerprint(public: bytes) -> str:
    """A key's id: ``sc-`` and the first 20 hex digits of the SHA-256 of its raw bytes."""
    return "sc-" + hashlib.sha256(public).hexdigest()[:20]


def signing_public() -> bytes:
    return _raw(signing_key().public_key())


def encryption_public() -> bytes:
    return _raw(encryption_key().public_key())


def signing_key_id() -> str:
    return fingerprint(signing_public())


def installation_name() -> str:
    return str(getattr(settings, "SAFECASE_INSTALLATION_NAME", "") or "Safecase")


@dataclass(frozen=True)
class TrustedSender:
    label: str
    key: Ed25519PublicKey
    # The organisations here it may send to (their ids); empty: any organisation here.
    organisations: frozenset[str] = frozenset()

    def may_send_to(self, organisation_id: str) -> bool:
        return not self.organisations or organisation_id in self.organisations


def parse_trusted(raw: str) -> dict[str, TrustedSender]:
    """``label=<base64 Ed25519 public key>[@<org id>;<org id>...],...`` into {key id:
    TrustedSender}: a sender trusted by the whole installation, or only for the organisations
    listed after ``@`` (ids of organisations here)."""
    found: dict[str, TrustedSender] = {}
    for position, item in enumerate(raw.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        # The label never holds "=", base64 only at its end: split on the first one.
        label, sep, encoded = item.partition("=")
        if not sep or not label.strip():
            raise TransferKeyError(f"Trusted sender {position} must look like 'label=<base64>'.")
        encoded, _, only = encoded.partition("@")
        organisations = frozenset(o.strip().lower() for o in only.split(";") if o.strip())
        public = unb64(encoded, f"Trusted sender {position}")
        if len(public) != 32:
            raise TransferKeyError(f"Trusted sender {position} is not an Ed25519 public key.")
        found[fingerprint(public)] = TrustedSender(
            label=label.strip(),
            key=Ed25519PublicKey.from_public_bytes(public),
            organisations=organisations,
        )
    return found


def trusted_senders() -> dict[str, TrustedSender]:
    """The sender keys this installation accepts bundles from, by key id (its own included)."""
    found = parse_trusted(str(getattr(settings, "SAFECASE_TRANSFER_TRUSTED_SENDERS", "") or ""))
    own = signing_key().public_key()
    found[fingerprint(_raw(own))] = TrustedSender(label=installation_name(), key=own)
    return found


def receiver_public_key(encoded: str) -> X25519PublicKey:
    """Another installation's published X25519 public key, as a user pastes it."""
    raw = unb64(encoded, "The receiving installation's public key")
    if len(raw) != 32:
        raise TransferKeyError(
            "The receiving installation's public key must be 32 bytes (base64, 44 characters)."
        )
    return X25519PublicKey.from_public_bytes(raw)
