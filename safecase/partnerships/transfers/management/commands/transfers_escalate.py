"""``manage.py transfers_escalate``: escalate transfers the receiver has not acted on in time
(run daily, e.g. from cron at 07:00)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecase.partnerships.transfers.escalation import escalate_transfers


class Command(BaseCommand):
    help = "Escalate record transfers not accepted or rejected within their working days."

    def handle(self, *args: Any, **options: Any) -> None:
        taken = escalate_transfers()
        self.stdout.write(f"{taken} transfer escalation step(s) taken.")
