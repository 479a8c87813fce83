"""The AES-256-GCM envelope (security bar D1): binding to AAD, tamper evidence, key rotation."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidTag
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from safecase.core.crypto import (
    MAGIC,
    DecryptionError,
    KeyConfigurationError,
    blob_key_id,
    decrypt,
    encrypt,
    parse_keys,
)

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(32, 64))
AAD = b"attachment:42"


@pytest.fixture(autouse=True)
def one_key() -> Iterator[None]:
    with override_settings(SAFECASE_FILE_KEYS={"k1": KEY_1}, SAFECASE_FILE_KEY_ID="k1"):
        yield


def test_it_round_trips() -> None:
    assert decrypt(encrypt(b"Concern about child A", aad=AAD), aad=AAD) == b"Concern about child A"


def test_the_blob_names_its_format_and_key_and_hides_the_plaintext() -> None:
    blob = encrypt(b"canary-7f3a9c", aad=AAD)
    assert blob.startswith(MAGIC + b"\x02k1")
    assert blob_key_id(blob) == "k1"
    assert b"canary-7f3a9c" not in blob
    assert len(blob) == len(MAGIC) + 1 + 2 + 12 + len(b"canary-7f3a9c") + 16


def test_the_same_plaintext_encrypts_differently_each_time() -> None:
    assert encrypt(b"same", aad=AAD) != encrypt(b"same", aad=AAD)


def test_ciphertext_moved_to_another_record_fails_with_invalid_tag() -> None:
    blob = encrypt(b"police information", aad=b"attachment:42")
    with pytest.raises(DecryptionError) as caught:
        decrypt(blob, aad=b"attachment:43")
    assert isinstance(caught.value.__cause__, InvalidTag)


def test_every_single_changed_byte_is_detected() -> None:
    blob = encrypt(b"allegation details", aad=AAD)
    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt(bytes(tampered), aad=AAD)


def test_every_truncation_is_detected() -> None:
    blob = encrypt(b"health information", aad=AAD)
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            decrypt(blob[:length], aad=AAD)


def test_a_foreign_blob_is_refused_clearly() -> None:
    with pytest.raises(DecryptionError, match="unknown format"):
        decrypt(b"gAAAAABfernet-token", aad=AAD)


def test_the_same_key_id_with_other_key_bytes_fails() -> None:
    blob = encrypt(b"secret", aad=AAD)
    with (
        override_settings(SAFECASE_FILE_KEYS={"k1": KEY_2}),
        pytest.raises(DecryptionError) as caught,
    ):
        decrypt(blob, aad=AAD)
    assert isinstance(caught.value.__cause__, InvalidTag)


def test_rotation_keeps_old_blobs_readable_and_writes_with_the_new_key() -> None:
    old = encrypt(b"written before rotation", aad=AAD)
    with override_settings(
        SAFECASE_FILE_KEYS={"k1": KEY_1, "k2": KEY_2}, SAFECASE_FILE_KEY_ID="k2"
    ):
        assert decrypt(old, aad=AAD) == b"written before rotation"
        new = encrypt(b"written after rotation", aad=AAD)
        assert blob_key_id(new) == "k2"
        assert decrypt(new, aad=AAD) == b"written after rotation"


def test_an_unknown_key_id_fails_clearly() -> None:
    blob = encrypt(b"secret", aad=AAD)
    with (
        override_settings(SAFECASE_FILE_KEYS={"k2": KEY_2}, SAFECASE_FILE_KEY_ID="k2"),
        pytest.raises(DecryptionError, match="No encryption key with id 'k1'"),
    ):
        decrypt(blob, aad=AAD)


def test_an_empty_aad_is_refused() -> None:
    with pytest.raises(ValueError, match="aad"):
        encrypt(b"x", aad=b"")
    with pytest.raises(ValueError, match="aad"):
        decrypt(encrypt(b"x", aad=AAD), aad=b"")


@pytest.mark.parametrize(
    ("keys", "key_id"),
    [({}, ""), ({"k1": KEY_1}, "k9"), ({"k1": b"short"}, "k1"), ({"k1": "text"}, "k1")],
)
def test_encrypting_without_a_usable_current_key_fails_clearly(
    keys: dict[str, object], key_id: str
) -> None:
    with (
        override_settings(SAFECASE_FILE_KEYS=keys, SAFECASE_FILE_KEY_ID=key_id),
        pytest.raises(KeyConfigurationError),
    ):
        encrypt(b"x", aad=AAD)


@hypothesis_settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=2048), aad=st.binary(min_size=1, max_size=64))
def test_any_plaintext_round_trips_only_with_its_own_aad(plaintext: bytes, aad: bytes) -> None:
    blob = encrypt(plaintext, aad=aad)
    assert decrypt(blob, aad=aad) == plaintext
    with pytest.raises(DecryptionError):
        decrypt(blob, aad=aad + b"x")


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_parse_keys_reads_the_environment_format() -> None:
    raw = f" k1:{_b64(KEY_1)} , 2026-01:{_b64(KEY_2)} ,"
    assert parse_keys(raw) == {"k1": KEY_1, "2026-01": KEY_2}


def test_parse_keys_of_a_blank_string_is_empty() -> None:
    assert parse_keys("") == {}
    assert parse_keys("  ") == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (f"k1{_b64(KEY_1)}", "must look like 'id:<base64"),
        (f"k1:{_b64(b'x' * 16)}", "'k1' is 16 bytes; AES-256 needs exactly 32"),
        (f"k1:{_b64(b'x' * 33)}", "'k1' is 33 bytes"),
        ("k1:not*base64!", "'k1' is not valid base64"),
        (f"k1:{_b64(KEY_1)},k1:{_b64(KEY_2)}", "'k1' appears more than once"),
        (f"bad id:{_b64(KEY_1)}", "must be 1-64 characters"),
        (f":{_b64(KEY_1)}", "must be 1-64 characters"),
    ],
)
def test_parse_keys_explains_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(KeyConfigurationError, match=message.replace("(", r"\(")) as caught:
        parse_keys(raw)
    assert isinstance(caught.value, ValueError)
    secret = raw.partition(":")[2]
    assert not secret or secret not in str(caught.value)
