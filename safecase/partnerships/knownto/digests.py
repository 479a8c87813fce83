"""Normalising identifiers and names, and the keyed digests the index holds (ADR 0016).

A digest is HMAC-SHA256 under the installation's known-to key of ``<kind>\\x1f<normalised
value>``: the kind is inside the MAC, so an NHS number and an "other reference" with the same
characters never collide. Without the key a digest cannot be tested against guesses (an NHS
number has under 10^9 valid values; a plain hash of one is reversed in seconds), so the key
lives in the settings, never in the database.

The key: ``SAFECASE_KNOWN_TO_KEY`` (setting or environment variable, at least 32 characters);
unset, it is derived from ``SECRET_KEY`` (HMAC-SHA256 of a fixed label), so that changing the
secret key changes it too. Changing the key makes every stored digest stale: run
``manage.py known_to_rebuild`` straight after.

Normalisation, the same for what is indexed and what is asked:

- identifiers: spaces and hyphens removed and upper-cased ("943 476 5919" = "943-476-5919"),
  and checked as the people app checks them (an NHS number's modulus 11, a UPN's check letter);
- names: Unicode NFKD with the accents dropped, case-folded, apostrophes removed, any other
  punctuation read as a space, whitespace collapsed, and the parts joined without spaces
  ("Smith-Jones" = "Smith Jones" = "SMITHJONES", "O'Brien" = "OBrien", "Zoë" = "Zoe");
- a date of birth: ISO 8601 (YYYY-MM-DD).

A person is indexed under name + date of birth with their full legal given names, their first
given name alone, and their preferred name, each with their family name, so "Jamie Lee
Example-Child" is found by "Jamie Example-Child" with the same date of birth.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from safecase.partnerships.knownto.models import DigestKind
from safecase.people.identifiers import IdentifierScheme, InvalidIdentifier, normalise_identifier

KEY_SETTING = "SAFECASE_KNOWN_TO_KEY"
MIN_KEY_LENGTH = 32
_DERIVATION_LABEL = b"safecase known-to index key v1"
_SEPARATOR = "\x1f"
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[\W_]+")

SCHEME_KINDS: dict[str, str] = {
    IdentifierScheme.NHS: DigestKind.NHS,
    IdentifierScheme.UPN: DigestKind.UPN,
    IdentifierScheme.LA_CHILD_ID: DigestKind.LA_CHILD_ID,
    IdentifierScheme.OTHER: DigestKind.OTHER,
}


def key() -> bytes:
    """The known-to key: the setting or environment variable, else derived from SECRET_KEY."""
    configured = getattr(settings, KEY_SETTING, None) or os.environ.get(KEY_SETTING, "")
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"{KEY_SETTING} must be at least {MIN_KEY_LENGTH} characters of random text."
            )
        return str(configured).encode("utf-8")
    return hmac.new(
        str(settings.SECRET_KEY).encode("utf-8"), _DERIVATION_LABEL, hashlib.sha256
    ).digest()


def _mac(secret: bytes, kind: str, value: str) -> str:
    message = f"{kind}{_SEPARATOR}{value}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def compact_identifier(value: str) -> str:
    """An identifier as matched: spaces and hyphens removed, upper-cased."""
    return re.sub(r"[\s\-\u2010-\u2015]+", "", value).upper()


def normalise_asked_identifier(scheme: str, value: str) -> str:
    """A typed identifier, validated as the people app validates it, then compacted.
    Raises InvalidIdentifier (its message is safe to show)."""
    if scheme not in SCHEME_KINDS:
        raise InvalidIdentifier("Choose a kind of identifier.")
    return compact_identifier(normalise_identifier(scheme, compact_identifier(value)))


def name_part(value: str) -> list[str]:
    """A name's parts as matched: accents dropped, case-folded, punctuation removed."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _APOSTROPHES.sub("", stripped.casefold())
    return [part for part in _NOT_WORD.sub(" ", folded).split() if part]


def name_keys(given_names: str, family_name: str, preferred_name: str = "") -> set[str]:
    """The name forms a person is indexed (or asked) under, each ``given|family``."""
    family = "".join(name_part(family_name))
    if not family:
        return set()
    given = name_part(given_names)
    forms = set()
    if given:
        forms.add("".join(given))
        forms.add(given[0])
    preferred = name_part(preferred_name)
    if preferred:
        forms.add("".join(preferred))
    return {f"{form}{_SEPARATOR}{family}" for form in forms}


def identifier_digest(scheme: str, normalised: str, *, secret: bytes | None = None) -> str:
    """The digest of an identifier already normalised (as stored, or as asked)."""
    return _mac(secret or key(), SCHEME_KINDS[scheme], compact_identifier(normalised))


def name_dob_digests(
    given_names: str,
    family_name: str,
    date_of_birth: date,
    preferred_name: str = "",
    *,
    secret: bytes | None = None,
) -> set[str]:
    secret = secret or key()
    born = date_of_birth.isoformat()
    return {
        _mac(secret, DigestKind.NAME_DOB, f"{form}{_SEPARATOR}{born}")
        for form in name_keys(given_names, family_name, preferred_name)
    }
