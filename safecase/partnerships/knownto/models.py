"""'Known to' (M7): may a practitioner learn that a person is known to another member of their
partnership, without any organisation's records being exposed? (ADR 0016, docs/known-to.md.)

Three records:

- ``KnownToDigest``: the index. One row per (person, kind of digest): an HMAC-SHA256 of a
  normalised identifier (NHS number, UPN, local authority child ID, other reference) or of
  name + date of birth, under the installation's known-to key. It holds the organisation, the
  digest kind and the digest, and the person's key only so that the row can be kept current
  and so that a restriction set later is honoured at once; never the identifier, the name or
  the date. Read only by the check (``selectors.matching_organisations``); no page or API
  lists it. Kept current by the people actions (``index.refresh_person``), rebuilt in bulk by
  ``manage.py known_to_rebuild``.
- ``KnownToContact``: whom another organisation should contact when a check says "known to
  us": a role and a mailbox, set by the organisation's lead or administrator. Shown to members
  of partner organisations who get a match; the organisation's own members see it on the
  settings page.
- ``KnownToCheck`` and ``KnownToMatch``: one check asked, by whom, for what purpose, with which
  kinds of digest (never the identifiers themselves), and the answer given (the organisations
  and the contacts as they stood then). Seen only by the practitioner who asked; the asker's
  organisation's audit chain holds the same facts. The checks also count towards the asker's
  hourly limit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecase.core.models import BaseModel


class DigestKind(models.TextChoices):
    NHS = "nhs", "NHS number"
    UPN = "upn", "Unique Pupil Number (UPN)"
    LA_CHILD_ID = "la_child_id", "Local authority child ID"
    OTHER = "other", "Other reference"
    NAME_DOB = "name_dob", "Name and date of birth"


class KnownToDigest(models.Model):
    """One keyed digest of one person's identifier or name and date of birth (see the module
    docstring). A projection: rebuildable at any time from the people records."""

    id = models.BigAutoField(primary_key=True)
    # A check looks digests up across organisations (the lookup index below); the people
    # actions replace one person's rows; a rebuild replaces one organisation's.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    digest_kind = models.CharField(max_length=12, choices=DigestKind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = (
            models.Index(
                fields=("digest_kind", "digest", "organisation"), name="known_to_digest_lookup"
            ),
        )

    def __str__(self) -> str:
        return f"{self.digest_kind} digest of {self.person_id}"


class KnownToContact(BaseModel):
    """Whom partners contact when a check finds a person known to this organisation: a role
    (e.g. "MASH police desk") and a mailbox. One per organisation; changed under ``version``
    by its lead or administrator."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="known_to_contact"
    )
    role = models.CharField(max_length=200)
    mailbox = models.EmailField(max_length=254)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.role} <{self.mailbox}>"


class KnownToCheck(BaseModel):
    """A practitioner asked whether a person is known to partners. Holds the purpose they gave
    and which kinds of digest they asked with, never the values. Seen by the asker only.
    Immutable."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    purpose = models.TextField()
    digest_kinds = models.JSONField(default=list)
    matched = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = (
            # The hourly limit: one user's recent checks.
            models.Index(fields=("asked_by", "created_at"), name="known_to_check_rate"),
            models.Index(fields=("organisation", "created_at"), name="known_to_check_org"),
        )

    def __str__(self) -> str:
        return f"Known-to check {self.pk}"


class KnownToMatch(BaseModel):
    """One organisation a check found the person known to, with its contact as it was shown.
    Says nothing of which record matched. Seen with its check."""

    check_made = models.ForeignKey(KnownToCheck, on_delete=models.PROTECT, related_name="matches")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organisation_name = models.CharField(max_length=200)
    contact_role = models.CharField(max_length=200, blank=True)
    contact_mailbox = models.CharField(max_length=254, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("check_made", "organisation"), name="uniq_known_to_match"
            ),
        )

    def __str__(self) -> str:
        return f"Known to {self.organisation_name}"
