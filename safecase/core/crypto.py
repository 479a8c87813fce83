"""AES-256-GCM envelope for data Safecase stores encrypted (attachments first; fields later).

Why an envelope of our own rather than Fernet: Fernet is AES-128-CBC + HMAC and has no associated
data, while the security bar (D1) asks for AES-256-GCM bound to where the ciphertext belongs
(AAD such as ``attachment:<id>`` or ``table:row:field``) so that a blob copied to another record
fails to decrypt instead of silently showing one child's details on another child's file.

Blob layout (all of it is authenticated; the header is part of the AAD)::

    b"SC1" | key-id length (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext + tag (16)

The key id makes a blob self-describing, so rotation is just: add a new key to
``SAFECASE_FILE_KEYS``, point ``SAFECASE_FILE_KEY_ID`` at it, and keep the old key until every
blob written with it has been re-encrypted or purged. Nonces are random (96 bits): NIST limits one
key to about 2**32 messages that way, far beyond any attachment volume between rotations.

Keys are read from settings at call time, never at import time, so ``override_settings`` works
in tests and a rotated configuration takes effect on the next call.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"SC1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
# Key ids end up in every blob header and in an env variable ("id:base64,id:base64"), so they
# are short, ASCII and free of the separators.
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class DecryptionError(Exception):
    """A blob could not be decrypted: unknown key, not our format, truncated, or tampered with.

    The message never contains plaintext or key material. For a wrong key, wrong AAD or any
    changed byte, ``__cause__`` is the underlying ``cryptography.exceptions.InvalidTag``.
    """


class KeyConfigurationError(ValueError):
    """The encryption keys in the settings (or the env string they come from) are unusable."""


def parse_keys(raw: str) -> dict[str, bytes]:
    """Parse ``"k1:<base64 of 32 bytes>,k2:<base64>"`` into ``{"k1": b"...", "k2": b"..."}``.

    Used by the settings module so that a malformed key fails at start-up, naming the key id and
    the problem (but never echoing the secret). A blank string gives ``{}``: the settings decide
    whether running without keys is allowed (it is not in production).
    """
    keys: dict[str, bytes] = {}
    for position, item in enumerate(raw.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep:
            raise KeyConfigurationError(
                f"Encryption key entry {position} must look like 'id:<base64 of 32 bytes>'."
            )
        if not _KEY_ID.fullmatch(key_id):
            raise KeyConfigurationError(
                f"Encryption key id {key_id!r} must be 1-64 characters of A-Z, a-z, 0-9, _ . -"
            )
        if key_id in keys:
            raise KeyConfigurationError(f"Encryption key id {key_id!r} appears more than once.")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyConfigurationError(f"Encryption key {key_id!r} is not valid base64.") from exc
        if len(key) != KEY_BYTES:
            raise KeyConfigurationError(
                f"Encryption key {key_id!r} is {len(key)} bytes; AES-256 needs exactly "
                f'{KEY_BYTES}. Generate one with: python -c "import base64, os; '
                f'print(base64.b64encode(os.urandom(32)).decode())"'
            )
        keys[key_id] = key
    return keys


def _configured_keys() -> Mapping[str, bytes]:
    keys = getattr(settings, "SAFECASE_FILE_KEYS", None) or {}
    if not isinstance(keys, Mapping):
        raise KeyConfigurationError("SAFECASE_FILE_KEYS must be a mapping of key id to bytes.")
    return keys


def _checked_key(key_id: str, key: object) -> bytes:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise KeyConfigurationError(f"Encryption key {key_id!r} must be exactly {KEY_BYTES} bytes.")
    return key


def _current_key() -> tuple[str, bytes]:
    key_id = getattr(settings, "SAFECASE_FILE_KEY_ID", "") or ""
    keys = _configured_keys()
    if not key_id or key_id not in keys:
        raise KeyConfigurationError(
            "SAFECASE_FILE_KEY_ID must name one of the keys in SAFECASE_FILE_KEYS "
            "before anything can be stored encrypted."
        )
    if not _KEY_ID.fullmatch(key_id):
        raise KeyConfigurationError(f"Encryption key id {key_id!r} is not a valid key id.")
    return key_id, _checked_key(key_id, keys[key_id])


def _header(key_id: str) -> bytes:
    encoded = key_id.encode("ascii")
    return MAGIC + bytes([len(encoded)]) + encoded


def _require_aad(aad: bytes) -> None:
    # An empty AAD binds the blob to nothing, which is the mistake D1 exists to prevent.
    if not isinstance(aad, bytes) or not aad:
        raise ValueError("aad must be non-empty bytes naming where the data belongs.")


def encrypt(plaintext: bytes, *, aad: bytes) -> bytes:
    """Encrypt with the current key; ``aad`` names the record and field the data belongs to."""
    _require_aad(aad)
    key_id, key = _current_key()
    header = _header(key_id)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad)


def blob_key_id(blob: bytes) -> str:
    """The id of the key a blob was written with (for rotation jobs: re-encrypt the old ones)."""
    key_id, _ = _parse_header(blob)
    return key_id


def _parse_header(blob: bytes) -> tuple[str, int]:
    if not blob.startswith(MAGIC):
        raise DecryptionError("Not an encrypted Safecase blob (unknown format or version).")
    pos = len(MAGIC)
    if len(blob) <= pos:
        raise DecryptionError("Encrypted blob is truncated.")
    id_len = blob[pos]
    pos += 1
    raw_id = blob[pos : pos + id_len]
    if id_len == 0 or len(raw_id) != id_len:
        raise DecryptionError("Encrypted blob is truncated or has a malformed key id.")
    try:
        key_id = raw_id.decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionError("Encrypted blob has a malformed key id.") from exc
    if not _KEY_ID.fullmatch(key_id):
        raise DecryptionError("Encrypted blob has a malformed key id.")
    return key_id, pos + id_len


def decrypt(blob: bytes, *, aad: bytes) -> bytes:
    """Decrypt a blob from :func:`encrypt`, with the key named in its header.

    Raises :class:`DecryptionError` for an unknown key id, a foreign or truncated blob, a wrong
    AAD (the blob was moved to another record) or any altered byte.
    """
    _require_aad(aad)
    key_id, body_start = _parse_header(blob)
    keys = _configured_keys()
    if key_id not in keys:
        raise DecryptionError(f"No encryption key with id {key_id!r} is configured.")
    key = _checked_key(key_id, keys[key_id])
    if len(blob) < body_start + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("Encrypted blob is truncated.")
    header = blob[:body_start]
    nonce = blob[body_start : body_start + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[body_start + NONCE_BYTES :], header + aad)
    except InvalidTag as exc:
        raise DecryptionError(
            "Encrypted data failed authentication: wrong record (AAD), wrong key, or tampered."
        ) from exc
