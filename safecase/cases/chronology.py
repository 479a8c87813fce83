"""Keeping each person's chronology lines (people.ChronologyItem, ADR 0010) in step with the
cases about them: "everything on a case appears in each subject's chronology, filtered by what
the viewer may see" (issue 4).

A case's line is governed by the case: seen by exactly those who may see the case (restriction
to named people, the low-level log, shares), never by someone who may only see the person
(``concerns.selectors._lines_visible_to``). Allegations against adults (W12) stay out of the
children's records: the adult concerned's chronology carries everything on the case; a child
(or anyone else) on an allegation's case gets one line only, saying that an allegation case
concerns them and which: the restricted link, itself seen only by those who may see the case.

Each part of a case that puts lines in the chronology registers a source (``register``): how to
read its events for some cases (used when a person joins a case and by ``rebuild``), and calls
``event_added`` when its action writes one, in the action's transaction. Not actions
themselves: the action calling them writes the audit event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps as live_apps

from safecase.cases.choices import CaseKind, SubjectRole
from safecase.cases.models import Case, CaseSubject, StageChange
from safecase.concerns.chronology import RANK_CASE, SUMMARY_LENGTH, Line, insert_lines
from safecase.people.models import ChronologyItem

BATCH = 500


@dataclass(frozen=True)
class Event:
    """Something on a case, as its subjects' chronologies show it."""

    case_id: Any
    source_id: Any
    when: datetime
    title: str
    summary: str = ""


@dataclass(frozen=True)
class CaseFacts:
    """What every line of one case carries about it, and what its titles name."""

    pk: Any
    organisation_id: Any
    reference: str
    title: str
    kind: str


# A source reads its events for some cases: (the cases, by key) -> events.
Source = Callable[[dict[Any, CaseFacts]], Iterable[Event]]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add a part's source of chronology events (called from its AppConfig.ready)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def facts_of(case: Case) -> CaseFacts:
    return CaseFacts(case.pk, case.organisation_id, case.reference, case.title, case.case_type.kind)


def _gets_everything(kind: str, role: str) -> bool:
    """Whether a person on the case sees all of it in their chronology, or only the link."""
    return kind != CaseKind.ALLEGATION or role == SubjectRole.ADULT_CONCERNED


def _line(case: CaseFacts, person_id: Any, event: Event) -> Line:
    return {
        "organisation_id": case.organisation_id,
        "person_id": person_id,
        "case_id": case.pk,
        "concern_id": None,
        "low_level": case.kind == CaseKind.LOW_LEVEL,
        "recorded_by_id": None,
        "happened_at": event.when,
        "significant": False,
        "rank": RANK_CASE,
        "source_id": event.source_id,
        "when": event.when,
        "approximate": False,
        "title": event.title[:300],
        "summary": event.summary[:SUMMARY_LENGTH],
        "categories": "",
    }


def _link(case: CaseFacts, subject_id: Any, person_id: Any, when: datetime) -> Line:
    """The one line a child on an allegation's case gets: that it exists, and which it is."""
    return _line(
        case,
        person_id,
        Event(
            case.pk,
            subject_id,
            when,
            f"Named on allegation case {case.reference}",
            "An allegation against an adult that concerns this person. Its record is kept on "
            "the case, apart from this chronology; open the case if you may.",
        ),
    )


def _write(lines: Iterable[Line]) -> int:
    return insert_lines(live_apps, lines)


# --- The cases' own events: the opening and every stage move --------------------------------


def stage_event(case: CaseFacts, change: StageChange | tuple[Any, ...]) -> Event:
    if isinstance(change, StageChange):
        row = (change.pk, change.created_at, change.from_stage, change.to_stage, change.reason)
    else:
        row = change
    pk, created_at, from_stage, to_stage, reason = row
    labels = dict(StageChange._meta.get_field("to_stage").choices or ())
    if not from_stage:
        title = f"Case {case.reference} opened: {case.title}"
    else:
        title = (
            f"Case {case.reference}: {labels.get(from_stage, from_stage)} to "
            + str(labels.get(to_stage, to_stage)).lower()
        )
    return Event(case.pk, pk, created_at, title, reason)


@register
def _stage_events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    rows = StageChange.objects.filter(case_id__in=list(cases)).values_list(
        "case_id", "pk", "created_at", "from_stage", "to_stage", "reason"
    )
    for case_id, *row in rows:
        yield stage_event(cases[case_id], tuple(row))


# --- Kept by the actions ------------------------------------------------------------------


def event_added(case: Case, event: Event) -> None:
    """A new event on the case: a line for each person on it who sees all of the case."""
    facts = facts_of(case)
    people = CaseSubject.objects.filter(case_id=case.pk).values_list("person_id", "role")
    _write(
        _line(facts, person_id, event)
        for person_id, role in people
        if _gets_everything(facts.kind, role)
    )


def event_changed(source_id: Any, *, title: str | None = None, summary: str | None = None) -> None:
    """An event's record changed (a referral's response came, say): its lines say so."""
    fields: dict[str, str] = {}
    if title is not None:
        fields["title"] = title[:300]
    if summary is not None:
        fields["summary"] = summary[:SUMMARY_LENGTH]
    if fields:
        ChronologyItem.objects.filter(source_id=source_id, case__isnull=False).update(**fields)


def subject_added(case: Case, subject: CaseSubject) -> None:
    """A person joined the case: their chronology gains all of it, or (a child on an
    allegation's case) the link alone."""
    facts = facts_of(case)
    if not _gets_everything(facts.kind, subject.role):
        _write([_link(facts, subject.pk, subject.person_id, subject.created_at)])
        return
    _write(_line(facts, subject.person_id, event) for event in _events({case.pk: facts}))


def events_of(case: Case) -> list[Event]:
    """Every event on one case, from every part's source (the case bundle's chronology)."""
    return list(_events({case.pk: facts_of(case)}))


def _events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    for source in _SOURCES:
        yield from source(cases)


# --- Made again from the sources ----------------------------------------------------------


def rebuild(*, organisation_id: uuid.UUID | None = None) -> int:
    """Delete and write again every case's chronology lines (of one organisation, or of all),
    a few hundred cases at a time. Returns the number of lines written."""
    scope = {} if organisation_id is None else {"organisation_id": organisation_id}
    ChronologyItem.objects.filter(case__isnull=False, **scope).delete()
    written = 0
    after: Any = None
    while True:
        page = Case.objects.filter(**scope)
        if after is not None:
            page = page.filter(pk__gt=after)
        rows = list(
            page.order_by("pk").values_list(
                "pk", "organisation_id", "reference", "title", "case_type__kind"
            )[:BATCH]
        )
        if not rows:
            return written
        after = rows[-1][0]
        cases = {row[0]: CaseFacts(*row) for row in rows}
        subjects: dict[Any, list[tuple[Any, Any, str, datetime]]] = {}
        for case_id, pk, person_id, role, created_at in CaseSubject.objects.filter(
            case_id__in=list(cases)
        ).values_list("case_id", "pk", "person_id", "role", "created_at"):
            subjects.setdefault(case_id, []).append((pk, person_id, role, created_at))
        written += _write(_lines_of(cases, subjects))


def _lines_of(
    cases: dict[Any, CaseFacts], subjects: dict[Any, list[tuple[Any, Any, str, datetime]]]
) -> Iterator[Line]:
    on_cases = {pk: facts for pk, facts in cases.items() if pk in subjects}
    for case_id, rows in subjects.items():
        facts = cases[case_id]
        for subject_id, person_id, role, created_at in rows:
            if not _gets_everything(facts.kind, role):
                yield _link(facts, subject_id, person_id, created_at)
    for event in _events(on_cases):
        facts = cases[event.case_id]
        for _subject_id, person_id, role, _created in subjects.get(event.case_id, ()):
            if _gets_everything(facts.kind, role):
                yield _line(facts, person_id, event)
