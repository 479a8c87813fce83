"""Keeping the known-to index current: one person at a time from the people actions (inside
their transaction), or everything at once (``manage.py known_to_rebuild``, the demo).

The index is a projection of the people records (ADR 0016): rebuilding it changes no record and
writes no audit event. A merged person (pointing at a survivor) has no rows: the survivor holds
the identifiers. Restrictions are not applied here but when a check is answered, so a record
restricted after it was indexed is never matched, whatever the index holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db import transaction

from safecase.partnerships.knownto import digests
from safecase.partnerships.knownto.models import DigestKind, KnownToDigest
from safecase.people.models import Person, PersonIdentifier

BATCH = 5000


def _person_rows(
    secret: bytes,
    *,
    person_id: uuid.UUID,
    organisation_id: uuid.UUID,
    given_names: str,
    family_name: str,
    preferred_name: str,
    date_of_birth: date | None,
) -> Iterator[KnownToDigest]:
    if date_of_birth is None:
        return
    for digest in digests.name_dob_digests(
        given_names, family_name, date_of_birth, preferred_name, secret=secret
    ):
        yield KnownToDigest(
            organisation_id=organisation_id,
            person_id=person_id,
            digest_kind=DigestKind.NAME_DOB,
            digest=digest,
        )


def _identifier_row(
    secret: bytes, *, person_id: uuid.UUID, organisation_id: uuid.UUID, scheme: str, value: str
) -> KnownToDigest | None:
    if scheme not in digests.SCHEME_KINDS or not value:
        return None
    return KnownToDigest(
        organisation_id=organisation_id,
        person_id=person_id,
        digest_kind=digests.SCHEME_KINDS[scheme],
        digest=digests.identifier_digest(scheme, value, secret=secret),
    )


def rows_for(person: Person, *, secret: bytes | None = None) -> list[KnownToDigest]:
    """The index rows a person should have (none once merged into another)."""
    if person.merged_into_id is not None:
        return []
    secret = secret or digests.key()
    rows = list(
        _person_rows(
            secret,
            person_id=person.pk,
            organisation_id=person.organisation_id,
            given_names=person.given_names,
            family_name=person.family_name,
            preferred_name=person.preferred_name,
            date_of_birth=person.date_of_birth,
        )
    )
    for scheme, value in PersonIdentifier.objects.filter(person_id=person.pk).values_list(
        "scheme", "value"
    ):
        row = _identifier_row(
            secret,
            person_id=person.pk,
            organisation_id=person.organisation_id,
            scheme=scheme,
            value=value,
        )
        if row is not None:
            rows.append(row)
    return rows


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


def _batched(rows: Iterable[KnownToDigest]) -> Iterator[list[KnownToDigest]]:
    batch: list[KnownToDigest] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _all_rows(secret: bytes, people: Any, identifiers: Any) -> Iterator[KnownToDigest]:
    for person_id, organisation_id, given, family, preferred, born in people.values_list(
        "pk", "organisation_id", "given_names", "family_name", "preferred_name", "date_of_birth"
    ).iterator(chunk_size=BATCH):
        yield from _person_rows(
            secret,
            person_id=person_id,
            organisation_id=organisation_id,
            given_names=given,
            family_name=family,
            preferred_name=preferred,
            date_of_birth=born,
        )
    for person_id, organisation_id, scheme, value in identifiers.values_list(
        "person_id", "organisation_id", "scheme", "value"
    ).iterator(chunk_size=BATCH):
        row = _identifier_row(
            secret,
            person_id=person_id,
            organisation_id=organisation_id,
            scheme=scheme,
            value=value,
        )
        if row is not None:
            yield row


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
    written = 0
    with transaction.atomic():
        stale.delete()
        for batch in _batched(_all_rows(secret, people, identifiers)):
            KnownToDigest.objects.bulk_create(batch)
            written += len(batch)
    return written
