"""Reading notes, supervision records and schedules: always from ``cases_visible_to``.

The case's visibility comes first (W11: a restricted case is absent for everyone not named, so
none of its notes is listed, counted or put in anyone's chronology), then the note's own:

- the whole safeguarding team: everyone who may see the case;
- the case team: the members currently allocated to the case, and the author. The
  organisation's lead sees these only while on the case's team: being the lead of the
  organisation is not being on the case (a note kept to the team is the team's);
- named people: those the author named, and the author. Invisible to everyone else, the lead
  included, and never counted: a count would say that something is being kept from them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Membership, User
from safecase.cases import selectors as case_selectors
from safecase.cases.models import Case, CaseTeamMember
from safecase.cases.notes.choices import NoteVisibility
from safecase.cases.notes.models import (
    EDIT_WINDOW_HOURS,
    CaseNote,
    CaseNoteAddendum,
    CaseNoteReader,
    CaseNoteRevision,
    SupervisionRecord,
    SupervisionSchedule,
)
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page

NOTES_PAGE = 20


def notes_visible_to(actor: Actor) -> QuerySet[CaseNote]:
    """The notes the actor may read, on every case they may see."""
    notes = CaseNote.objects.filter(case__in=case_selectors.cases_visible_to(actor).values("pk"))
    if actor.user is None:
        return notes.filter(visibility=NoteVisibility.SAFEGUARDING_TEAM)
    on_team = CaseTeamMember.objects.filter(
        case_id=OuterRef("case_id"), user_id=actor.user.pk, ended_at__isnull=True
    )
    named = CaseNoteReader.objects.filter(note_id=OuterRef("pk"), user_id=actor.user.pk)
    return notes.filter(
        Q(visibility=NoteVisibility.SAFEGUARDING_TEAM)
        | Q(author_id=actor.user.pk)
        | (Q(visibility=NoteVisibility.CASE_TEAM) & Exists(on_team))
        | (Q(visibility=NoteVisibility.NAMED) & Exists(named))
    )


def with_details(notes: QuerySet[CaseNote]) -> QuerySet[CaseNote]:
    """What the notes tab shows of each note, in a fixed number of queries."""
    return notes.select_related("author").prefetch_related(
        Prefetch("readers", queryset=CaseNoteReader.objects.select_related("user")),
        Prefetch(
            "addenda",
            queryset=CaseNoteAddendum.objects.select_related("author").order_by("created_at"),
        ),
        Prefetch(
            "revisions",
            queryset=CaseNoteRevision.objects.select_related("edited_by").order_by("-created_at"),
        ),
    )


def case_notes_page(
    actor: Actor, case: Case, *, kind: str = "", cursor: str | None = None
) -> KeysetPage[CaseNote]:
    """A page of the case's notes the actor may read, newest first, optionally of one kind."""
    notes = notes_visible_to(actor).filter(case_id=case.pk)
    if kind:
        notes = notes.filter(kind=kind)
    return keyset_page(
        with_details(notes), key=("-occurred_at", "-id"), cursor=cursor, size=NOTES_PAGE
    )


def is_editable(note: CaseNote, actor: Actor, *, now: Any = None) -> bool:
    """Whether the actor may still edit the note: its author, within the 24 hours."""
    now = now or timezone.now()
    return (
        actor.user is not None
        and note.author_id == actor.user.pk
        and now < note.created_at + timedelta(hours=EDIT_WINDOW_HOURS)
    )


def member_actor(case: Case, user: User) -> Actor | None:
    """The actor an active member of the case's organisation is, or None."""
    membership = (
        Membership.objects.filter(user=user, organisation_id=case.organisation_id, is_active=True)
        .prefetch_related("roles")
        .first()
    )
    if membership is None:
        return None
    return Actor(
        user=user, organisation=case.organisation, roles=frozenset(membership.role_names())
    )


def may_see_case(case: Case, user: User) -> bool:
    member = member_actor(case, user)
    return member is not None and (
        case_selectors.cases_visible_to(member).filter(pk=case.pk).exists()
    )


def readers_for(actor: Actor, case: Case) -> list[tuple[str, str]]:
    """Who a note may be restricted to: the members of the organisation (as choices); the
    action refuses anyone who could not see the case."""
    me = str(actor.user.pk) if actor.user else ""
    return [(pk, name) for pk, name in case_selectors.organisation_members(actor) if pk != me]


# --- Supervision ---------------------------------------------------------------------------


def supervision_visible_to(actor: Actor) -> QuerySet[SupervisionRecord]:
    """Supervision records on cases the actor may see, if they hold case.supervise, or are the
    record's supervisee, or are on the case's current team: reflective supervision is about a
    worker's practice, not for everyone who may read the case."""
    records = SupervisionRecord.objects.filter(
        case__in=case_selectors.cases_visible_to(actor).values("pk")
    )
    if actor.organisation is None or actor.user is None:
        return records.none()
    if can(actor, Permission.CASE_SUPERVISE):
        return records.filter(organisation_id=actor.organisation.pk)
    if actor.user is None:
        return records.none()
    on_team = CaseTeamMember.objects.filter(
        case_id=OuterRef("case_id"), user_id=actor.user.pk, ended_at__isnull=True
    )
    return records.filter(Q(supervisee_id=actor.user.pk) | Exists(on_team))


def case_supervisions(actor: Actor, case: Case) -> list[SupervisionRecord]:
    return list(
        supervision_visible_to(actor)
        .filter(case_id=case.pk)
        .select_related("supervisor", "supervisee")
        .prefetch_related("actions__owner")
        .order_by("-held_at")[: case_selectors.DETAIL_LIMIT]
    )


@dataclass
class Period:
    starts_on: date
    ends_on: date  # the last day of the period

    @property
    def label(self) -> str:
        return f"{self.starts_on:%-d %b %Y} to {self.ends_on:%-d %b %Y}"


@dataclass
class ScheduleStatus:
    """A worker's schedule as of today: their last session, when the next is due, and the
    periods that ended with no session (missed sessions)."""

    worker_id: uuid.UUID
    name: str
    schedule: SupervisionSchedule | None
    last_session: Any = None
    next_due: date | None = None
    missed: list[Period] = field(default_factory=list)
    open_cases: int | None = None


def schedule_status(
    schedule: SupervisionSchedule, sessions: list[date], *, today: date, name: str = ""
) -> ScheduleStatus:
    """Periods of ``every_weeks`` weeks from ``starts_on``: a period that ended before today
    with no session held in it is a missed session; the next session is due by the last day
    of the current period, or of the next one when the current period already had a session.
    ``sessions``: the dates of the worker's sessions (those the reader may see)."""
    length = timedelta(weeks=schedule.every_weeks)
    held = sorted(sessions)
    status = ScheduleStatus(
        worker_id=schedule.worker_id,
        name=name,
        schedule=schedule,
        last_session=held[-1] if held else None,
    )
    start = schedule.starts_on
    while True:
        end = start + length - timedelta(days=1)
        had_session = any(start <= day <= end for day in held)
        if end < today:
            if not had_session:
                status.missed.append(Period(start, end))
        else:
            # The current period (today within it), or one not begun yet.
            status.next_due = end + length if had_session else end
            return status
        start = end + timedelta(days=1)


def _session_dates(actor: Actor, worker_ids: list[Any]) -> dict[Any, list[date]]:
    dates: dict[Any, list[date]] = {pk: [] for pk in worker_ids}
    rows = (
        supervision_visible_to(actor)
        .filter(supervisee_id__in=worker_ids)
        .values_list("supervisee_id", "held_at")
    )
    for worker_id, held_at in rows:
        dates[worker_id].append(timezone.localdate(held_at))
    return dates


def supervision_overview(actor: Actor) -> list[ScheduleStatus]:
    """For a holder of case.supervise: every worker with a schedule or an open case, their
    last session, next due date, missed sessions and (from cases.selectors.caseload, counted
    from the cases the reader may see) their open cases. A fixed number of queries."""
    if actor.organisation is None or not can(actor, Permission.CASE_SUPERVISE):
        return []
    schedules = list(
        SupervisionSchedule.objects.filter(organisation_id=actor.organisation.pk).select_related(
            "worker"
        )
    )
    caseload = {row.user_id: row for row in case_selectors.caseload(actor)}
    ids = list({*(s.worker_id for s in schedules), *caseload})
    sessions = _session_dates(actor, ids)
    today = timezone.localdate()
    rows: dict[Any, ScheduleStatus] = {}
    for schedule in schedules:
        rows[schedule.worker_id] = schedule_status(
            schedule,
            sessions[schedule.worker_id],
            today=today,
            name=schedule.worker.full_name or schedule.worker.email,
        )
    for user_id, load in caseload.items():
        row = rows.get(user_id)
        if row is None:
            held = sorted(sessions[user_id])
            row = rows[user_id] = ScheduleStatus(
                worker_id=user_id,
                name=load.name,
                schedule=None,
                last_session=held[-1] if held else None,
            )
        row.open_cases = load.total
    return sorted(rows.values(), key=lambda r: (r.name, str(r.worker_id)))


def own_schedule(actor: Actor) -> ScheduleStatus | None:
    """The actor's own schedule, if a supervisor set one."""
    if actor.user is None or actor.organisation is None:
        return None
    schedule = (
        SupervisionSchedule.objects.filter(organisation_id=actor.organisation.pk, worker=actor.user)
        .select_related("worker")
        .first()
    )
    if schedule is None:
        return None
    held = [
        timezone.localdate(when)
        for when in SupervisionRecord.objects.filter(
            organisation_id=actor.organisation.pk,
            supervisee=actor.user,
            case__in=case_selectors.cases_visible_to(actor).values("pk"),
        ).values_list("held_at", flat=True)
    ]
    return schedule_status(
        schedule, held, today=timezone.localdate(), name=actor.user.full_name or actor.user.email
    )


def overdue_supervisions(actor: Actor) -> list[ScheduleStatus]:
    """The workers whose next session is overdue (the home panel)."""
    return [row for row in supervision_overview(actor) if row.schedule and row.missed]


def supervisees_for(actor: Actor) -> list[tuple[str, str]]:
    """Who may be supervised: active members whose role lets them work cases."""
    if actor.organisation is None:
        return []
    members = (
        Membership.objects.filter(organisation_id=actor.organisation.pk, is_active=True)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__full_name")[:500]
    )
    out = []
    for m in members:
        member = Actor(
            user=m.user, organisation=actor.organisation, roles=frozenset(m.role_names())
        )
        if can(member, Permission.CASE_MANAGE):
            out.append((str(m.user_id), m.user.full_name or m.user.email))
    return out
