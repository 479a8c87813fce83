"""manage.py audit_verify: recompute every audit chain; exit 1 naming the first broken event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecase.audit.verify import verify_all


class Command(BaseCommand):
    help = "Recompute the audit hash chains and report the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_all()
        if not result.ok:
            raise CommandError(f"Audit trail BROKEN at {result.first_break}")
        self.stdout.write(
            f"Audit trail intact: {result.events_checked} events in "
            f"{result.chains_checked} chains, 0 broken links."
        )
