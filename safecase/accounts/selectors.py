"""Reads about accounts: memberships of a user, of an organisation, and whether MFA is required."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet

from safecase.access import scoping
from safecase.access.roles import MFA_EXEMPT_ROLES
from safecase.accounts.models import Membership, MembershipRole, User, UserSession
from safecase.core.actors import Actor
from safecase.notifications import selectors as notification_selectors


def active_memberships_of(user: User, **annotations: Any) -> list[Membership]:
    """The user's active memberships in active organisations, each with its organisation and
    its roles (``membership.roles.all()`` reads no more), in one query: every signed-in request
    asks this (security bar Z6: a revoked role counts at once). ``annotations`` ride along as
    attributes of each membership (an expression over one membership row, e.g. a subquery)."""
    return _with_roles(
        Membership.objects.filter(user=user).select_related("organisation"), annotations
    )


def _with_roles(memberships: QuerySet[Membership], annotations: dict[str, Any]) -> list[Membership]:
    by_pk: dict[object, Membership] = {}
    roles: dict[object, list[MembershipRole]] = {}
    rows = (
        memberships.filter(is_active=True, organisation__is_active=True)
        .annotate(role_pk=F("roles__id"), role_name=F("roles__role"))  # LEFT JOIN: one row a role
        .annotate(**annotations)
        .order_by("organisation__name", "organisation_id", "role_name")
    )
    for row in rows:
        membership = by_pk.setdefault(row.pk, row)
        held = roles.setdefault(row.pk, [])
        if row.role_pk is not None:
            held.append(MembershipRole(pk=row.role_pk, membership=membership, role=row.role_name))
    for pk, membership in by_pk.items():
        # What prefetch_related("roles") would leave: the related manager answers from it.
        # Based on the real query, so a chained .filter() or .values() still asks the database.
        # Any: private QuerySet attributes, which the stubs know only on some import orders.
        cached: Any = MembershipRole.objects.filter(membership_id=cast("uuid.UUID", pk))
        cached._result_cache = roles[pk]
        cached._prefetch_done = True
        setattr(membership, "_prefetched_objects_cache", {"roles": cached})  # noqa: B010
    return list(by_pk.values())


@dataclass(frozen=True)
class RequestMemberships:
    """What every signed-in request reads about its user (accounts.middleware.ActorMiddleware):
    their active memberships, each with ``unread_notifications`` (the header's count), and
    notifications.selectors.writes_so_far() as it was before they were read."""

    memberships: list[Membership]
    notification_writes: int


def memberships_for_request(user: User) -> RequestMemberships:
    writes = notification_selectors.writes_so_far()
    memberships = active_memberships_of(
        user, unread_notifications=notification_selectors.unread_count_of_member()
    )
    return RequestMemberships(memberships, writes)


# Where session_user() leaves a user's RequestMemberships for ActorMiddleware.
READ_WITH_USER = "_request_memberships"


def session_user(user_id: Any) -> User | None:
    """The user a session names, read together with memberships_for_request() in one query
    (the memberships' rows carry the user's columns), left on the user as READ_WITH_USER so
    the request does not ask again; a user without active memberships costs a second query.
    For the authentication backend: it still decides whether the user may sign in at all."""
    writes = notification_selectors.writes_so_far()
    memberships = _with_roles(
        Membership.objects.filter(user_id=user_id).select_related("organisation", "user"),
        {"unread_notifications": notification_selectors.unread_count_of_member()},
    )
    if memberships:
        user = memberships[0].user
        for membership in memberships:
            membership.user = user
    else:
        found = User._default_manager.filter(pk=user_id).first()
        if found is None:
            return None
        user = found
    setattr(user, READ_WITH_USER, RequestMemberships(memberships, writes))
    return user


def mfa_required(user: User, memberships: list[Membership]) -> bool:
    """MFA for every role except reporter, and for reporters where the organisation says so."""
    if settings.SAFECASE_DEMO and user.is_demo:
        return False
    for membership in memberships:
        roles = {r.role for r in membership.roles.all()}
        if roles - MFA_EXEMPT_ROLES or membership.organisation.mfa_required_for_reporters:
            return True
    return False


def member_list(actor: Actor) -> QuerySet[Membership]:
    """The organisation's members for its administrators, by name, with roles prefetched."""
    return (
        scoping.memberships_visible_to(actor)
        .select_related("user")
        .prefetch_related(Prefetch("roles", queryset=MembershipRole.objects.order_by("role")))
        .order_by("user__full_name", "user__email")
    )


def sessions_of(user: User) -> list[UserSession]:
    """A user's recorded sessions, most recent first (at most 50)."""
    return list(UserSession.objects.filter(user=user).order_by("-last_seen_at")[:50])
