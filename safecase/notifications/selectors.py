"""Reading notifications: only the actor's own, only in the organisation they are acting in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery

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


# Notifications written (sent or marked read) in this process so far: the actions bump it, so
# a count read earlier in a request is not shown once the request itself changed the answer.
_writes = 0


def notifications_written() -> None:
    """Called by every action that writes notifications (see KnownUnread)."""
    global _writes
    _writes += 1


@dataclass(frozen=True)
class KnownUnread:
    """An unread count already read this request (with the member's memberships, by
    accounts.middleware.ActorMiddleware), so the header's badge needs no query of its own. It
    stands only while no notification has been written in this process since it was read."""

    organisation_id: object  # the membership's: it stands only for an actor acting there
    count: int
    writes: int  # writes_so_far() taken before the query that read ``count``


def writes_so_far() -> int:
    return _writes


class _BoundedCount(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) bounded_count)"
    output_field = IntegerField()


def unread_count_of_member() -> Subquery:
    """unread_count() as a subquery of a Membership query: the membership's user's unread
    notifications in the membership's organisation, counted up to UNREAD_COUNT_LIMIT + 1."""
    unread = Notification.objects.filter(
        recipient_id=OuterRef("user_id"),
        organisation_id=OuterRef("organisation_id"),
        read_at__isnull=True,
    )
    return _BoundedCount(unread.values("pk")[: UNREAD_COUNT_LIMIT + 1])


def unread_count(actor: Actor, known: KnownUnread | None = None) -> int:
    """How many are unread, counted up to UNREAD_COUNT_LIMIT + 1: one indexed query, or none
    when ``known`` was read this request and still stands."""
    if (
        known is not None
        and known.writes == _writes
        and known.organisation_id == actor.organisation_id
    ):
        return known.count
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
