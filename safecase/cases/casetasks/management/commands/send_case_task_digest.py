"""manage.py send_case_task_digest: e-mail each owner of overdue case tasks one summary.

Run it once a day from the same daily timer as `send_reminders --digest` (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecase.cases.casetasks.reminders import send_overdue_case_task_digest


class Command(BaseCommand):
    help = "E-mail each owner of overdue case tasks a summary (how many, never what)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_overdue_case_task_digest()
        self.stdout.write(f"Sent {sent} overdue case-task digest e-mail(s).")
