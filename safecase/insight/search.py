"""Search people and concerns the actor may see, by name, identifier and text.

Writing: ``index_person``, ``index_concern`` and ``remove`` keep the index current; the people
and concerns actions call them inside their own transaction, so the index changes exactly when
the record does. ``reindex_all`` rebuilds everything (``manage.py search_reindex``).

Reading: ``search(actor, q)`` reads the ids shared into the actor's organisation (once per
actor, through ``access.scoping.shared_ids``), then searches in one statement. The full-text
match (FTS5 ``MATCH`` on SQLite, ``tsvector @@ websearch_to_tsquery('english', …)`` on
PostgreSQL) is intersected inside that statement with ``people_visible_to(actor)`` and
``concerns_visible_to(actor)``, so a record the actor may not see is never returned, counted or
ranked against the ones they may. Both databases give the same hits with the same titles and
snippets; only the rank's scale differs (higher is better; it orders the hits and means
nothing else).

PostgreSQL plans (checked with EXPLAIN ANALYZE at a million documents): the organisation's own
rows come from the GIN index ANDed with the (organisation, kind) index, then their visibility
by primary key; shared rows from their few ids. Each is a separate UNION ALL branch, because
an OR across them makes the planner hash every visible id of the whole table. SQLite likewise:
FTS5 matches the organisation's own token together with the words (a search for a common
name at county scale otherwise ranked and checked every match in the county: 211 ms).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from safecase.access.scoping import shared_ids
from safecase.concerns.choices import ConcernStatus
from safecase.concerns.models import Concern
from safecase.concerns.selectors import concerns_visible_to
from safecase.core.actors import Actor
from safecase.insight.documents import concern_document, person_document, snippet
from safecase.insight.models import DocumentKind, SearchDocument
from safecase.insight.query import ParsedQuery, parse_query
from safecase.people.models import Person
from safecase.people.selectors import people_visible_to

KINDS: tuple[str, ...] = (DocumentKind.PERSON, DocumentKind.CONCERN)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
FTS5_TABLE = "insight_searchdocument_fts"


@dataclass(frozen=True)
class SearchHit:
    """One record found: link to it by ``kind`` ("person" or "concern") and ``object_id``."""

    kind: str
    object_id: uuid.UUID
    title: str
    snippet: str
    rank: float


def _upsert(documents: Sequence[SearchDocument]) -> None:
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=("kind", "object_id"),
        update_fields=("organisation", "title", "body", "updated_at"),
    )


def index_person(person: Person) -> None:
    """Bring a person's index row up to date (or drop it once merged into another)."""
    if person.merged_into_id is not None:
        remove(person)
        return
    _upsert([person_document(person)])


def index_concern(concern: Concern) -> None:
    """Bring a concern's index row up to date; drafts are never indexed."""
    if concern.status != ConcernStatus.SUBMITTED:
        remove(concern)
        return
    _upsert([concern_document(concern)])


def remove(record: Person | Concern) -> None:
    """Take a record out of the index (merged away, erased under retention, …)."""
    kind = DocumentKind.PERSON if isinstance(record, Person) else DocumentKind.CONCERN
    SearchDocument.objects.filter(kind=kind, object_id=record.pk).delete()


def _batched(documents: Iterator[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    batch: list[SearchDocument] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def reindex_all(*, batch_size: int = 1000) -> dict[str, int]:
    """Rebuild the whole index from every current person and submitted concern, in one
    transaction (searches meanwhile see the old index) and a bounded number of queries per batch.
    """
    SearchDocument.objects.all().delete()
    people = (
        Person.objects.filter(merged_into__isnull=True)
        .prefetch_related("identifiers", "merged_from")
        .order_by("pk")
        .iterator(chunk_size=batch_size)
    )
    concerns = (
        Concern.objects.filter(status=ConcernStatus.SUBMITTED)
        .prefetch_related("categories", "people", "addenda")
        .order_by("pk")
        .iterator(chunk_size=batch_size)
    )
    counts = {DocumentKind.PERSON.value: 0, DocumentKind.CONCERN.value: 0}
    for kind, documents in (
        (DocumentKind.PERSON, (person_document(p) for p in people)),
        (DocumentKind.CONCERN, (concern_document(c) for c in concerns)),
    ):
        for batch in _batched(documents, batch_size):
            SearchDocument.objects.bulk_create(batch)
            counts[kind.value] += len(batch)
    return counts


# --- Searching -------------------------------------------------------------------------------


class _Scope(NamedTuple):
    """Index rows the actor may see; ``few`` when bounded by a short list of shared ids."""

    rows: QuerySet[SearchDocument]
    few: bool
    organisation: uuid.UUID | None = None


def organisation_token(organisation_id: uuid.UUID) -> str:
    """The word SQLite's FTS5 index holds in the ``scope`` column of each of an organisation's
    documents (migration 0003), so a search can ask for "this organisation's and these words"."""
    return f"o{organisation_id.hex}"


def _scopes(actor: Actor, kinds: Sequence[str]) -> list[_Scope]:
    """The index rows the actor may see, in parts each database can answer from an index.

    The actor's organisation's rows of every kind in one branch (PostgreSQL: the organisation
    index ANDed with the GIN index; SQLite: FTS5 matches the organisation's token with the
    words, see _search_sql), each match checked against its selector by primary key, so the
    cost follows the organisation's matches, never the county's nor everything the actor may
    see. Then, per kind, the rows of records shared into the organisation, from their few ids
    (a branch only when there are any).
    """
    org = actor.organisation_id
    assert org is not None  # search() answers nothing for an actor outside any organisation
    visible: dict[type[Model], tuple[str, QuerySet[Any]]] = {}
    if DocumentKind.PERSON in kinds:
        visible[Person] = (DocumentKind.PERSON, people_visible_to(actor))
    if DocumentKind.CONCERN in kinds:
        visible[Concern] = (DocumentKind.CONCERN, concerns_visible_to(actor))
    visible = {model: kv for model, kv in visible.items() if not kv[1].query.is_empty()}
    if not visible:
        return []
    # The organisation's own rows, all kinds in one branch so the full-text index is read once;
    # each match is then checked against its selector by primary key.
    own = Q()
    for kind, records in visible.values():
        own |= Q(Exists(records.filter(pk=OuterRef("object_id"))), kind=kind)
    scopes = [
        _Scope(SearchDocument.objects.filter(own, organisation_id=org), few=False, organisation=org)
    ]
    for model, (kind, records) in visible.items():
        ids = shared_ids(actor, model)
        if not isinstance(ids, list) or ids:
            opened = records.filter(pk__in=ids).exclude(organisation_id=org)
            scopes.append(
                _Scope(
                    SearchDocument.objects.filter(kind=kind, object_id__in=opened.values("pk")),
                    few=True,
                )
            )
    return scopes


def _where(scope: QuerySet[SearchDocument]) -> tuple[str, list[Any]]:
    """The WHERE clause Django compiles for ``scope``, naming the table in full."""
    compiler = scope.query.get_compiler(using=scope.db)
    sql, params = compiler.compile(scope.query.where)
    return sql, list(params)


def _search_sql(query: ParsedQuery, scopes: list[_Scope], limit: int) -> tuple[str, list[Any]]:
    """The search as SQL text and parameters.

    Everything interpolated here is a constant of this module or a WHERE clause compiled by
    Django; every value (the query text, ids, the limit) is a parameter.
    """
    table = SearchDocument._meta.db_table
    columns = f"{table}.kind, {table}.object_id, {table}.title, {table}.body"
    order = "ORDER BY 5 DESC, 3, 2 LIMIT %s"
    if connection.vendor == "postgresql":
        # A branch per scope, so each is planned on its own indexes: an OR across them would
        # turn the visible ids into hashed scans of whole tables. A share branch is fenced
        # (OFFSET 0) so that it starts from its few ids: the planner misjudges how many rows
        # match several correlated words and would otherwise read every match to find them.
        match = f"{table}.search_vector @@ q.query"
        rank = f"ts_rank_cd({table}.search_vector, q.query)"
        tsquery = "websearch_to_tsquery('english', %s) AS q(query)"
        branches, params = [], []
        for scope in scopes:
            where, where_params = _where(scope.rows)
            if scope.few:
                fenced = f"(SELECT * FROM {table} WHERE {where} OFFSET 0) AS {table}"  # noqa: S608 - see docstring
                branches.append(f"SELECT {columns}, {rank} FROM {fenced}, {tsquery} WHERE {match}")  # noqa: S608 - see docstring
                params += [*where_params, query.to_websearch()]
            else:
                branches.append(
                    f"SELECT {columns}, {rank} FROM {table}, {tsquery} WHERE {match} AND {where}"  # noqa: S608 - see docstring
                )
                params += [query.to_websearch(), *where_params]
        sql = " UNION ALL ".join(f"({branch})" for branch in branches)
        return f"{sql} {order}", [*params, limit]
    if connection.vendor == "sqlite":
        # The organisation's branch matches its token and the words in one FTS5 query, so FTS5
        # intersects the two lists itself and ranks only the organisation's matches. A share
        # branch starts from its few documents (CROSS JOIN keeps that order) and asks FTS5
        # about each by rowid. bm25() is lower for better matches: negated, so rank is
        # higher-is-better on both databases; the scope column weighs nothing.
        words = "{title body} : (" + query.to_fts5() + ")"
        rank = f"-bm25({FTS5_TABLE}, 10.0, 1.0, 0.0)"
        branches, params = [], []
        for scope in scopes:
            where, where_params = _where(scope.rows)
            if scope.few:
                joined = f"{table} CROSS JOIN {FTS5_TABLE} ON {FTS5_TABLE}.rowid = {table}.id"
                match = words
            else:
                joined = f"{FTS5_TABLE} JOIN {table} ON {table}.id = {FTS5_TABLE}.rowid"
                assert scope.organisation is not None
                match = f'scope : "{organisation_token(scope.organisation)}" AND {words}'
            branches.append(
                f"SELECT {columns}, {rank} FROM {joined} "  # noqa: S608 - see docstring
                f"WHERE {FTS5_TABLE} MATCH %s AND {where}"
            )
            params += [match, *where_params]
        sql = " UNION ALL ".join(branches)
        return f"{sql} {order}", [*params, limit]
    raise RuntimeError(f"Safecase supports SQLite and PostgreSQL, not {connection.vendor}")


def search(
    actor: Actor, q: str, *, kinds: Iterable[str] = KINDS, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    """The best matches for ``q`` among the people and concerns the actor may see, best first.

    One or two queries whatever the size of the index; none when there is nothing to search
    for or nothing the actor may see. Nothing is said about matches the actor may not see: no count,
    no "more results", and the limit applies after scoping.
    """
    query = parse_query(q)
    if query.is_empty or actor.organisation_id is None:
        return []
    wanted = set(kinds)
    scopes = _scopes(actor, [kind for kind in KINDS if kind in wanted])
    if not scopes:
        return []
    sql, params = _search_sql(query, scopes, max(1, min(limit, MAX_LIMIT)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    words = query.words
    return [
        SearchHit(
            kind=kind,
            object_id=uuid.UUID(str(object_id)),
            title=title,
            snippet=snippet(body, words),
            rank=float(rank),
        )
        for kind, object_id, title, body, rank in rows
    ]
