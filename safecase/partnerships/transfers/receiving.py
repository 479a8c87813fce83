"""Reading what a verified bundle says about the person, defensively: a bundle from another
installation is signed by a trusted key, but its fields are still checked before they reach a
record of ours."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from safecase.core.errors import DomainError
from safecase.partnerships.transfers import keys
from safecase.people.identifiers import IdentifierScheme, InvalidIdentifier, normalise_identifier
from safecase.people.models import Gender, PersonKind, VulnerabilityFlag


def _text(data: dict[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name)
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def person_fields(data: Any) -> dict[str, Any]:
    """The bundle's person as person fields; unknown kinds, genders and flags fall back to
    'not known' / are left out rather than refusing the whole file."""
    if not isinstance(data, dict):
        raise DomainError("The file names no person: link it to an existing person instead.")
    born: date | None = None
    raw_dob = data.get("date_of_birth")
    if isinstance(raw_dob, str) and raw_dob:
        try:
            born = date.fromisoformat(raw_dob)
        except ValueError:
            born = None
    flags = [
        f.get("code")
        for f in data.get("flags", [])
        if isinstance(f, dict) and f.get("code") in VulnerabilityFlag.values
    ]
    kind = data.get("kind") if data.get("kind") in PersonKind.values else PersonKind.CHILD
    gender = data.get("gender") if data.get("gender") in Gender.values else Gender.NOT_KNOWN
    return {
        "kind": kind,
        "given_names": _text(data, "given_names"),
        "family_name": _text(data, "family_name"),
        "preferred_name": _text(data, "preferred_name"),
        "date_of_birth": born,
        "gender": gender,
        "flags": flags,
    }


def identifiers(data: Any) -> list[tuple[str, str]]:
    if not isinstance(data, dict):
        return []
    found = []
    for item in data.get("identifiers", []):
        if not isinstance(item, dict):
            continue
        scheme, value = item.get("scheme"), item.get("value")
        if scheme in IdentifierScheme.values and isinstance(value, str) and value.strip():
            try:
                normalise_identifier(str(scheme), value.strip()[:64])
            except InvalidIdentifier:
                # Kept in the received file as sent; not put on our record unchecked.
                continue
            found.append((str(scheme), value.strip()[:64]))
    return found


def recipient_of(raw: bytes) -> X25519PublicKey:
    """The public key an earlier bundle was encrypted to (for a resend to the same receiver)."""
    header = json.loads(raw)["header"]
    return keys.receiver_public_key(header["encryption"]["recipient_public_key"])
