"""Background work of record transfer: the daily escalation run (also ``manage.py
transfers_escalate``)."""

from __future__ import annotations

from django_tasks import task

from safecase.partnerships.transfers.escalation import escalate_transfers


@task()
def escalate_transfers_task() -> int:
    return escalate_transfers()
