"""Bad input on every page of a case and of its parts: garbage in a form, malformed query
strings. Each answers with a status below 500 and changes nothing: no audit event of a write
appears (every write is an action that writes one), only refusals and reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import get_resolver

from conftest import client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases.tests.helpers import open_case
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db

GARBAGE: dict[str, Any] = {
    "version": "x",
    "reason": "",
    "rationale": "",
    "level": "nope",
    "next_review_on": "2026-13-45",
    "occurred_at": "yesterday",
    "made_at": "32/13/2026",
    "owner": "not-a-uuid",
    "user": "not-a-uuid",
    "due_on": "zz",
    "agency": "999",
    "person": "abc",
    "kind": "%%",
    "outcome": "?",
    "panel": ["x"],
    "decision_makers": ["y"],
    "likelihood": "-1",
    "impact": "99",
    "file": "not a file",
}
BAD_QUERIES = (
    "?after=%00%ff",
    "?after=not-a-cursor",
    "?kind=%27;drop",
    "?theme=" + "9" * 30,
    "?worker=x",
    "?add=nothing",
)
NOT_WRITES = {AuditAction.ACCESS_DENIED, AuditAction.RECORD_VIEWED}


def _routes(patterns: Any, prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


def _case_routes() -> list[str]:
    """The pages under /cases/ that need no key but the case's (the others need a record)."""
    return sorted(
        {
            r
            for r in _routes(get_resolver().url_patterns)
            if r.startswith("cases/") and not re.search(r"<(?!uuid:case_id>)", r)
        }
    )


def _writes() -> int:
    return AuditEvent.objects.exclude(action__in=NOT_WRITES).count()


def test_the_case_pages_are_found() -> None:
    routes = _case_routes()
    for part in ("risk/", "referrals/", "investigation/", "decision/", "learning/", "notes/"):
        assert any(f"<uuid:case_id>/{part}" in r for r in routes), part


@pytest.mark.parametrize("persona", ["lead", "supervisor"])
def test_garbage_posted_to_every_case_page_is_refused_and_changes_nothing(
    world: DemoWorld, persona: str
) -> None:
    case = open_case(world, code="allegation")
    client = client_for(world.users[persona])
    before = _writes()
    failures = []
    for route in _case_routes():
        url = "/" + route.replace("<uuid:case_id>", str(case.pk))
        status = client.post(url, GARBAGE).status_code
        if status >= 500:
            failures.append((url, status))
        # A refusal may re-render the form or redirect with a message; it never writes.
        if _writes() != before:
            failures.append((url, "wrote"))
            before = _writes()
    assert failures == []


def test_malformed_query_strings_never_fail(world: DemoWorld) -> None:
    case = open_case(world)
    client = client_for(world.users["lead"])
    for route in _case_routes():
        url = "/" + route.replace("<uuid:case_id>", str(case.pk))
        for query in BAD_QUERIES:
            assert client.get(url + query).status_code < 500, url + query
