"""Planner statistics, so both databases choose the plans the indexes were made for.

PostgreSQL's autovacuum analyses tables as they change, if it is on. SQLite has no such thing:
without ``sqlite_stat1`` its planner guesses, and it guessed wrong on the busiest pages. For
example, the triage queue's pattern-alert concerns were found by reading every submitted concern
of the organisation, not the few the alert names. Run ``analyze()`` after a bulk load and daily
(``manage.py db_analyze``, docs/operations.md).
"""

from __future__ import annotations

from django.db import connection

# Rows SQLite samples per index: approximate statistics in well under a second even at county
# scale, where a full ANALYZE reads every index (https://sqlite.org/lang_analyze.html).
SQLITE_ANALYSIS_LIMIT = 1000


def analyze() -> None:
    """Refresh the planner's statistics for every table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
