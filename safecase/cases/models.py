"""Cases: a situation worked through the case management cycle, its concerns, the people it is
about, its team and the history of its stages.

Every row carries ``organisation`` (the owner), so the visibility rule of ``access.scoping``
applies and a later move to partitioning by organisation stays open. The rows about a case
(concerns, subjects, team, stages) are seen by whoever may see the case itself; their
selectors always start from ``cases_visible_to``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safecase.cases.choices import CaseKind, CaseStatus, Stage, SubjectRole, TeamRole, Workflow
from safecase.core.models import BaseModel


class CaseType(models.Model):
    """A kind of case (W1): child protection, early help, an allegation... Rows with no
    organisation are the shipped defaults, offered to every organisation; an organisation
    adds its own. ``workflow`` chooses its table of stage moves (transitions.py); ``kind``
    says whose records it belongs with (low-level concerns stay on the lead's log).
    Seen by anyone in the organisation who may see cases."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True
    )
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=CaseKind.choices, default=CaseKind.CHILD)
    workflow = models.CharField(max_length=12, choices=Workflow.choices)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "label")
        constraints = (
            models.UniqueConstraint(fields=("organisation", "code"), name="uniq_case_type_code"),
        )

    def __str__(self) -> str:
        return self.label


class Case(BaseModel):
    """One situation worked through the case management cycle: what it is called, its type,
    where it is (stage) and whether it is open.

    Seen by the organisation's safeguarding team (case.view), subject to restriction: a case
    restricted to named people (W11, a RecordRestriction on it) is seen by them alone, not even
    by the lead or the auditor unless named, and is never listed or counted for anyone else. A
    low-level case only by those who may see the low-level log. Shared with a partner agency
    only by a share grant. Changed only through cases.actions, under ``version``.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=24, choices=Stage.choices, default=Stage.REPORTING)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "reference"), name="uniq_case_reference"
            ),
            # Status is the stage's shadow, kept for the open-cases filter; they never disagree.
            models.CheckConstraint(
                condition=(Q(stage=Stage.CLOSED, status=CaseStatus.CLOSED, closed_at__isnull=False))
                | (~Q(stage=Stage.CLOSED) & Q(status=CaseStatus.OPEN, closed_at__isnull=True)),
                name="case_status_follows_stage",
            ),
        )
        indexes = (
            # The case list: newest first, optionally only open (or closed) ones.
            models.Index(fields=("organisation", "opened_at", "id")),
            models.Index(fields=("organisation", "status", "opened_at", "id")),
        )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class CaseSequence(models.Model):
    """The last case number given in an organisation, so references are short and in order.
    Locked by case_open; seen by nobody (references are shown on their cases)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, primary_key=True
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.last_number}"


class CaseConcern(BaseModel):
    """A concern that is part of a case (a concern may join a case that already exists, T4).
    Seen by whoever may see the case; the concern itself still only by those who may see it
    (a low-level concern on the lead's log stays the lead's)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_concerns")
    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.PROTECT, related_name="case_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("case", "concern"), name="uniq_case_concern"),
        )
        # The case page lists them in order; a concern's cases are found from the concern.
        indexes = (
            models.Index(fields=("case", "created_at")),
            models.Index(fields=("concern", "case")),
        )

    def __str__(self) -> str:
        return f"{self.concern_id} in {self.case_id}"


class CaseSubject(BaseModel):
    """A person the case is about (a child, an adult at risk) or, for an allegation or a
    low-level concern, the adult concerned. Seen by whoever may see the case; the person's
    record only by those who may see it."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="subjects")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=SubjectRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("case", "person"), name="uniq_case_subject"),
        )
        # The case page; and a person's cases, for their chronology.
        indexes = (
            models.Index(fields=("case", "created_at")),
            models.Index(fields=("person", "case")),
        )

    def __str__(self) -> str:
        return f"{self.person_id} ({self.role}) in {self.case_id}"


class CaseTeamMember(BaseModel):
    """Someone allocated to a case in a role (W9): its lead, a case worker, a member of the
    case management group, a decision maker. Allocations are never edited: a reallocation ends
    the previous one (``ended_at``, by whom, why) and starts a new row, so the history of who
    held the case, and why it moved, stays. Seen by whoever may see the case."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=24, choices=TeamRole.choices)
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = (
            # One current lead per case; nobody holds the same role twice at once.
            models.UniqueConstraint(
                fields=("case",),
                condition=Q(role=TeamRole.LEAD, ended_at__isnull=True),
                name="uniq_current_case_lead",
            ),
            models.UniqueConstraint(
                fields=("case", "user", "role"),
                condition=Q(ended_at__isnull=True),
                name="uniq_current_allocation",
            ),
        )
        indexes = (
            models.Index(fields=("case", "allocated_at")),
            # Caseload per worker: their current allocations.
            models.Index(fields=("organisation", "user", "ended_at")),
        )

    def __str__(self) -> str:
        return f"{self.user_id} as {self.role} on {self.case_id}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class StageChange(BaseModel):
    """One move of a case from a stage to another (W2): who moved it, when and why. The first
    row of every case is its opening (from no stage to reporting). Append-only: written by
    case_open and case_advance_stage, never changed. Seen by whoever may see the case."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=24, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=24, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        indexes = (models.Index(fields=("case", "created_at")),)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_stage or 'opened'} -> {self.to_stage}"
