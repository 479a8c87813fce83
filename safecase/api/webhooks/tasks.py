"""The background task that sends one delivery, and sends it again when it is due.

Queued after the publishing transaction commits (safecase.api.webhooks.delivery). After a
failed attempt it queues itself for the delivery's next attempt time, on a task backend that can
run a task later (the database backend, ``manage.py db_worker``); on one that cannot, the
delivery waits for ``manage.py webhooks_deliver`` (run it every minute from cron when there is
no worker). A delivery that is not due, or that another worker holds, is left alone.
"""

from __future__ import annotations

from django_tasks import task

from safecase.api.webhooks import delivery as sender
from safecase.api.webhooks.models import DeliveryStatus


@task()
def deliver_webhook(delivery_id: str) -> str:
    """One attempt; returns the delivery's status afterwards ("not_due" when not attempted)."""
    done = sender.attempt(delivery_id)
    if done is None:
        return "not_due"
    if (
        done.status == DeliveryStatus.FAILED
        and done.next_attempt_at is not None
        and deliver_webhook.get_backend().supports_defer
    ):
        deliver_webhook.using(run_after=done.next_attempt_at).enqueue(delivery_id=str(done.pk))
    return str(done.status)
