"""Reading for the known-to check: which organisations a check may reach, which of them the
digests match (never which record), the contacts, and a practitioner's own checks.

Who may be matched (ADR 0016): an active organisation other than the asker's, currently a
member of a partnership in force today that the asker's organisation is currently a member
of. What may be matched: a person record that is not merged away, not restricted to named
people, and not known only through closed records (every case and concern naming them is
restricted, is on a restricted case, or is on the low-level concerns log). The rule is applied
here, when the check is answered, from the restrictions as they stand, so the index never needs
to know them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from safecase.access.models import RecordRestriction
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Organisation, PartnershipMember
from safecase.core.actors import Actor
from safecase.partnerships.knownto.models import (
    KnownToCheck,
    KnownToContact,
    KnownToDigest,
)

DEFAULT_CHECKS_PER_HOUR = 30


def checks_per_hour() -> int:
    """The hourly limit per user: ``SAFECASE_KNOWN_TO_CHECKS_PER_HOUR``, the setting or else
    the environment variable (default 30; at least 1)."""
    name = "SAFECASE_KNOWN_TO_CHECKS_PER_HOUR"
    configured = getattr(settings, name, None) or os.environ.get(name) or DEFAULT_CHECKS_PER_HOUR
    try:
        return max(1, int(configured))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number of checks.") from exc


def may_set_contact(actor: Actor) -> bool:
    """The lead (who holds the safeguarding settings) or the organisation's administrator."""
    return can(actor, Permission.CONCERN_CONFIGURE) or can(actor, Permission.ORG_MANAGE_SETTINGS)


# Shown with every answer, on the page and in the API.
NOT_KNOWN_NOTE = (
    "“Not known” is not proof that no partner knows this person: a partner may hold them "
    "under a different identifier or spelling, may not record the identifier you gave, or may "
    "hold them in a restricted record that is never matched. Follow your usual safeguarding "
    "procedures whatever the answer."
)


@dataclass(frozen=True)
class Found:
    """One organisation the person is known to, and whom to contact there."""

    organisation_id: uuid.UUID
    organisation_name: str
    contact_role: str
    contact_mailbox: str


def _current_members() -> models.QuerySet[PartnershipMember]:
    today = timezone.localdate()
    return PartnershipMember.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today),
        joined_on__lte=today,
        partnership__starts_on__lte=today,
    ).filter(Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=today))


def partner_organisation_ids(organisation_id: uuid.UUID) -> models.QuerySet[PartnershipMember, Any]:
    """The organisations a check by a member of ``organisation_id`` may reach (a subquery of
    their keys): fellow current members of its current partnerships, itself excluded."""
    partnerships = (
        _current_members().filter(organisation_id=organisation_id).values("partnership_id")
    )
    return (
        _current_members()
        .filter(partnership_id__in=partnerships, organisation__is_active=True)
        .exclude(organisation_id=organisation_id)
        .values("organisation_id")
    )


def _keys(model: type[models.Model]) -> models.QuerySet[RecordRestriction, Any]:
    """The keys of every restricted record of ``model``, as UUIDs (a subquery)."""
    content_type = ContentType.objects.get_for_model(model)
    return RecordRestriction.objects.filter(content_type=content_type).values(
        key=Cast("object_id", output_field=models.UUIDField())
    )


def matchable(digests_found: models.QuerySet[KnownToDigest]) -> models.QuerySet[KnownToDigest]:
    """Leave out rows of people who must never be matched (see the module docstring)."""
    # Imported here: the cases and concerns apps build on people; known-to reads them only here.
    from safecase.cases.models import Case, CaseConcern, CaseSubject
    from safecase.concerns.choices import ConcernKind
    from safecase.concerns.models import Concern, ConcernPerson
    from safecase.people.models import Person

    restricted_cases = _keys(Case)
    restricted_concerns = _keys(Concern)
    on_restricted_case = CaseConcern.objects.filter(case_id__in=restricted_cases).values(
        "concern_id"
    )
    person = OuterRef("person_id")
    closed_case = CaseSubject.objects.filter(person_id=person, case_id__in=restricted_cases)
    open_case = CaseSubject.objects.filter(person_id=person).exclude(case_id__in=restricted_cases)
    named = ConcernPerson.objects.filter(person_id=person)
    # The low-level concerns log about adults is the lead's alone (KCSIE Part 4): counted as
    # closed, like a restricted record.
    closed = (
        Q(concern_id__in=restricted_concerns)
        | Q(concern_id__in=on_restricted_case)
        | Q(concern__kind=ConcernKind.LOW_LEVEL_ADULT)
    )
    closed_concern = named.filter(closed)
    open_concern = named.exclude(closed)
    only_through_restricted = (Exists(closed_case) | Exists(closed_concern)) & ~(
        Exists(open_case) | Exists(open_concern)
    )
    return (
        digests_found.filter(person__merged_into__isnull=True)
        .exclude(person_id__in=_keys(Person))
        .exclude(only_through_restricted)
    )


def matching_organisations(actor: Actor, wanted: Iterable[tuple[str, str]]) -> list[Found]:
    """The partner organisations holding a matchable person under any of ``wanted`` (pairs of
    digest kind and digest), with their contacts, by name. One query, whatever the number of
    people indexed: the digest index finds the few rows, the rules above filter them."""
    assert actor.organisation is not None
    wanted_q = Q()
    for kind, digest in sorted(set(wanted)):
        wanted_q |= Q(digest_kind=kind, digest=digest)
    if not wanted_q:
        return []
    rows = matchable(
        KnownToDigest.objects.filter(wanted_q).filter(
            organisation_id__in=partner_organisation_ids(actor.organisation.pk)
        )
    ).values_list("organisation_id", flat=True)
    organisations = (
        Organisation.objects.filter(pk__in=rows)
        .select_related("known_to_contact")
        .order_by("name", "pk")
    )
    found = []
    for organisation in organisations:
        contact = getattr(organisation, "known_to_contact", None)
        found.append(
            Found(
                organisation_id=organisation.pk,
                organisation_name=organisation.name,
                contact_role=contact.role if contact else "",
                contact_mailbox=contact.mailbox if contact else "",
            )
        )
    return found


def checks_in_last_hour(actor: Actor) -> int:
    assert actor.user is not None
    since = timezone.now() - timedelta(hours=1)
    return KnownToCheck.objects.filter(asked_by=actor.user, created_at__gte=since).count()


def contact_for(organisation_id: uuid.UUID | None) -> KnownToContact | None:
    if organisation_id is None:
        return None
    return KnownToContact.objects.filter(organisation_id=organisation_id).first()


def checks_visible_to(actor: Actor) -> models.QuerySet[KnownToCheck]:
    """The actor's own checks in their current organisation: nobody else's, not even their
    lead's (the lead reads the audit trail)."""
    if actor.user is None or actor.organisation is None:
        return KnownToCheck.objects.none()
    return KnownToCheck.objects.filter(asked_by=actor.user, organisation=actor.organisation)


def recent_checks(actor: Actor, limit: int = 10) -> list[KnownToCheck]:
    """The actor's latest checks in their current organisation (their own only)."""
    if actor.user is None or actor.organisation is None:
        return []
    return list(checks_visible_to(actor).order_by("-created_at")[:limit])
