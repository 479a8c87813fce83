"""Telling people in-app that hub work waits for them: hub staff of a new referral, an agency of
a new request, the referrer of the decision, the agency's approvers and the hub of a late
request. The sentences name no child and quote nothing (safecase.notifications.models.TEXTS).

They cross organisations (a school's referral tells the hub's staff), which a signed-in actor
may not do through notify(), so the hub's notifier, a system actor, sends them; the actor who
caused them is in the action's own audit event.
"""

from __future__ import annotations

import uuid

from safecase.access.permissions import Permission
from safecase.access.roles import permissions_for
from safecase.accounts.models import Membership, User
from safecase.core.actors import Actor
from safecase.notifications.actions import notify
from safecase.notifications.models import NotificationKind


def holders(organisation_id: uuid.UUID, perm: Permission) -> list[User]:
    """The organisation's active members holding ``perm`` (one query, roles prefetched)."""
    members = (
        Membership.objects.filter(
            organisation_id=organisation_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .prefetch_related("roles")
    )
    return [m.user for m in members if perm in permissions_for(frozenset(m.role_names()))]


def tell(
    organisation_id: uuid.UUID,
    people: list[User],
    kind: NotificationKind,
    target_id: uuid.UUID,
) -> None:
    notify(
        actor=Actor.system("hub notifications"),
        organisation_id=organisation_id,
        recipients=people,
        kind=kind,
        target_id=target_id,
    )


def tell_holders(
    organisation_id: uuid.UUID, perm: Permission, kind: NotificationKind, target_id: uuid.UUID
) -> list[User]:
    people = holders(organisation_id, perm)
    tell(organisation_id, people, kind, target_id)
    return people
