"""manage.py db_analyze: the planner's statistics are there afterwards, on either database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from safecase.accounts.models import Organisation

pytestmark = pytest.mark.django_db

TABLE = Organisation._meta.db_table


def _statistics_rows() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [TABLE])
        return int(cursor.fetchone()[0])


def test_db_analyze_leaves_statistics_for_the_planner() -> None:
    for i in range(5):
        Organisation.objects.create(name=f"Statistics {i}", org_type="school")
    out = StringIO()
    call_command("db_analyze", stdout=out)
    assert _statistics_rows() > 0
    assert f"Statistics refreshed on {connection.vendor}" in out.getvalue()
