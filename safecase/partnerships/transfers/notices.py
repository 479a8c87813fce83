"""Telling leads in-app that a transfer needs them: the receiver's when a file arrives, the
sender's when it is accepted or rejected, both sides at each escalation step. The sentences say
when and where to look, never whose file it is (safecase.notifications.models.TEXTS).

These cross organisations (the sender's lead acts; the receiver's leads are told), which a
signed-in actor may not do through notify(), so a system notifier sends them, inside the
calling action's transaction: they commit or roll back with it. Who caused them is in the
action's own audit event. Recipients are the members whose role may open the page the
notification links to: transfer.receive for the received file, transfer.send for the sent one
(so never a reporter, and never anyone in a third organisation).
"""

from __future__ import annotations

import uuid

from safecase.access.permissions import Permission
from safecase.core.actors import Actor
from safecase.notifications.actions import notify
from safecase.notifications.models import NotificationKind
from safecase.partnerships.notices import holders

WAITING = {
    1: NotificationKind.TRANSFER_WAITING_1,
    2: NotificationKind.TRANSFER_WAITING_2,
    3: NotificationKind.TRANSFER_WAITING_3,
}
UNANSWERED = {
    1: NotificationKind.TRANSFER_UNANSWERED_1,
    2: NotificationKind.TRANSFER_UNANSWERED_2,
    3: NotificationKind.TRANSFER_UNANSWERED_3,
}

_NOTIFIER = "transfer notifications"


def _tell(
    organisation_id: uuid.UUID, perm: Permission, kind: NotificationKind, transfer_id: uuid.UUID
) -> None:
    notify(
        actor=Actor.system(_NOTIFIER),
        organisation_id=organisation_id,
        recipients=holders(organisation_id, perm),
        kind=kind,
        target_id=transfer_id,
    )


def tell_receiver(organisation_id: uuid.UUID, transfer_id: uuid.UUID) -> None:
    """A file arrived (sent here, delivered from another installation, or resent)."""
    _tell(
        organisation_id,
        Permission.TRANSFER_RECEIVE,
        NotificationKind.TRANSFER_RECEIVED,
        transfer_id,
    )


def tell_sender_decided(
    organisation_id: uuid.UUID, transfer_id: uuid.UUID, *, accepted: bool
) -> None:
    """The receiver accepted (receipt confirmed) or rejected a file this organisation sent."""
    kind = NotificationKind.TRANSFER_ACCEPTED if accepted else NotificationKind.TRANSFER_REJECTED
    _tell(organisation_id, Permission.TRANSFER_SEND, kind, transfer_id)


def tell_escalated(
    *,
    receiver_id: uuid.UUID | None,
    sender_id: uuid.UUID | None,
    transfer_id: uuid.UUID,
    step: int,
) -> None:
    """Escalation step ``step``: the receiver's leads and the sender's, each once per step."""
    if receiver_id is not None and step in WAITING:
        _tell(receiver_id, Permission.TRANSFER_RECEIVE, WAITING[step], transfer_id)
    if sender_id is not None and step in UNANSWERED:
        _tell(sender_id, Permission.TRANSFER_SEND, UNANSWERED[step], transfer_id)
