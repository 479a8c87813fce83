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
