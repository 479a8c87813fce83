"""Case notes (with their revisions, named readers and addenda), reflective supervision on a
case, and each worker's supervision schedule.

Every row carries ``organisation`` (the owner), like the case's own rows. A note is read only
through ``selectors.notes_visible_to``: the case's visibility first (W11: a restricted case is
absent for everyone not named), then the note's own (case team, whole safeguarding team, named
people). Changed only through ``notes.actions``, under ``version``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecase.cases.notes.choices import NoteKind, NoteVisibility
from safecase.core.models import BaseModel

# A note can be edited by its author for this long after it is written; after that it is
# fixed, and corrections are addenda (the original stays, as for concerns).
EDIT_WINDOW_HOURS = 24


class CaseNote(BaseModel):
    """A note on a case: what kind, who may read it, the facts and (kept apart, and always
    labelled as such) the author's opinion, when what it records happened, and who wrote it.
    Seen by the readers its ``visibility`` names, among those who may see the case."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=24, choices=NoteKind.choices)
    visibility = models.CharField(max_length=20, choices=NoteVisibility.choices)
    fact = models.TextField()
    opinion = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            # The notes tab: newest first, optionally of one kind.
            models.Index(fields=("case", "occurred_at", "id")),
            models.Index(fields=("case", "kind", "occurred_at", "id")),
        )

    def __str__(self) -> str:
        return f"{self.kind} note on {self.case_id}"


class CaseNoteReader(models.Model):
    """One of the people a note restricted to named people is for. Seen with the note."""

    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="readers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (models.UniqueConstraint(fields=("note", "user"), name="uniq_note_reader"),)
        indexes = (models.Index(fields=("user", "note")),)

    def __str__(self) -> str:
        return f"{self.user_id} may read {self.note_id}"


class CaseNoteRevision(BaseModel):
    """The text of a note before one of its author's edits (within the 24 hours): who edited,
    when (``created_at``) and what it said. Append-only. Seen with the note."""

    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="revisions")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(help_text="The note's version this text was.")
    kind = models.CharField(max_length=24, choices=NoteKind.choices)
    fact = models.TextField()
    opinion = models.TextField(blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = (models.Index(fields=("note", "created_at")),)

    def __str__(self) -> str:
        return f"{self.note_id} v{self.version}"


class CaseNoteAddendum(BaseModel):
    """A correction or addition to a note, with its reason; the note stays as it was. Seen
    with the note."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    text = models.TextField()

    class Meta:
        indexes = (models.Index(fields=("note", "created_at")),)

    def __str__(self) -> str:
        return f"Addendum to {self.note_id}"


class SupervisionRecord(BaseModel):
    """Reflective supervision on a case: the supervisor (who holds case.supervise and records
    it), the worker supervised, when, what was discussed and decided, the next session.
    Append-only. Seen by those who may see the case and are its supervisee, on its current
    team, or hold case.supervise (selectors.supervision_visible_to)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="supervisions")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supervisee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField()
    discussion = models.TextField()
    decisions = models.TextField(blank=True)
    next_session_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            models.Index(fields=("case", "held_at")),
            # A worker's sessions, for their schedule.
            models.Index(fields=("organisation", "supervisee", "held_at")),
        )

    def __str__(self) -> str:
        return f"Supervision of {self.supervisee_id} on {self.case_id}"


class SupervisionAction(BaseModel):
    """An action agreed in supervision: its text, and optionally who owns it and by when."""

    record = models.ForeignKey(SupervisionRecord, on_delete=models.PROTECT, related_name="actions")
    text = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position",)
        constraints = (
            # An owner and a due date go together, or neither is given.
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True, due_on__isnull=True)
                | models.Q(owner__isnull=False, due_on__isnull=False),
                name="supervision_action_owner_with_due_date",
            ),
        )

    def __str__(self) -> str:
        return self.text


class SupervisionSchedule(BaseModel):
    """How often a worker is to be supervised, set by a supervisor: a session in every period
    of ``every_weeks`` weeks from ``starts_on``. A period that ended with no session is a
    missed session (selectors.schedule_status). Seen by holders of case.supervise and by the
    worker themselves."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    every_weeks = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "worker"), name="uniq_supervision_schedule"
            ),
        )

    def __str__(self) -> str:
        return f"Every {self.every_weeks} weeks for {self.worker_id}"
