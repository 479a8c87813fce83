"""``manage.py db_analyze``: refresh the database planner's statistics (safecase.core.statistics).

Run daily, and after restoring or bulk-loading data. Needed on SQLite, which never does it by
itself; harmless on PostgreSQL, where autovacuum normally does it.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from safecase.core.statistics import analyze


class Command(BaseCommand):
    help = "Refresh the database planner's statistics (ANALYZE). Run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        analyze()
        took = time.perf_counter() - began
        self.stdout.write(f"Statistics refreshed on {connection.vendor} in {took:.1f} s.")
