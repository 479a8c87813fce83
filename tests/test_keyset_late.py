"""keyset_page(late=...): the same pages, in the same order, with the costly columns computed
for the page's rows only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, QuerySet
from django.test.utils import CaptureQueriesContext

from safecase.accounts.models import Organisation
from safecase.core.pagination import keyset_page

pytestmark = pytest.mark.django_db


def _late(chosen: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return chosen.annotate(members=Count("memberships")).values("id", "org_type", "name", "members")


def _walk(**extra: object) -> tuple[list[list[object]], list[str | None]]:
    pages, cursors, cursor = [], [], None
    base = Organisation.objects.filter(name__startswith="Keyset ")
    while True:
        page = keyset_page(base, key=("-org_type", "name", "id"), cursor=cursor, size=3, **extra)
        rows = page.items
        pages.append([r["id"] if isinstance(r, dict) else r.pk for r in rows])
        cursors.append(page.next_cursor)
        if page.next_cursor is None:
            return pages, cursors
        cursor = page.next_cursor


def test_late_columns_give_the_same_pages_and_cursors() -> None:
    for i in range(8):
        Organisation.objects.create(name=f"Keyset {i % 3}", org_type="school" if i % 2 else "sport")
    plain = _walk()
    late = _walk(late=_late)
    assert late == plain
    assert [len(p) for p in plain[0]] == [3, 3, 2]


def test_late_columns_are_computed_and_in_one_query() -> None:
    Organisation.objects.create(name="Keyset a", org_type="school")
    with CaptureQueriesContext(connection) as ctx:
        page = keyset_page(
            Organisation.objects.filter(name__startswith="Keyset "),
            key=("name", "id"),
            cursor=None,
            late=_late,
        )
    assert len(ctx.captured_queries) == 1
    assert page.items[0]["members"] == 0
    assert page.items[0]["name"] == "Keyset a"
