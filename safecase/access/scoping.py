"""Querysets of what an actor may see. Every selector starts here (NetBox's restrict())."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast

from safecase.access.models import RecordRestriction, ShareGrant
from safecase.access.permissions import SHAREABLE_PERMISSIONS, Permission
from safecase.access.roles import permissions_for
from safecase.accounts.models import ApiToken, Membership, Organisation
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor

M = TypeVar("M", bound=models.Model)


def restrict(queryset: models.QuerySet[M], actor: Actor, perm: Permission) -> models.QuerySet[M]:
    """Narrow a queryset of tenant-owned records (with ``organisation``) to what ``actor`` may see.

    Own organisation's records, except those restricted to named people the actor is not among;
    plus records shared with the actor's organisation by an active grant, when ``perm`` is one a
    share can confer. Answered in SQL, so counts and pages never see a forbidden row.
    """
    if actor.is_system:
        return queryset
    if actor.user is None or actor.organisation is None or perm not in permissions_for(actor.roles):
        return queryset.none()
    content_type = ContentType.objects.get_for_model(queryset.model)
    # object_id holds the record's UUID as 32 hex digits (object_key); cast it back to a UUID
    # so the primary-key index answers "pk IN (...)" on both databases.
    restricted_ids = (
        RecordRestriction.objects.filter(content_type=content_type)
        .exclude(named_people=actor.user)
        .values(key=_as_uuid())
    )
    visible = models.Q(organisation_id=actor.organisation.pk)
    if perm in SHAREABLE_PERMISSIONS:
        shared = _shared_ids(actor, content_type)
        if shared is not None:
            visible |= models.Q(pk__in=shared)
    return queryset.filter(visible).exclude(pk__in=restricted_ids)


# Shared ids passed on as a list up to this many; beyond it (a hub receiving very many shares),
# as a subquery.
MAX_SHARED_IDS = 2000


def shared_ids(actor: Actor, model: type[models.Model]) -> list[object] | models.QuerySet[Any]:
    """Keys of ``model`` records an active grant shares into the actor's organisation: a list
    (usually empty), or past MAX_SHARED_IDS a subquery. Candidates only: the record's selector
    still decides what the actor sees. Read once per actor (see _shared_ids)."""
    if actor.organisation_id is None:
        return []
    found = _shared_ids(actor, ContentType.objects.get_for_model(model))
    return [] if found is None else found


def _shared_ids(
    actor: Actor, content_type: ContentType
) -> list[object] | models.QuerySet[Any] | None:
    """Ids of records of one type that an active grant shares into the actor's organisation,
    or None when there are none (the usual case: most organisations receive no shares).

    One small indexed query, answered before the main one so that the visibility rule is never
    ``organisation_id = X OR id IN (subquery)``: that OR keeps both planners from using any
    organisation index, and every row of the table is read (27 ms per duplicate check at
    county scale). ``organisation_id = X`` alone, or OR'd with a short list of keys, is
    answered from indexes on PostgreSQL (BitmapOr) and SQLite (multi-index OR).
    """
    memo_key = ("shared_ids", actor.organisation_id, content_type.pk)
    if memo_key in actor.memo:
        return actor.memo[memo_key]  # type: ignore[return-value]
    grants = ShareGrant.objects.active().filter(
        to_organisation_id=actor.organisation_id, content_type=content_type
    )
    ids = list(grants.values_list(_as_uuid(), flat=True)[: MAX_SHARED_IDS + 1])
    shared: list[object] | models.QuerySet[Any] | None = ids or None
    if len(ids) > MAX_SHARED_IDS:
        shared = grants.values(key=_as_uuid())
    # Kept for the rest of this actor's request or task: a grant made or revoked meanwhile
    # counts from the next one (a request lasts milliseconds; actors are never kept longer).
    actor.memo[memo_key] = shared
    return shared


def _as_uuid() -> Cast:
    return Cast("object_id", output_field=models.UUIDField())


def _holds(actor: Actor, perm: Permission) -> bool:
    return actor.is_system or (
        actor.user is not None
        and actor.organisation is not None
        and perm in permissions_for(actor.roles)
    )


def memberships_visible_to(actor: Actor) -> models.QuerySet[Membership]:
    """Memberships of the actor's organisation, for its administrators."""
    if not _holds(actor, Permission.ORG_MANAGE_MEMBERS):
        return Membership.objects.none()
    assert actor.organisation is not None  # _holds() checked it
    return Membership.objects.filter(organisation_id=actor.organisation.pk)


def audit_events_visible_to(actor: Actor) -> models.QuerySet[AuditEvent]:
    """The audit trail of the actor's organisation, for its auditors."""
    if not _holds(actor, Permission.AUDIT_VIEW):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(chain=str(actor.organisation_id))


def api_tokens_visible_to(actor: Actor) -> models.QuerySet[ApiToken]:
    """The actor's own API tokens for the organisation they are acting in."""
    if not _holds(actor, Permission.TOKEN_MANAGE_OWN) or actor.user is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=actor.user, organisation=actor.organisation)


def organisations_visible_to(actor: Actor) -> models.QuerySet[Organisation]:
    """Organisations the actor is an active member of."""
    if actor.user is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=actor.user, memberships__is_active=True, is_active=True
    )
