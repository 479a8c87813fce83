"""manage.py send_reminders: escalate overdue concerns and send the overdue-actions digest.

Schedule it hourly (escalation) — the digest part sends at most once per run; use
`--digest` from a daily timer only (see docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecase.concerns.reminders import escalate_overdue_concerns, send_overdue_action_digest


class Command(BaseCommand):
    help = "Escalate overdue untriaged concerns; with --digest, e-mail overdue actions too."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--digest", action="store_true", help="also send the daily digest")

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = escalate_overdue_concerns()
        self.stdout.write(f"Escalated {escalated} overdue concern(s).")
        if options["digest"]:
            sent = send_overdue_action_digest()
            self.stdout.write(f"Sent {sent} overdue-action digest e-mail(s).")
