"""Keeping each person's chronology lines (people.ChronologyItem) in step with the concerns.

Called by the concern and people actions, inside their transaction, whenever a line's source
changes: a concern linked to (or unlinked from) a person, a triage, an action or an addendum
added, an action completed, a concern marked significant, two people merged. Not actions
themselves (they write no audit event: the action calling them does). ``rebuild`` makes every
line again from the sources, for a bulk load, a restore or a migration (ADR 0010).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.apps import apps as live_apps
from django.apps.registry import Apps
from django.db import connections, transaction
from django.db.models import Model, QuerySet

from safecase.concerns.choices import ActionStatus, ConcernKind, ConcernStatus, Rag, TriageDecision

# The kind of a line's source, which is also its place among lines of the same moment: a
# concern comes before its triage, its actions and its addenda (newest first: higher first).
RANK_CONCERN, RANK_TRIAGE, RANK_ACTION, RANK_ADDENDUM = 4, 3, 2, 1
# Something on a case about the person (cases/chronology.py): first among lines of its moment.
RANK_CASE = 5
KIND_LABELS = {
    RANK_TRIAGE: "Triage decision",
    RANK_ACTION: "Action",
    RANK_ADDENDUM: "Addendum",
    RANK_CASE: "Case",
}
SUMMARY_LENGTH = 300
BATCH = 2000
# A line's column values by attribute name (see insert_lines).
Line = dict[str, Any]

_DECISIONS = dict(TriageDecision.choices)
_RAGS = dict(Rag.choices)
_ACTION_STATUSES = dict(ActionStatus.choices)


def kind_label(rank: int, low_level: bool) -> str:
    if rank == RANK_CONCERN:
        return "Low-level concern" if low_level else "Concern"
    return KIND_LABELS.get(rank, "Entry")


# What each kind of line says. The same functions serve the actions and the rebuild, so a
# rebuilt line reads exactly as the one the action wrote.
def concern_summary(fact: str, own_words: str) -> str:
    return (fact or own_words)[:SUMMARY_LENGTH]


def triage_title(decision: str, level_of_need: int, rag: str) -> str:
    return f"{_DECISIONS.get(decision, decision)} – level {level_of_need}, {_RAGS.get(rag, rag)}"


def action_summary(due_on: date | str, status: str) -> str:
    # A rebuild passes the database's own value: on SQLite, the ISO text of the date.
    due = date.fromisoformat(due_on) if isinstance(due_on, str) else due_on
    return f"Due {due:%d %b %Y}; {str(_ACTION_STATUSES.get(status, status)).lower()}"


def _model(registry: Apps, name: str) -> type[Model]:
    return registry.get_model(name)


def _lines_model(registry: Apps = live_apps) -> Any:
    return _model(registry, "people.ChronologyItem")


class _Concern:
    """What every line of one concern carries about it (its visibility and filters)."""

    __slots__ = (
        "categories",
        "happened_at",
        "kind",
        "organisation_id",
        "pk",
        "recorded_by_id",
        "significant",
    )

    def __init__(self, row: tuple[Any, ...], categories: str = "") -> None:
        (
            self.pk,
            self.organisation_id,
            self.kind,
            self.recorded_by_id,
            self.happened_at,
            self.significant,
        ) = row
        # The concern's category keys ("3,17"): its line shows their labels, looked up when
        # read, as the organisation may rename a category (a submitted concern's categories
        # themselves never change).
        self.categories = categories


_CONCERN_COLUMNS = ("pk", "organisation_id", "kind", "recorded_by_id", "happened_at")


def _concern_of(concern: Any) -> _Concern:
    return _Concern(
        (
            concern.pk,
            concern.organisation_id,
            concern.kind,
            concern.recorded_by_id,
            concern.happened_at,
            concern.is_significant,
        )
    )


def _categories_of(registry: Apps, concern_ids: list[Any], *, raw: bool = False) -> dict[Any, str]:
    keys: dict[Any, list[int]] = {}
    field: Any = _model(registry, "concerns.Concern")._meta.get_field("categories")
    through = field.remote_field.through
    rows = through._default_manager.filter(concern_id__in=concern_ids).values_list(
        "concern_id", "category_id"
    )
    for concern_id, category_id in _rows(rows, raw):
        keys.setdefault(concern_id, []).append(category_id)
    return {pk: ",".join(str(k) for k in sorted(found)) for pk, found in keys.items()}


def _line(
    model: Any,
    concern: _Concern,
    person_id: Any,
    rank: int,
    source_id: Any,
    when: datetime,
    title: str,
    summary: str,
    *,
    approximate: bool = False,
) -> dict[str, Any]:
    """One line's column values (by attribute name), for ``insert_lines``."""
    del model  # the lines' model is the writer's
    return {
        "organisation_id": concern.organisation_id,
        "person_id": person_id,
        "concern_id": concern.pk,
        "low_level": concern.kind == ConcernKind.LOW_LEVEL_ADULT,
        "recorded_by_id": concern.recorded_by_id,
        "happened_at": concern.happened_at,
        "significant": concern.significant,
        "rank": rank,
        "source_id": source_id,
        "when": when,
        "approximate": approximate,
        "title": title[:300],
        "summary": summary,
        "categories": concern.categories if rank == RANK_CONCERN else "",
    }


def _concern_line(model: Any, concern: _Concern, person_id: Any, row: tuple[Any, ...]) -> Line:
    _pk, approximate, submitted_at, created_at, fact, own_words = row
    return _line(
        model,
        concern,
        person_id,
        RANK_CONCERN,
        concern.pk,
        concern.happened_at or submitted_at or created_at,
        "",  # the categories' labels, looked up when read
        concern_summary(fact, own_words),
        approximate=approximate or concern.happened_at is None,
    )


def _triage_line(model: Any, concern: _Concern, person_id: Any, row: tuple[Any, ...]) -> Line:
    pk, created_at, decision, level, rag, rationale = row
    return _line(
        model,
        concern,
        person_id,
        RANK_TRIAGE,
        pk,
        created_at,
        triage_title(decision, level, rag),
        rationale[:SUMMARY_LENGTH],
    )


def _action_line(model: Any, concern: _Concern, person_id: Any, row: tuple[Any, ...]) -> Line:
    pk, created_at, description, due_on, status = row
    return _line(
        model,
        concern,
        person_id,
        RANK_ACTION,
        pk,
        created_at,
        description,
        action_summary(due_on, status),
    )


def _addendum_line(model: Any, concern: _Concern, person_id: Any, row: tuple[Any, ...]) -> Line:
    pk, created_at, reason, text = row
    return _line(
        model, concern, person_id, RANK_ADDENDUM, pk, created_at, reason, text[:SUMMARY_LENGTH]
    )


# (model, columns read, line maker); each source's rows are read with "concern_id" first.
_SOURCES = (
    (
        "concerns.Concern",
        ("pk", "happened_at_approximate", "submitted_at", "created_at", "fact", "own_words"),
        _concern_line,
    ),
    (
        "concerns.Triage",
        ("pk", "created_at", "decision", "level_of_need", "rag", "rationale"),
        _triage_line,
    ),
    (
        "concerns.ConcernAction",
        ("pk", "created_at", "description", "due_on", "status"),
        _action_line,
    ),
    ("concerns.Addendum", ("pk", "created_at", "reason", "text"), _addendum_line),
)


def _rows(queryset: QuerySet[Any], raw: bool) -> Iterable[tuple[Any, ...]]:
    return raw_rows(queryset) if raw else queryset


def _linked_people(
    registry: Apps, concern_ids: Iterable[Any], *, raw: bool = False
) -> dict[Any, set[Any]]:
    found: dict[Any, set[Any]] = {}
    rows = (
        _model(registry, "concerns.ConcernPerson")
        ._default_manager.filter(concern_id__in=list(concern_ids), person__isnull=False)
        .values_list("concern_id", "person_id")
    )
    for concern_id, person_id in _rows(rows, raw):
        found.setdefault(concern_id, set()).add(person_id)
    return found


def _lines_for(
    registry: Apps,
    concerns: dict[Any, _Concern],
    people: dict[Any, set[Any]],
    *,
    raw: bool = False,
) -> Iterator[Line]:
    """Every line of these submitted concerns for the people linked to them (``raw``: keys
    and values as the database gives them, see raw_rows)."""
    model = _lines_model(registry)
    ids = list(concerns)
    for source, columns, make in _SOURCES:
        key = "pk" if source == "concerns.Concern" else "concern_id"
        rows = (
            _model(registry, source)
            ._default_manager.filter(**{f"{key}__in": ids})
            .values_list(key, *columns)
        )
        for concern_id, *row in _rows(rows, raw):
            concern = concerns[concern_id]
            for person_id in people.get(concern_id, ()):
                yield make(model, concern, person_id, tuple(row))


def raw_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset as the database gives them, without Django's
    converters (no UUID or datetime objects made on SQLite). Written back unchanged into
    columns of the same types they need no preparing either: a rebuild reads and writes
    millions of values, and those conversions were most of its time."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def insert_lines(
    registry: Apps, lines: Iterable[Line], *, prepared: bool = False, using: str = "default"
) -> int:
    """Insert lines (column values by attribute name) a batch at a time, in one statement run
    for many rows, skipping any a person already has for the same source. ``prepared``: the
    values are the database's own (from raw_rows), else each is prepared by its field."""
    model = _lines_model(registry)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    connection = connections[using]
    quote = connection.ops.quote_name
    # Names from the model's own metadata, never from input; values are parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from model metadata
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING"
    )
    written = 0
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        # One transaction per batch (as bulk_create takes): in autocommit mode each row
        # would otherwise commit on its own, a disk sync per row on SQLite.
        with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
            cursor.executemany(sql, batch)

    for line in lines:
        if prepared:
            batch.append(tuple(line.get(f.attname) for f in fields))
        else:
            batch.append(tuple(f.get_db_prep_save(line.get(f.attname), connection) for f in fields))
        if len(batch) >= BATCH:
            flush()
            written, batch = written + len(batch), []
    if batch:
        flush()
        written += len(batch)
    return written


def _write(registry: Apps, lines: Iterable[Line]) -> int:
    return insert_lines(registry, lines)


# --- Kept by the actions ------------------------------------------------------------------


def concern_linked(concern: Any, person_id: Any) -> None:
    """The concern now names ``person_id``: their chronology gains it and all that followed."""
    if concern.status != ConcernStatus.SUBMITTED:
        return
    details = _concern_of(concern)
    details.categories = _categories_of(live_apps, [concern.pk]).get(concern.pk, "")
    _write(live_apps, _lines_for(live_apps, {concern.pk: details}, {concern.pk: {person_id}}))


def concern_unlinked(concern: Any, person_id: Any) -> None:
    """A name in the concern no longer points at ``person_id``: unless another still does, the
    concern and what followed it leave their chronology."""
    still = (
        _model(live_apps, "concerns.ConcernPerson")
        ._default_manager.filter(concern_id=concern.pk, person_id=person_id)
        .exists()
    )
    if not still:
        _lines_model()._default_manager.filter(concern_id=concern.pk, person_id=person_id).delete()


def source_added(concern: Any, source: Any) -> None:
    """A triage, action or addendum of the concern: a line for each person it is about."""
    people = _linked_people(live_apps, [concern.pk]).get(concern.pk, set())
    if not people:
        return
    source_name = f"concerns.{type(source).__name__}"
    for name, columns, make in _SOURCES:
        if name == source_name:
            row = tuple(getattr(source, column) for column in columns)
            model = _lines_model()
            details = _concern_of(concern)
            _write(live_apps, (make(model, details, person_id, row) for person_id in people))
            return
    raise TypeError(f"{source_name} has no chronology line")


def action_changed(action: Any) -> None:
    _lines_model()._default_manager.filter(source_id=action.pk).update(
        summary=action_summary(action.due_on, action.status)
    )


def significance_changed(concern: Any) -> None:
    _lines_model()._default_manager.filter(concern_id=concern.pk).update(
        significant=concern.is_significant
    )


def person_merged(*, duplicate_id: Any, survivor_id: Any) -> None:
    """The duplicate's lines become the survivor's (those the survivor has already go)."""
    lines = _lines_model()._default_manager
    already = lines.filter(person_id=survivor_id).values("source_id")
    lines.filter(person_id=duplicate_id, source_id__in=already).delete()
    lines.filter(person_id=duplicate_id).update(person_id=survivor_id)


# --- Made again from the sources ----------------------------------------------------------


def rebuild(registry: Apps = live_apps, *, organisation_id: uuid.UUID | None = None) -> int:
    """Delete and write again every chronology line (of one organisation, or of all), from the
    concerns and what followed them, a few thousand concerns at a time so memory stays small.
    Returns the number of lines written."""
    model = _lines_model(registry)
    lines = model._default_manager
    scope = {} if organisation_id is None else {"organisation_id": organisation_id}
    # The concerns' lines only: the cases' are rebuilt by cases.chronology.rebuild. (A
    # migration's historical model may predate case lines.)
    has_cases = any(f.name == "case" for f in model._meta.get_fields())
    lines.filter(**scope, **({"case__isnull": True} if has_cases else {})).delete()
    written = 0
    after: Any = None
    while True:
        page = _model(registry, "concerns.Concern")._default_manager.filter(
            status=ConcernStatus.SUBMITTED, **scope
        )
        if after is not None:
            page = page.filter(pk__gt=after)
        # Raw values throughout: read from the database and written back as they came.
        rows = raw_rows(
            page.order_by("pk").values_list(*_CONCERN_COLUMNS, "is_significant")[:BATCH]
        )
        if not rows:
            return written
        after = rows[-1][0]
        people = _linked_people(registry, [row[0] for row in rows], raw=True)
        categories = _categories_of(registry, list(people), raw=True)
        linked = {
            row[0]: _Concern(row, categories.get(row[0], "")) for row in rows if row[0] in people
        }
        if linked:
            lines_of = _lines_for(registry, linked, people, raw=True)
            written += insert_lines(registry, lines_of, prepared=True)
