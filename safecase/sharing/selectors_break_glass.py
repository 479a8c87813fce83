"""Reading break-glass openings (S3): the restricted record a lead may open, the report for
the organisation's auditors (RECORD_BREAK_GLASS_REVIEW), one opening for its reviewers, its
opener and the record's named people. Missing and forbidden are the same 404."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from safecase.access.models import BreakGlassAccess, RecordRestriction
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page
from safecase.sharing.kinds import KINDS, Kind, kind_of_content_type
from safecase.sharing.selectors import own_organisation_id

PAGE = 50
NEWEST_FIRST = ("-created_at", "-id")

# The record kinds that can be restricted to named people and so opened by break-glass.
BREAK_GLASS_KINDS = ("case", "person")


def break_glass_minutes() -> int:
    """How long a break-glass opening lasts (``SAFECASE_BREAK_GLASS_MINUTES``, default 60)."""
    return int(getattr(settings, "SAFECASE_BREAK_GLASS_MINUTES", 60))


def _parse(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def restricted_record(actor: Actor, kind_code: str, object_id: object) -> Any:
    """A record of the actor's own organisation restricted to named people the actor is not
    among, which they could open by break-glass; 404 otherwise (another organisation's record
    is never found here, whatever its restriction)."""
    pk = _parse(object_id)
    if kind_code not in BREAK_GLASS_KINDS or pk is None or actor.user is None:
        raise Http404
    if not can(actor, Permission.RECORD_BREAK_GLASS):
        raise Http404
    kind = KINDS[kind_code]
    record = kind.model._default_manager.filter(
        pk=pk, organisation_id=own_organisation_id(actor)
    ).first()
    if record is None:
        raise Http404
    restriction = RecordRestriction.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk.hex,
        organisation_id=own_organisation_id(actor),
    ).first()
    if restriction is None or restriction.named_people.filter(pk=actor.user.pk).exists():
        raise Http404
    return record


def restricted_case_by_reference(actor: Actor, reference: str) -> Any:
    """The actor's own organisation's case with this reference (e.g. C-00012) if it is
    restricted to named people the actor is not among, else None: how a lead who knows the
    reference of a case hidden from them reaches the break-glass form."""
    from safecase.cases.models import Case

    cleaned = reference.strip().upper()
    if not cleaned or len(cleaned) > 20 or not can(actor, Permission.RECORD_BREAK_GLASS):
        return None
    case = Case.objects.filter(
        organisation_id=own_organisation_id(actor), reference=cleaned
    ).first()
    if case is None:
        return None
    try:
        return restricted_record(actor, "case", case.pk)
    except Http404:
        return None


@dataclass
class OpeningRow:
    opening: BreakGlassAccess
    kind: Kind | None
    label: str

    @property
    def is_open(self) -> bool:
        return self.opening.expires_at > timezone.now()


def openings(actor: Actor) -> QuerySet[BreakGlassAccess]:
    if not can(actor, Permission.RECORD_BREAK_GLASS_REVIEW):
        return BreakGlassAccess.objects.none()
    return BreakGlassAccess.objects.filter(organisation_id=own_organisation_id(actor))


def _opening_rows(found: list[BreakGlassAccess]) -> list[OpeningRow]:
    rows = []
    for opening in found:
        kind = kind_of_content_type(opening.content_type_id)
        label = f"{kind.label} {opening.object_id[:8]}" if kind else opening.object_id[:8]
        rows.append(OpeningRow(opening=opening, kind=kind, label=label))
    return rows


def break_glass_report_page(
    actor: Actor, *, cursor: str | None, unreviewed_only: bool = False
) -> KeysetPage[OpeningRow]:
    """Every break-glass opening of the organisation, newest first (who, what, when, why,
    until when, reviewed or not): two queries per page."""
    found = openings(actor).select_related("user", "reviewed_by")
    if unreviewed_only:
        found = found.filter(reviewed_at__isnull=True)
    page = keyset_page(found, key=NEWEST_FIRST, cursor=cursor, size=PAGE)
    return KeysetPage(items=_opening_rows(page.items), next_cursor=page.next_cursor)


def opening_detail(actor: Actor, opening_id: object) -> OpeningRow:
    """One opening, for its organisation's reviewers, the one who opened it, and the people
    named on the record it opened (who were told of it); 404 for anyone else."""
    pk = _parse(opening_id)
    opening = (
        BreakGlassAccess.objects.filter(pk=pk, organisation_id=own_organisation_id(actor))
        .select_related("user", "reviewed_by")
        .first()
        if pk is not None and actor.user is not None
        else None
    )
    if opening is None or actor.user is None:
        raise Http404
    allowed = can(actor, Permission.RECORD_BREAK_GLASS_REVIEW) or opening.user_id == actor.user.pk
    if not allowed:
        allowed = RecordRestriction.objects.filter(
            organisation_id=own_organisation_id(actor),
            content_type_id=opening.content_type_id,
            object_id=opening.object_id,
            named_people=actor.user,
        ).exists()
    if not allowed:
        raise Http404
    return _opening_rows([opening])[0]
