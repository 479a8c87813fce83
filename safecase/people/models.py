"""People a record can be about: children, adults at risk, adults subject of an allegation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from safecase.core.models import BaseModel
from safecase.people.identifiers import IdentifierScheme


class PersonKind(models.TextChoices):
    CHILD = "child", "Child"
    ADULT_AT_RISK = "adult_at_risk", "Adult at risk"
    ADULT_CONCERNED = "adult_concerned", "Adult who is the subject of a concern or allegation"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other or self-described"
    NOT_KNOWN = "not_known", "Not known"


class VulnerabilityFlag(models.TextChoices):
    """Shown wherever the person appears (P2). Organisations add their own in a later issue."""

    LOOKED_AFTER = "looked_after", "Looked-after child"
    SEND = "send", "SEND"
    YOUNG_CARER = "young_carer", "Young carer"
    CP_PLAN = "cp_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    EAL = "eal", "English as an additional language"


class Person(BaseModel):
    """A person known to one organisation. Seen by the organisation's safeguarding team (subject
    to restriction) and by partner organisations only through a share grant. Reporters never
    browse people; they name them when recording a concern.

    A merged person keeps its row, pointing at the survivor (``merged_into``), so nothing that
    referred to it is lost.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=PersonKind.choices, default=PersonKind.CHILD)
    given_names = models.CharField("Legal given names", max_length=200)
    family_name = models.CharField("Legal family name", max_length=200)
    preferred_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.NOT_KNOWN)
    flags = models.JSONField(default=list, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            models.Index(fields=("organisation", "family_name", "given_names")),
            models.Index(fields=("organisation", "date_of_birth")),
            models.Index(fields=("organisation", "created_at")),
            # The duplicate check's same-family-name match (iexact: UPPER(...) on PostgreSQL).
            models.Index(
                models.F("organisation"), Upper("family_name"), name="people_org_family_upper"
            ),
        )

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.given_names
        return f"{given} {self.family_name}".strip()

    @property
    def flag_labels(self) -> list[str]:
        labels = dict(VulnerabilityFlag.choices)
        return [str(labels.get(code, code)) for code in self.flags]


class PersonIdentifier(BaseModel):
    """An identifier such as an NHS number or UPN, stored normalised for matching."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identifiers")
    scheme = models.CharField(max_length=16, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=64)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "scheme", "value"), name="uniq_identifier_per_org"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class RelationshipKind(models.TextChoices):
    HOUSEHOLD = "household", "Household member"
    FAMILY = "family", "Family"
    PROFESSIONAL = "professional", "Professional"
    OTHER = "other", "Other"


class Relationship(BaseModel):
    """Someone in a person's life: another person record, or just a name and a role."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships")
    related_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, choices=RelationshipKind.choices)
    description = models.CharField(max_length=200, help_text="e.g. mother, GP, social worker")
    contact = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.description} of {self.person_id}"


class ChronologyItem(models.Model):
    """One line of a person's chronology (P3): a concern about them, or something that followed
    it (a triage decision, an action, an addendum), or something on a case about them (its
    opening, a stage move, a risk assessment, a referral, a decision...), one row per person the
    record is about.

    A projection kept by the actions that change its sources (in their transaction), not a
    record of its own: it can be rebuilt from them at any time (``manage.py chronology_rebuild``).
    It exists so that a chronology page is one index range, whatever the number of entries and
    sources (ADR 0010). It carries what the visibility rule needs (the owning organisation, the
    governing record's key, whether it is on the low-level log, its recorder), so a row is shown
    exactly to those who may see the record it belongs to (``concerns.selectors``).
    """

    # Indexed only where a query filters on it: lines are read by person (the page index below,
    # which the person's organisation implies), and found by concern or by source to be kept.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, db_index=False
    )
    # A projection never holds its sources back: were a person or a concern ever deleted (by a
    # retention rule, say), their lines would go with them.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The record that decides who may see this line, and what the rule needs of it: whether it
    # is on the low-level log (R8), and who recorded it (a recorder sees their own concerns).
    # Exactly one of the two: a concern's line, or a case's (issue 4; cases/chronology.py).
    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.CASCADE, related_name="+", null=True
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", null=True, db_index=False
    )
    low_level = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        null=True,
    )
    # What the chronology's filters compare: when the record it belongs to happened (a concern's
    # own time), and the lead's significance mark.
    happened_at = models.DateTimeField(null=True)
    significant = models.BooleanField(default=False)
    # The source: its kind (also its place among lines of the same moment) and key.
    rank = models.PositiveSmallIntegerField()
    source_id = models.UUIDField()
    when = models.DateTimeField()
    approximate = models.BooleanField(default=False)
    title = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    # A concern's line: its category keys, comma-separated; their labels are read with the page.
    categories = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("person", "source_id"), name="uniq_chronology_line"),
            models.CheckConstraint(
                condition=models.Q(concern__isnull=False, case__isnull=True)
                | models.Q(concern__isnull=True, case__isnull=False),
                name="chronology_line_has_one_source",
            ),
        )
        indexes = (
            # A page of one person's chronology, newest first, in keyset order.
            models.Index(fields=("person", "when", "rank", "source_id"), name="chronology_page"),
            # The page's "N of M entries" count, read from the index alone: through the page
            # index it read every line's row for its organisation (2 ms for 1,000 lines).
            models.Index(fields=("person", "organisation", "low_level"), name="chronology_count"),
            models.Index(fields=("source_id",), name="chronology_source"),
            # A case's lines, found to be kept when a subject joins or leaves it.
            models.Index(fields=("case", "person"), name="chronology_case"),
        )

    def __str__(self) -> str:
        return f"{self.title} ({self.when:%Y-%m-%d})"
