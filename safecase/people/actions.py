"""Creating and changing person records. Each writes its audit event in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError
from safecase.insight import search
from safecase.partnerships.knownto import index as known_to_index
from safecase.people.identifiers import InvalidIdentifier, normalise_identifier
from safecase.people.models import (
    Gender,
    Person,
    PersonIdentifier,
    PersonKind,
    Relationship,
    VulnerabilityFlag,
)

# Names and dates are personal data: the trail records that they changed, not their values.
SENSITIVE_FIELDS = frozenset({"given_names", "family_name", "preferred_name", "date_of_birth"})


def _clean_person_fields(
    *,
    kind: str,
    given_names: str,
    family_name: str,
    preferred_name: str,
    date_of_birth: date | None,
    gender: str,
    flags: list[str],
) -> dict[str, Any]:
    if kind not in PersonKind.values:
        raise DomainError("Choose what kind of person this is.", field="kind")
    if gender not in Gender.values:
        raise DomainError("Choose a gender, or 'Not known'.", field="gender")
    if not given_names.strip() or not family_name.strip():
        raise DomainError("Enter the person's legal given and family names in full.")
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise DomainError("The date of birth cannot be in the future.", field="date_of_birth")
    unknown = [f for f in flags if f not in VulnerabilityFlag.values]
    if unknown:
        raise DomainError(f"Unknown flag: {', '.join(unknown)}.", field="flags")
    return {
        "kind": kind,
        "given_names": " ".join(given_names.split()),
        "family_name": " ".join(family_name.split()),
        "preferred_name": " ".join(preferred_name.split()),
        "date_of_birth": date_of_birth,
        "gender": gender,
        "flags": sorted(set(flags)),
    }


def _add_identifier(actor: Actor, person: Person, scheme: str, value: str) -> PersonIdentifier:
    try:
        normalised = normalise_identifier(scheme, value)
    except InvalidIdentifier as exc:
        raise DomainError(str(exc), field="identifier") from exc
    try:
        with transaction.atomic():
            return PersonIdentifier.objects.create(
                organisation=person.organisation, person=person, scheme=scheme, value=normalised
            )
    except IntegrityError as exc:
        raise DomainError(
            "Another person in your organisation already has this identifier: "
            "check whether they are the same person.",
            field="identifier",
        ) from exc


@transaction.atomic(durable=True)
def person_create(
    *,
    actor: Actor,
    kind: str,
    given_names: str,
    family_name: str,
    preferred_name: str = "",
    date_of_birth: date | None = None,
    gender: str = Gender.NOT_KNOWN,
    flags: list[str] | None = None,
    identifiers: list[tuple[str, str]] | None = None,
) -> Person:
    """Create a person in the actor's organisation, with any identifiers (validated)."""
    require(actor, Permission.PERSON_MANAGE)
    assert actor.organisation is not None and actor.user is not None
    fields = _clean_person_fields(
        kind=kind,
        given_names=given_names,
        family_name=family_name,
        preferred_name=preferred_name,
        date_of_birth=date_of_birth,
        gender=gender,
        flags=flags or [],
    )
    person = Person.objects.create(organisation=actor.organisation, created_by=actor.user, **fields)
    for scheme, value in identifiers or []:
        _add_identifier(actor, person, scheme, value)
    recorder.record(
        actor=actor,
        action=AuditAction.PERSON_CREATED,
        subject=person,
        changes={
            "kind": person.kind,
            "flags": person.flags,
            "identifiers": [scheme for scheme, _ in identifiers or []],
        },
    )
    search.index_person(person)
    known_to_index.refresh_person(person)
    return person


@transaction.atomic(durable=True)
def person_update(*, actor: Actor, person: Person, version: int, **changes: Any) -> Person:
    """Change a person's details; refuses a stale version rather than overwrite someone's edit."""
    require(actor, Permission.PERSON_MANAGE, person)
    current = Person.objects.get(pk=person.pk)
    merged = {
        name: changes.get(name, getattr(current, name))
        for name in (
            "kind",
            "given_names",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "gender",
            "flags",
        )
    }
    fields = _clean_person_fields(**merged)
    updated = Person.objects.filter(pk=person.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise Conflict(
            "Someone else changed this person's details while you were editing. "
            "Review the current details and try again."
        )
    diff: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(current, name) != value:
            diff[name] = (
                recorder.CHANGED if name in SENSITIVE_FIELDS else [getattr(current, name), value]
            )
    recorder.record(actor=actor, action=AuditAction.PERSON_UPDATED, subject=person, changes=diff)
    person.refresh_from_db()
    search.index_person(person)
    known_to_index.refresh_person(person)
    return person


@transaction.atomic(durable=True)
def person_add_identifier(*, actor: Actor, person: Person, scheme: str, value: str) -> Person:
    require(actor, Permission.PERSON_MANAGE, person)
    identifier = _add_identifier(actor, person, scheme, value)
    recorder.record(
        actor=actor,
        action=AuditAction.PERSON_IDENTIFIER_ADDED,
        subject=person,
        changes={"scheme": identifier.scheme},
    )
    search.index_person(person)
    known_to_index.refresh_person(person)
    return person


@transaction.atomic(durable=True)
def person_merge(*, actor: Actor, survivor: Person, duplicate: Person, reason: str) -> Person:
    """Merge a duplicate record into the survivor (P5). Everything that pointed at the duplicate
    (names in concerns, identifiers, relationships, places on cases) points at the survivor;
    the duplicate stays, marked as merged, so the history of what was recorded where is never
    lost."""
    require(actor, Permission.PERSON_MANAGE, survivor)
    require(actor, Permission.PERSON_MANAGE, duplicate)
    if survivor.pk == duplicate.pk:
        raise DomainError("Choose two different records to merge.")
    if survivor.organisation_id != duplicate.organisation_id:
        raise DomainError("Only records of the same organisation can be merged.")
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise DomainError("One of these records has already been merged.")
    if not reason.strip():
        raise DomainError("Say why these are the same person.", field="reason")
    # Lock both rows so two people merging at once cannot cross over.
    list(Person.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]))
    # Imported here, not at the top: the concerns app builds on people, not the other way.
    from safecase.cases.models import CaseSubject
    from safecase.concerns import chronology
    from safecase.concerns.models import ConcernPerson

    moved_names = ConcernPerson.objects.filter(person=duplicate).update(person=survivor)
    # The cases the duplicate was on; where the survivor is on the case already, the
    # duplicate's row stays (pointing at the merged record), so the case keeps its history.
    on_both = CaseSubject.objects.filter(person=survivor).values("case_id")
    moved_cases = (
        CaseSubject.objects.filter(person=duplicate)
        .exclude(case_id__in=on_both)
        .update(person=survivor, updated_at=timezone.now())
    )
    chronology.person_merged(duplicate_id=duplicate.pk, survivor_id=survivor.pk)
    taken = set(PersonIdentifier.objects.filter(person=survivor).values_list("scheme", "value"))
    moved_ids = 0
    for identifier in PersonIdentifier.objects.filter(person=duplicate):
        if (identifier.scheme, identifier.value) not in taken:
            PersonIdentifier.objects.filter(pk=identifier.pk).update(person=survivor)
            moved_ids += 1
    moved_relationships = Relationship.objects.filter(person=duplicate).update(person=survivor)
    Relationship.objects.filter(related_person=duplicate).update(related_person=survivor)
    flags = sorted(set(survivor.flags) | set(duplicate.flags))
    Person.objects.filter(pk=survivor.pk).update(
        flags=flags, version=F("version") + 1, updated_at=timezone.now()
    )
    Person.objects.filter(pk=duplicate.pk).update(
        merged_into=survivor, version=F("version") + 1, updated_at=timezone.now()
    )
    recorder.record(
        actor=actor,
        action=AuditAction.PERSON_MERGED,
        subject=survivor,
        reason=reason.strip(),
        changes={
            "duplicate": duplicate.pk,
            "concern_names_moved": moved_names,
            "identifiers_moved": moved_ids,
            "relationships_moved": moved_relationships,
            "case_subjects_moved": moved_cases,
        },
    )
    survivor.refresh_from_db()
    search.remove(duplicate)
    search.index_person(survivor)
    known_to_index.refresh_person(duplicate)
    known_to_index.refresh_person(survivor)
    return survivor
