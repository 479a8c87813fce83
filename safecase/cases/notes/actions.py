"""Writing case notes (and their addenda), recording supervision, setting schedules.

Every function here is the only way its change happens: it starts with the case's guard
(policy, visibility, ownership, open), refuses bad input with DomainError before writing
anything, guards records that change with ``version`` (a conditional UPDATE: a stale form gets
Conflict) and writes its audit event in the same transaction. Narrative text (facts,
opinions, discussions) stays out of the audit event's changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can, require
from safecase.accounts.models import User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.models import Case
from safecase.cases.notes import seams, selectors
from safecase.cases.notes.choices import NoteKind, NoteVisibility
from safecase.cases.notes.models import (
    EDIT_WINDOW_HOURS,
    CaseNote,
    CaseNoteAddendum,
    CaseNoteReader,
    CaseNoteRevision,
    SupervisionAction,
    SupervisionRecord,
    SupervisionSchedule,
)
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.people.models import ChronologyItem

TEXT_LIMIT = 20_000
# A few minutes' grace for a clock a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)
MAX_WEEKS = 52


class EditWindowClosedError(DomainError):
    """The note is older than the edit window: only an addendum may change what it says."""


def _require_note_writer(actor: Actor, case: Case) -> None:
    """Notes are written by those who work the case (case.manage) or supervise it."""
    guards.require_case_change(actor, case, Permission.CASE_VIEW)
    if not (
        can(actor, Permission.CASE_MANAGE, case) or can(actor, Permission.CASE_SUPERVISE, case)
    ):
        raise NotPermitted("Your role does not allow writing notes on a case.")


def _when(value: datetime | None, *, field: str, what: str) -> datetime:
    if value is None:
        raise DomainError(f"Give the date and time {what}.", field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + CLOCK_SKEW:
        raise DomainError(f"The date and time {what} cannot be in the future.", field=field)
    return value


def _text(value: str, what: str, *, field: str, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise DomainError(f"Give {what}.", field=field)
    if len(cleaned) > TEXT_LIMIT:
        raise DomainError(f"Keep {what} under {TEXT_LIMIT} characters.", field=field)
    return cleaned


def _note_event(case: Case, note: CaseNote) -> chronology.Event:
    return chronology.Event(
        case.pk, note.pk, note.occurred_at, seams.note_title(case.reference, note.kind), note.fact
    )


@transaction.atomic(durable=True)
def note_add(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    visibility: str,
    fact: str,
    occurred_at: datetime | None,
    opinion: str = "",
    named_people: list[User] | None = None,
) -> CaseNote:
    """Write a note on the case. ``named_people`` for a note restricted to named people: each
    must be able to see the case (the author always may read their own note)."""
    _require_note_writer(actor, case)
    assert actor.user is not None
    if kind not in NoteKind.values:
        raise DomainError("Choose the type of note.", field="kind")
    if visibility not in NoteVisibility.values:
        raise DomainError("Choose who may read the note.", field="visibility")
    fact = _text(fact, "the facts: what happened, was seen or was said", field="fact")
    opinion = _text(opinion, "your opinion", field="opinion", required=False)
    when = _when(occurred_at, field="occurred_at", what="of what the note records")
    readers = [u for u in dict.fromkeys(named_people or []) if u.pk != actor.user.pk]
    if visibility == NoteVisibility.NAMED:
        if not readers:
            raise DomainError(
                "Name at least one other person who may read the note.", field="named_people"
            )
        for user in readers:
            if not selectors.may_see_case(case, user):
                raise DomainError(
                    f"{user.full_name or user.email} cannot see this case, so cannot be named "
                    "on a note.",
                    field="named_people",
                )
    elif readers:
        raise DomainError(
            "Name people only for a note restricted to named people.", field="named_people"
        )
    note = CaseNote.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        kind=kind,
        visibility=visibility,
        fact=fact,
        opinion=opinion,
        occurred_at=when,
        author=actor.user,
    )
    CaseNoteReader.objects.bulk_create([CaseNoteReader(note=note, user=u) for u in readers])
    if visibility == NoteVisibility.SAFEGUARDING_TEAM:
        # Only whole-team notes: the chronology is read by everyone who may see the case.
        chronology.event_added(case, _note_event(case, note))
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_NOTE_ADDED,
        subject=note,
        changes={
            "case": case.pk,
            "kind": kind,
            "visibility": visibility,
            "named_people": sorted(str(u.pk) for u in readers),
        },
    )
    return note


@transaction.atomic(durable=True)
def note_edit(
    *,
    actor: Actor,
    note: CaseNote,
    version: int,
    kind: str,
    fact: str,
    occurred_at: datetime | None,
    opinion: str = "",
) -> CaseNote:
    """Change a note's text, by its author within 24 hours of writing it; the text before
    the edit is kept (who, when, what it said). Who may read it is fixed when it is written."""
    case = note.case
    _require_note_writer(actor, case)
    assert actor.user is not None
    if not selectors.notes_visible_to(actor).filter(pk=note.pk).exists():
        raise NotPermitted("Not found.")
    if note.author_id != actor.user.pk:
        raise DomainError(
            "Only the note's author can edit it. Add an addendum to correct or add to it."
        )
    if not selectors.is_editable(note, actor):
        raise EditWindowClosedError(
            f"This note was written more than {EDIT_WINDOW_HOURS} hours ago, so it can no "
            "longer be edited. Add an addendum instead, saying why."
        )
    if kind not in NoteKind.values:
        raise DomainError("Choose the type of note.", field="kind")
    fact = _text(fact, "the facts: what happened, was seen or was said", field="fact")
    opinion = _text(opinion, "your opinion", field="opinion", required=False)
    when = _when(occurred_at, field="occurred_at", what="of what the note records")
    current = CaseNote.objects.select_for_update().filter(pk=note.pk, version=version).first()
    if current is None:
        raise guards.stale("This note")
    CaseNoteRevision.objects.create(
        note=note,
        edited_by=actor.user,
        version=current.version,
        kind=current.kind,
        fact=current.fact,
        opinion=current.opinion,
        occurred_at=current.occurred_at,
    )
    now = timezone.now()
    updated = CaseNote.objects.filter(pk=note.pk, version=version).update(
        kind=kind,
        fact=fact,
        opinion=opinion,
        occurred_at=when,
        edited_at=now,
        updated_at=now,
        version=F("version") + 1,
    )
    if updated != 1:
        raise guards.stale("This note")
    note.refresh_from_db()
    if note.visibility == NoteVisibility.SAFEGUARDING_TEAM:
        # The line's date may move with occurred_at: write the note's lines again.
        ChronologyItem.objects.filter(source_id=note.pk, case_id=case.pk).delete()
        chronology.event_added(case, _note_event(case, note))
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_NOTE_EDITED,
        subject=note,
        changes={
            "version": [version, note.version],
            "kind": [current.kind, kind],
            "occurred_at": [current.occurred_at.isoformat(), when.isoformat()],
        },
    )
    return note


@transaction.atomic(durable=True)
def note_add_addendum(*, actor: Actor, note: CaseNote, reason: str, text: str) -> CaseNoteAddendum:
    """Correct or add to a note (at any time, by anyone who may read it and write notes);
    the note stays as it was."""
    case = note.case
    _require_note_writer(actor, case)
    assert actor.user is not None
    if not selectors.notes_visible_to(actor).filter(pk=note.pk).exists():
        raise NotPermitted("Not found.")
    why = guards.required_text(reason, "the reason for the addendum", limit=300)
    text = _text(text, "what you are adding or correcting", field="text")
    addendum = CaseNoteAddendum.objects.create(
        organisation_id=note.organisation_id,
        note=note,
        author=actor.user,
        reason=why,
        text=text,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_NOTE_ADDENDUM_ADDED,
        subject=note,
        reason=why,
        changes={"addendum": addendum.pk},
    )
    return addendum


def _supervision_event(case: Case, record: SupervisionRecord) -> chronology.Event:
    # The title only: what was discussed is the worker's and the supervisor's.
    return chronology.Event(
        case.pk, record.pk, record.held_at, seams.supervision_title(case.reference)
    )


def _member(case: Case, user_id: Any, *, field: str, what: str) -> User:
    user = User.objects.filter(
        pk=user_id, memberships__organisation_id=case.organisation_id, memberships__is_active=True
    ).first()
    if user is None:
        raise DomainError(f"Choose {what} from your organisation's members.", field=field)
    return user


@transaction.atomic(durable=True)
def supervision_record(
    *,
    actor: Actor,
    case: Case,
    supervisee: User,
    held_at: datetime | None,
    discussion: str,
    decisions: str = "",
    actions: list[dict[str, Any]] | None = None,
    next_session_on: date | None = None,
) -> SupervisionRecord:
    """Record reflective supervision on the case: the actor is the supervisor. ``actions``:
    [{"text", "owner" (a User, optional), "due_on" (optional, with an owner)}]."""
    guards.require_case_change(actor, case, Permission.CASE_SUPERVISE)
    assert actor.user is not None
    if supervisee.pk == actor.user.pk:
        raise DomainError("Choose the worker you supervised, not yourself.", field="supervisee")
    member = selectors.member_actor(case, supervisee)
    name = supervisee.full_name or supervisee.email
    if member is None:
        raise DomainError("Choose a member of your organisation.", field="supervisee")
    if not selectors.may_see_case(case, supervisee):
        raise DomainError(f"{name} cannot see this case.", field="supervisee")
    when = _when(held_at, field="held_at", what="of the session")
    discussion = _text(discussion, "what was discussed", field="discussion")
    decisions = _text(decisions, "the decisions", field="decisions", required=False)
    if next_session_on is not None and next_session_on <= timezone.localdate(when):
        raise DomainError("The next session must come after this one.", field="next_session_on")
    rows = []
    for i, item in enumerate(actions or []):
        text = " ".join(str(item.get("text", "")).split())
        owner, due_on = item.get("owner"), item.get("due_on")
        if not text:
            if owner is None and due_on is None:
                continue
            raise DomainError("Say what each action is.", field="actions")
        if len(text) > 500:
            raise DomainError("Keep each action under 500 characters.", field="actions")
        if (owner is None) != (due_on is None):
            raise DomainError(
                "Give an action's owner and its due date together, or neither.", field="actions"
            )
        if owner is not None:
            owner = _member(case, owner.pk, field="actions", what="each action's owner")
        rows.append((i, text, owner, due_on))
    record = SupervisionRecord.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        supervisor=actor.user,
        supervisee=supervisee,
        held_at=when,
        discussion=discussion,
        decisions=decisions,
        next_session_on=next_session_on,
    )
    SupervisionAction.objects.bulk_create(
        SupervisionAction(record=record, text=t, owner=o, due_on=d, position=i)
        for i, t, o, d in rows
    )
    chronology.event_added(case, _supervision_event(case, record))
    recorder.record(
        actor=actor,
        action=AuditAction.SUPERVISION_RECORDED,
        subject=record,
        changes={"case": case.pk, "supervisee": supervisee.pk, "actions": len(rows)},
    )
    return record


@transaction.atomic(durable=True)
def schedule_set(
    *,
    actor: Actor,
    worker: User,
    every_weeks: int,
    starts_on: date | None,
    version: int | None = None,
) -> SupervisionSchedule:
    """Set how often a worker is supervised (a new schedule, or a change to theirs under
    ``version``)."""
    require(actor, Permission.CASE_SUPERVISE)
    assert actor.user is not None and actor.organisation is not None
    if str(worker.pk) not in dict(selectors.supervisees_for(actor)):
        raise DomainError(
            "Choose a member of your organisation whose role lets them work cases.",
            field="worker",
        )
    if not isinstance(every_weeks, int) or not 1 <= every_weeks <= MAX_WEEKS:
        raise DomainError(
            f"Give the frequency as a number of weeks from 1 to {MAX_WEEKS}.", field="every_weeks"
        )
    if starts_on is None:
        raise DomainError("Give the date the schedule starts.", field="starts_on")
    if starts_on > timezone.localdate() + timedelta(days=366):
        raise DomainError("Start the schedule within the next year.", field="starts_on")
    existing = (
        SupervisionSchedule.objects.select_for_update()
        .filter(organisation_id=actor.organisation.pk, worker=worker)
        .first()
    )
    before: dict[str, Any] = {}
    if existing is None:
        if version is not None:
            raise guards.stale("This schedule")
        schedule = SupervisionSchedule.objects.create(
            organisation_id=actor.organisation.pk,
            worker=worker,
            every_weeks=every_weeks,
            starts_on=starts_on,
            set_by=actor.user,
        )
    else:
        if version is None:
            raise Conflict(
                f"{worker.full_name or worker.email} already has a supervision schedule: "
                "change that one (from the schedules page) rather than set another."
            )
        if version != existing.version:
            raise guards.stale("This schedule")
        before = {"every_weeks": existing.every_weeks, "starts_on": existing.starts_on.isoformat()}
        SupervisionSchedule.objects.filter(pk=existing.pk, version=version).update(
            every_weeks=every_weeks,
            starts_on=starts_on,
            set_by=actor.user,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        schedule = SupervisionSchedule.objects.get(pk=existing.pk)
    recorder.record(
        actor=actor,
        action=AuditAction.SUPERVISION_SCHEDULE_SET,
        subject=schedule,
        changes={
            "worker": worker.pk,
            "every_weeks": [before.get("every_weeks"), every_weeks],
            "starts_on": [before.get("starts_on"), starts_on.isoformat()],
        },
    )
    return schedule
