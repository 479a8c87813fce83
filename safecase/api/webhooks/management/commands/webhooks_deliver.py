"""Send every webhook delivery that is due now: for an installation without a task worker
(run it every minute from cron) and for operators who want to push a backlog out at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecase.api.webhooks import delivery


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (retries included), once each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=delivery.DUE_BATCH, help="At most this many (100)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = delivery.deliver_due(limit=max(1, options["limit"]))
        counts: dict[str, int] = {}
        for row in sent:
            counts[row.status] = counts.get(row.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none due"
        self.stdout.write(f"Webhook deliveries attempted: {len(sent)} ({summary}).")
