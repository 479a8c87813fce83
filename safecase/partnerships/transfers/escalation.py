"""Nothing sits unseen: a file the receiver has not accepted or rejected by its due date (5
working days by default, ``SAFECASE_TRANSFER_RESPONSE_WORKING_DAYS``) is escalated to the
receiving organisation's leads and to the sender's, once per step: step 1 on the working day
after it fell due, then one more step every further period of the same length, up to
``MAX_STEPS``. Run by ``manage.py transfers_escalate`` (daily) or the task ``escalate_transfers``.

Each step is audited in both organisations' chains, e-mailed (no names: "a file waits") and
notified in-app to both sides once per step (notices.py).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.calendar import add_working_days
from safecase.partnerships.transfers import notices
from safecase.partnerships.transfers.choices import OPEN_STATUSES
from safecase.partnerships.transfers.common import (
    leads_of,
    mail_after_commit,
    response_working_days,
)
from safecase.partnerships.transfers.models import Transfer

MAX_STEPS = 3


def step_due_on(transfer: Transfer, step: int) -> date:
    """The date escalation step ``step`` (1, 2, ...) becomes due."""
    return add_working_days(transfer.due_on, 1 + (step - 1) * response_working_days())


@transaction.atomic(durable=True)
def escalate_transfers(*, today: date | None = None) -> int:
    """Escalate every open transfer whose next step is due; returns how many steps were taken."""
    today = today or timezone.localdate()
    taken = 0
    candidates = (
        Transfer.objects.select_for_update(of=("self",))
        .filter(status__in=OPEN_STATUSES, due_on__lt=today, escalation_step__lt=MAX_STEPS)
        .select_related("sender_organisation", "receiver_organisation")
        .order_by("due_on", "id")
    )
    for transfer in candidates:
        step = transfer.escalation_step + 1
        if step_due_on(transfer, step) > today:
            continue
        now = timezone.now()
        Transfer.objects.filter(pk=transfer.pk).update(
            escalation_step=step, last_escalated_at=now, version=F("version") + 1, updated_at=now
        )
        changes = {"bundle_id": str(transfer.bundle_id), "step": step, "due_on": transfer.due_on}
        for org in (transfer.receiver_organisation, transfer.sender_organisation):
            if org is None:
                continue
            recorder.record(
                actor=Actor.system("transfers_escalate", organisation=org),
                action=AuditAction.TRANSFER_ESCALATED,
                subject=transfer,
                changes=changes,
            )
        notices.tell_escalated(
            receiver_id=transfer.receiver_organisation_id,
            sender_id=transfer.sender_organisation_id,
            transfer_id=transfer.pk,
            step=step,
        )
        if transfer.receiver_organisation is not None:
            mail_after_commit(
                "A safeguarding file is waiting for you",
                f"A safeguarding file sent to {transfer.receiver_organisation.name} on "
                f"{timezone.localtime(transfer.issued_at):%d %B %Y} has not been accepted or "
                f"rejected; it was due by {transfer.due_on:%d %B %Y}.\n\nSign in to Safecase "
                "and open Transfers: received files.\n",
                [u.email for u in leads_of(transfer.receiver_organisation_id)],
            )
        if transfer.sender_organisation is not None:
            mail_after_commit(
                "A safeguarding file you sent is still waiting",
                f"{transfer.receiver_label} has not acted on a safeguarding file your "
                f"organisation sent; it was due by {transfer.due_on:%d %B %Y}. You can resend "
                "it or contact them.\n\nSign in to Safecase and open Transfers: sent files.\n",
                [u.email for u in leads_of(transfer.sender_organisation_id)],
            )
        taken += 1
    return taken
