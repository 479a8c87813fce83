"""Identifier schemes for people, validated where the scheme has a check digit (python-stdnum)."""

from __future__ import annotations

from django.db import models
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import nhs, upn


class IdentifierScheme(models.TextChoices):
    NHS = "nhs", "NHS number"
    UPN = "upn", "Unique Pupil Number (UPN)"
    LA_CHILD_ID = "la_child_id", "Local authority child ID"
    OTHER = "other", "Other reference"


class InvalidIdentifier(ValueError):  # noqa: N818 - reads as a sentence
    """The value does not fit its scheme; the message is safe to show."""


def normalise_identifier(scheme: str, value: str) -> str:
    """The canonical form used for matching and uniqueness, or InvalidIdentifier.

    NHS numbers (10 digits, modulus 11) and UPNs (13 characters, check letter first) are checked;
    other schemes are trimmed and upper-cased only.
    """
    raw = value.strip()
    if not raw:
        raise InvalidIdentifier("Enter the identifier.")
    try:
        if scheme == IdentifierScheme.NHS:
            return str(nhs.validate(raw))
        if scheme == IdentifierScheme.UPN:
            return str(upn.validate(raw))
    except StdnumError as exc:
        label = IdentifierScheme(scheme).label
        raise InvalidIdentifier(
            f"That is not a valid {label}: check it against the original "
            f"(the check {'digit' if scheme == IdentifierScheme.NHS else 'letter'} does not match)."
        ) from exc
    return " ".join(raw.upper().split())[:64]
