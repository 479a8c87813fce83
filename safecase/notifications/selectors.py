"""Reading notifications: only the actor's own, only in the organisation they are acting in."""

from __future__ import annotations

from django.db.models import QuerySet

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page
from safecase.notifications.models import Notification

# The header shows "99+" beyond this: counting stops there, so the count stays cheap.
UNREAD_COUNT_LIMIT = 99
PAGE_SIZE = 25


def notifications_visible_to(actor: Actor) -> QuerySet[Notification]:
    """The actor's own notifications in their current organisation; nobody else's, ever."""
    if (
        actor.user is None
        or actor.organisation is None
        or not can(actor, Permission.NOTIFICATION_VIEW_OWN)
    ):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=actor.user, organisation=actor.organisation)


def unread_count(actor: Actor) -> int:
    """How many are unread, counted up to UNREAD_COUNT_LIMIT + 1: one indexed query."""
    unread = notifications_visible_to(actor).filter(read_at__isnull=True)
    return unread[: UNREAD_COUNT_LIMIT + 1].count()


def notification_page(
    actor: Actor, *, unread_only: bool, cursor: str | None, size: int = PAGE_SIZE
) -> KeysetPage[Notification]:
    """One page, newest first; a malformed cursor starts from the newest."""
    notifications = notifications_visible_to(actor)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return keyset_page(
        notifications, key=("created_at", "id"), cursor=cursor, descending=True, size=size
    )


def access_notification(actor: Actor, notification_id: object) -> Notification:
    """The actor's own notification in this organisation, or 404 (recorded when it exists)."""
    return access_object(
        actor,
        notifications_visible_to(actor),
        notification_id,
        Permission.NOTIFICATION_VIEW_OWN,
    )
