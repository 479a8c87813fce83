"""manage.py hub_escalate_late: tell the agency's approvers and the hub's staff, once, about
each information request past its due time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecase.partnerships.escalation import escalate_late_requests


class Command(BaseCommand):
    help = "Escalate information requests past their due time (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = escalate_late_requests()
        self.stdout.write(f"Escalated {count} late information request(s).")
