"""Querysets of what an actor may see. Every selector starts here (NetBox's restrict())."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from safecase.access.models import BreakGlassAccess, RecordRestriction, ShareGrant
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
    return restrict_as(queryset, actor, perm, governed_by=queryset.model, key="pk")


def restrict_as(
    queryset: models.QuerySet[M],
    actor: Actor,
    perm: Permission,
    *,
    governed_by: type[models.Model],
    key: str,
) -> models.QuerySet[M]:
    """``restrict()`` for rows that stand for another record: a projection such as a person's
    chronology lines, each visible exactly when the record it comes from (``governed_by``,
    whose key the row holds in ``key``; the row's ``organisation`` is the record's) would be.
    The same rule, the same shares and restrictions, applied to the row's copy of the keys."""
    if actor.is_system:
        return queryset
    if actor.user is None or actor.organisation is None or perm not in permissions_for(actor.roles):
        return queryset.none()
    content_type_id = ContentType.objects.get_for_model(governed_by).pk
    seen = visibility(actor)
    visible = models.Q(organisation_id=actor.organisation.pk)
    if perm in SHAREABLE_PERMISSIONS:
        shared = seen.shared_ids(content_type_id)
        if _any(shared):
            visible |= models.Q(**{f"{key}__in": shared})
    queryset = queryset.filter(visible)
    restricted = seen.restricted_ids(content_type_id)
    return queryset.exclude(**{f"{key}__in": restricted}) if _any(restricted) else queryset


def restrict_lines(
    queryset: models.QuerySet[M],
    actor: Actor,
    rules: tuple[tuple[Permission, type[models.Model], str], ...],
) -> models.QuerySet[M]:
    """``restrict_as()`` for rows that each stand for one of several kinds of record, holding
    the key of exactly one (the others null): a person's chronology lines, each a concern's or
    a case's. ``rules`` gives, per kind, the permission that reads it, its model and the key
    column. A row is visible exactly when its own record would be; a kind whose permission the
    actor lacks is left out. Built without an OR across organisations, as restrict() is."""
    if actor.is_system:
        return queryset
    if actor.user is None or actor.organisation is None:
        return queryset.none()
    held = permissions_for(actor.roles)
    seen = visibility(actor)
    visible = models.Q(organisation_id=actor.organisation.pk)
    readable = False
    for perm, governed_by, key in rules:
        if perm not in held:
            queryset = queryset.filter(**{f"{key}__isnull": True})
            continue
        readable = True
        content_type_id = ContentType.objects.get_for_model(governed_by).pk
        if perm in SHAREABLE_PERMISSIONS:
            shared = seen.shared_ids(content_type_id)
            if _any(shared):
                visible |= models.Q(**{f"{key}__in": shared})
        restricted = seen.restricted_ids(content_type_id)
        if _any(restricted):
            # A row of another kind (this key null) is not excluded: NOT IN passes NULL here.
            queryset = queryset.exclude(**{f"{key}__in": restricted})
    return queryset.filter(visible) if readable else queryset.none()


def _any(keys: list[object] | models.QuerySet[Any]) -> bool:
    """Whether there are keys to apply: a subquery (past MAX_SHARED_IDS) always counts, and is
    never evaluated here (truth-testing a QuerySet would read every row)."""
    return not isinstance(keys, list) or bool(keys)


# Keys read into a list up to this many; beyond it (a hub receiving very many shares, an
# organisation restricting very many records), the rule falls back to subqueries.
MAX_SHARED_IDS = 2000


def shared_ids(actor: Actor, model: type[models.Model]) -> list[object] | models.QuerySet[Any]:
    """Keys of ``model`` records an active grant shares into the actor's organisation: a list
    (usually empty), or past MAX_SHARED_IDS a subquery. Candidates only: the record's selector
    still decides what the actor sees. Read once per actor (see visibility())."""
    if actor.organisation_id is None or actor.user is None:
        return []
    return visibility(actor).shared_ids(ContentType.objects.get_for_model(model).pk)


@dataclass(frozen=True)
class Visibility:
    """What differs from "the organisation's own records" for one actor: the records shared
    into the organisation and the records restricted to named people the actor is not among,
    as (content type id, object key) pairs; ``None`` when there are too many to list.

    Read in two small indexed queries, once per actor (a request, a task), and reused by every
    selector and policy check that follows. So the visibility rule is never
    ``organisation_id = X OR id IN (subquery)``: that OR keeps both planners from using any
    organisation index, and every row of the table is read (27 ms per duplicate check at
    county scale). ``organisation_id = X`` alone, or OR'd with a short list of keys, is
    answered from indexes on PostgreSQL (BitmapOr) and SQLite (multi-index OR). A grant made
    or revoked, or a restriction set, by another process counts from the actor's next request;
    in this process at once (forget_visibility()).
    """

    actor: Actor
    shared: frozenset[tuple[int, str]] | None
    restricted: frozenset[tuple[int, str]] | None

    def shared_ids(self, content_type_id: int) -> list[object] | models.QuerySet[Any]:
        if self.shared is None:
            return (
                _active_grants(self.actor)
                .filter(content_type_id=content_type_id)
                .values(key=_as_uuid())
            )
        return [uuid.UUID(key) for ct, key in self.shared if ct == content_type_id]

    def restricted_ids(self, content_type_id: int) -> list[object] | models.QuerySet[Any]:
        if self.restricted is None:
            return _restrictions_hiding_from(self.actor, content_type_id).values(key=_as_uuid())
        return [uuid.UUID(key) for ct, key in self.restricted if ct == content_type_id]

    def is_shared(self, content_type_id: int, key: str) -> bool | None:
        """Whether a grant shares this record in; None when the list was too long to keep."""
        return None if self.shared is None else (content_type_id, key) in self.shared

    def is_restricted(self, content_type_id: int, key: str) -> bool | None:
        """Whether the record is closed to the actor; None when the list was too long to keep."""
        return None if self.restricted is None else (content_type_id, key) in self.restricted


_VISIBILITY = "visibility"
# Bumped by every change to shares or restrictions made in this process, so an actor kept
# across such a change (a test, a long task) reads its Visibility afresh. Other processes'
# actors live for one request, and read it at their next.
_generation = 0
# Organisations that gained a share or a restriction in this process: their hints may be true
# in the database while an actor's copy of the organisation still says false.
_hinted_here: set[object] = set()
_NOTHING = frozenset[tuple[int, str]]()


def visibility(actor: Actor) -> Visibility:
    """The actor's Visibility (see there); the actor must have a user and an organisation."""
    found = actor.memo.get(_VISIBILITY)
    if isinstance(found, tuple) and found[0] == _generation:
        return found[1]  # type: ignore[no-any-return]
    generation = _generation
    assert actor.organisation is not None  # callers pass an actor acting in an organisation
    organisation = actor.organisation
    if (
        not organisation.receives_shares
        and not organisation.restricts_records
        and organisation.pk not in _hinted_here
    ):
        # Nothing was ever shared into this organisation nor restricted in it: no queries.
        seen = Visibility(actor=actor, shared=_NOTHING, restricted=_NOTHING)
        actor.memo[_VISIBILITY] = (generation, seen)
        return seen
    shared_rows = list(
        _active_grants(actor).values_list("content_type_id", "object_id")[: MAX_SHARED_IDS + 1]
    )
    shared = None if len(shared_rows) > MAX_SHARED_IDS else frozenset(shared_rows)
    restrictions = RecordRestriction.objects.filter(organisation_id=actor.organisation.pk)
    if shared:
        # A shared record stays under its owner's restriction.
        restrictions = RecordRestriction.objects.filter(
            models.Q(organisation_id=actor.organisation.pk)
            | models.Q(object_id__in=[key for _ct, key in shared])
        )
    elif shared is None:
        restrictions = RecordRestriction.objects.all()
    restricted_rows = list(
        restrictions.exclude(named_people=actor.user)
        .exclude(_opened_by_break_glass(actor))
        .values_list("content_type_id", "object_id")[: MAX_SHARED_IDS + 1]
    )
    restricted = None if len(restricted_rows) > MAX_SHARED_IDS else frozenset(restricted_rows)
    seen = Visibility(actor=actor, shared=shared, restricted=restricted)
    actor.memo[_VISIBILITY] = (generation, seen)
    return seen


def forget_visibility(organisation_id: object = None) -> None:
    """Make every actor in this process read its Visibility afresh: call after a share or a
    restriction is made, changed or revoked (naming the organisation whose hint it set)."""
    global _generation
    _generation += 1
    if organisation_id is not None:
        _hinted_here.add(organisation_id)


def _opened_by_break_glass(actor: Actor) -> models.Exists:
    """A restriction the actor has opened by break-glass (S3) and may still see through: part
    of the one restrictions query, so break-glass costs no query of its own (ADR 0015). Only a
    restriction of the actor's own organisation matches, so a break-glass never opens another
    organisation's record, even one shared in."""
    assert actor.user is not None and actor.organisation is not None  # visibility() has both
    return models.Exists(
        BreakGlassAccess.objects.filter(
            organisation_id=actor.organisation.pk,
            user_id=actor.user.pk,
            content_type_id=models.OuterRef("content_type_id"),
            object_id=models.OuterRef("object_id"),
            expires_at__gt=timezone.now(),
        ).filter(organisation_id=models.OuterRef("organisation_id"))
    )


def _active_grants(actor: Actor) -> models.QuerySet[ShareGrant]:
    return ShareGrant.objects.active().filter(to_organisation_id=actor.organisation_id)


def _restrictions_hiding_from(actor: Actor, content_type_id: int) -> models.QuerySet[Any]:
    return (
        RecordRestriction.objects.filter(content_type_id=content_type_id)
        .exclude(named_people=actor.user)
        .exclude(_opened_by_break_glass(actor))
    )


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
