"""Keeping the known-to index current: one person at a time from the people actions (inside
their transaction), or everything at once (``manage.py known_to_rebuild``, the demo).

The index is a projection of the people records (ADR 0016): rebuilding it changes no record and
writes no audit event. A merged person (pointing at a survivor) has no rows: the survivor holds
the identifiers. Restrictions are not applied here but when a check is answered, so a record
restricted after it was indexed is never matched, whatever the index holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection, transaction

from safecase.partnerships.knownto import digests
from safecase.partnerships.knownto.models import DigestKind, KnownToDigest
from safecase.people.models import Person, PersonIdentifier

BATCH = 5000


# (organisation key, person key, digest kind, digest): a row of the index, before it is one.
Row = tuple[Any, Any, str, str]


def _person_rows(
    secret: bytes,
    person_id: Any,
    organisation_id: Any,
    given_names: str,
    family_name: str,
    preferred_name: str,
    date_of_birth: date | None,
) -> Iterator[Row]:
    if date_of_birth is None:
        return
    for digest in digests.name_dob_digests(
        given_names, family_name, date_of_birth, preferred_name, secret=secret
    ):
        yield (organisation_id, person_id, DigestKind.NAME_DOB.value, digest)


def _identifier_row(
    secret: bytes, person_id: Any, organisation_id: Any, scheme: str, value: str
) -> Row | None:
    if scheme not in digests.SCHEME_KINDS or not value:
        return None
    kind = str(digests.SCHEME_KINDS[scheme])
    return (
        organisation_id,
        person_id,
        kind,
        digests.identifier_digest(scheme, value, secret=secret),
    )


def rows_for(person: Person, *, secret: bytes | None = None) -> list[KnownToDigest]:
    """The index rows a person should have (none once merged into another)."""
    if person.merged_into_id is not None:
        return []
    secret = secret or digests.key()
    rows = list(
        _person_rows(
            secret,
            person.pk,
            person.organisation_id,
            person.given_names,
            person.family_name,
            person.preferred_name,
            person.date_of_birth,
        )
    )
    for scheme, value in PersonIdentifier.objects.filter(person_id=person.pk).values_list(
        "scheme", "value"
    ):
        row = _identifier_row(secret, person.pk, person.organisation_id, scheme, value)
        if row is not None:
            rows.append(row)
    return [
        KnownToDigest(organisation_id=org, person_id=pk, digest_kind=kind, digest=digest)
        for org, pk, kind, digest in rows
    ]


def refresh_person(person: Person) -> None:
    """Replace one person's index rows with what their record says now. Called by the people
    actions inside their transaction (so the index commits or rolls back with the change)."""
    current = Person.objects.filter(pk=person.pk).first()
    KnownToDigest.objects.filter(person_id=person.pk).delete()
    if current is None:
        return
    rows = rows_for(current)
    if rows:
        KnownToDigest.objects.bulk_create(rows)


def _all_rows(secret: bytes, people: Any, identifiers: Any) -> Iterator[Row]:
    for fields in people.values_list(
        "pk", "organisation_id", "given_names", "family_name", "preferred_name", "date_of_birth"
    ).iterator(chunk_size=BATCH):
        yield from _person_rows(secret, *fields)
    for fields in identifiers.values_list(
        "person_id", "organisation_id", "scheme", "value"
    ).iterator(chunk_size=BATCH):
        row = _identifier_row(secret, *fields)
        if row is not None:
            yield row


ROWS_PER_INSERT = 500


def _insert(batch: list[tuple[Any, ...]]) -> None:
    """Multi-row INSERTs of plain tuples: at county scale, a model instance and an INSERT per
    row (~400,000 of them) cost more than the database's own work."""
    table = connection.ops.quote_name(KnownToDigest._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(name)
        for name in ("organisation_id", "person_id", "digest_kind", "digest")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(batch), ROWS_PER_INSERT):
            rows = batch[start : start + ROWS_PER_INSERT]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608 - names only
                [value for row in rows for value in row],
            )


def rebuild(*, organisation_id: Any = None) -> int:
    """Write the index again from the people records (one organisation's, or everyone's), in
    one transaction and in bulk: checks read the old rows until it commits. Returns the number
    of rows written."""
    secret = digests.key()
    people = Person.objects.filter(merged_into__isnull=True)
    identifiers = PersonIdentifier.objects.filter(person__merged_into__isnull=True)
    stale = KnownToDigest.objects.all()
    if organisation_id is not None:
        people = people.filter(organisation_id=organisation_id)
        identifiers = identifiers.filter(organisation_id=organisation_id)
        stale = stale.filter(organisation_id=organisation_id)

    def key(value: Any) -> Any:
        # As UUIDField.get_db_prep_value stores a key, without its cost per call.
        return value if connection.features.has_native_uuid_field else value.hex

    written = 0
    batch: list[tuple[Any, ...]] = []
    with transaction.atomic():
        stale._raw_delete(stale.db)  # no cascades, no signals: one DELETE
        for org_id, person_id, kind, digest in _all_rows(secret, people, identifiers):
            batch.append((key(org_id), key(person_id), kind, digest))
            if len(batch) >= BATCH:
                _insert(batch)
                written += len(batch)
                batch = []
        if batch:
            _insert(batch)
            written += len(batch)
    return written
