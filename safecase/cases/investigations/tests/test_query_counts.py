"""The investigation's page, its API read and its report run the same number of queries with
one of everything (interview with addendum, evidence item with file and custody, finding) as
with ten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import DemoWorld, actor_for, client_for
from safecase.accounts import auth_actions
from safecase.accounts.tests.stepping_up import mark_stepped_up
from safecase.cases.investigations import actions, evidence_actions
from safecase.cases.investigations.models import Investigation
from safecase.cases.investigations.tests.helpers import (
    evidence,
    finding,
    interview,
    open_investigation,
)

pytestmark = pytest.mark.django_db


def _add(world: DemoWorld, inv: Investigation, n: int) -> None:
    lead = actor_for(world, "lead")
    for i in range(n):
        held = interview(world, inv, interviewee_name=f"Witness {i}")
        actions.interview_add_addendum(
            actor=lead, interview=held, reason="Phoned back.", text=f"Detail {i}."
        )
        item = evidence(world, inv, item=f"Item {i}")
        evidence_actions.custody_record(
            actor=lead,
            evidence=item,
            from_whom="Club",
            to_whom="Cass",
            transferred_at=timezone.now() - timedelta(minutes=i + 1),
            purpose="For the file.",
        )
        finding(world, inv, held)


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def _api_client(world: DemoWorld) -> Client:
    _, secret = auth_actions.api_token_create(
        actor=actor_for(world, "lead"), name="tests", days=30, with_mfa=True
    )
    return Client(headers={"authorization": f"Bearer {secret}"})


Where = Callable[[Investigation], str]
URLS: dict[str, Where] = {
    "page": lambda inv: f"/cases/{inv.case_id}/investigation/",
    "report": lambda inv: f"/cases/{inv.case_id}/investigation/report.pdf",
    "api": lambda inv: f"/api/v1/cases/{inv.case_id}/investigation",
}


@pytest.mark.parametrize("name", sorted(URLS))
def test_the_query_count_does_not_grow_with_the_investigation(world: DemoWorld, name: str) -> None:
    inv = open_investigation(world)
    _add(world, inv, 1)
    if name == "api":
        client = _api_client(world)
    else:
        client = client_for(world.users["lead"])
        mark_stepped_up(client)
    url = URLS[name](inv)
    _count(client, url)  # warm the per-process caches (content types, sessions)
    small = _count(client, url)
    _add(world, inv, 9)
    large = _count(client, url)
    assert small == large, f"{name}: {small} queries with one of each, {large} with ten"
