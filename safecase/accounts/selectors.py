"""Reads about accounts: memberships of a user, of an organisation, and whether MFA is required."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet

from safecase.access import scoping
from safecase.access.roles import MFA_EXEMPT_ROLES
from safecase.accounts.models import Membership, MembershipRole, User, UserSession
from safecase.core.actors import Actor


def active_memberships_of(user: User, **annotations: Any) -> list[Membership]:
    """The user's active memberships in active organisations, each with its organisation and
    its roles (``membership.roles.all()`` reads no more), in one query: every signed-in request
    asks this (security bar Z6: a revoked role counts at once). ``annotations`` ride along as
    attributes of each membership (an expression over one membership row, e.g. a subquery)."""
    by_pk: dict[object, Membership] = {}
    roles: dict[object, list[MembershipRole]] = {}
    rows = (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
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
        cached = MembershipRole.objects.filter(membership_id=pk)
        cached._result_cache = roles[pk]  # type: ignore[attr-defined]
        cached._prefetch_done = True
        membership._prefetched_objects_cache = {"roles": cached}  # type: ignore[attr-defined]
    return list(by_pk.values())


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
