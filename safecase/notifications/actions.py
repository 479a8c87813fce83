"""The only ways notifications are written: sent by other actions and tasks, read by their owner.

Each writes its audit event in the same transaction. ``notify`` joins the caller's transaction
(so a notification commits or rolls back with the escalation, alert or action it is about);
marking read is a request of its own and runs in a durable transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.accounts.models import Membership, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.notifications.models import LINKS, TEXTS, Notification, NotificationKind
from safecase.notifications.selectors import notifications_visible_to, notifications_written


def _when(moment: datetime) -> str:
    """'14:02' today, '14:02 on 3 March 2026' otherwise, in the service's time zone."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M}"
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


@transaction.atomic
def notify(
    *,
    actor: Actor,
    organisation_id: uuid.UUID,
    recipients: Iterable[User],
    kind: NotificationKind,
    target_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> list[Notification]:
    """Tell each recipient, in-app, that something of ``kind`` waits for them.

    Only active members of the organisation are told, and nobody twice about the same record
    for the same reason (so a retried task or a daily reminder adds nothing new). ``at`` is the
    time the sentence gives (the default is now). Returns the notifications created.

    Raises NotPermitted when a signed-in actor tries to notify people in an organisation other
    than the one they are acting in.
    """
    if not actor.is_system and actor.organisation_id != organisation_id:
        raise NotPermitted("You can only notify people in the organisation you are working in.")
    wanted = {user.pk for user in recipients}
    if not wanted:
        return []
    members = set(
        Membership.objects.filter(
            organisation_id=organisation_id,
            organisation__is_active=True,
            is_active=True,
            user__is_active=True,
            user_id__in=wanted,
        ).values_list("user_id", flat=True)
    )
    if target_id is not None and members:
        members -= set(
            Notification.objects.filter(
                recipient_id__in=members,
                organisation_id=organisation_id,
                kind=kind,
                target_id=target_id,
            ).values_list("recipient_id", flat=True)
        )
    if not members:
        return []
    url_name, _ = LINKS[kind]
    text = TEXTS[kind].format(when=_when(at or timezone.now()))
    notifications_written()
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            organisation_id=organisation_id,
            kind=kind,
            target_url_name=url_name,
            target_id=target_id,
            text=text,
        )
        for user_id in sorted(members, key=str)
    )
    recorder.record(
        actor=actor,
        action=AuditAction.NOTIFICATION_SENT,
        subject_type=Notification._meta.label_lower,
        subject_id=str(created[0].pk) if len(created) == 1 else "",
        organisation_id=organisation_id,
        changes={
            "kind": str(kind),
            "target": target_id,
            "recipients": [n.recipient_id for n in created],
            "notifications": [n.pk for n in created],
        },
    )
    return created


def _require_recipient(actor: Actor, notification: Notification) -> None:
    require(actor, Permission.NOTIFICATION_VIEW_OWN, notification)
    if actor.user is None or notification.recipient_id != actor.user.pk:
        raise NotPermitted("That notification is not yours.")


@transaction.atomic(durable=True)
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """The recipient has seen it. Marking a read notification again changes nothing."""
    _require_recipient(actor, notification)
    now = timezone.now()
    notifications_written()
    # Conditional, so two clicks (or two tabs) record one read, at the first time.
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if changed:
        notification.read_at = now
        recorder.record(actor=actor, action=AuditAction.NOTIFICATION_READ, subject=notification)
    else:
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic(durable=True)
def notification_mark_all_read(*, actor: Actor, up_to: datetime | None = None) -> int:
    """Mark every unread notification of the actor in this organisation read, up to ``up_to``
    (when the list was shown), so one that arrives while they read is not passed over unseen.
    Returns how many were marked."""
    require(actor, Permission.NOTIFICATION_VIEW_OWN)
    now = timezone.now()
    unread = notifications_visible_to(actor).filter(read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(created_at__lte=min(up_to, now))
    notifications_written()
    count = unread.update(read_at=now)
    if count:
        recorder.record(
            actor=actor, action=AuditAction.NOTIFICATION_ALL_READ, changes={"count": count}
        )
    return count
