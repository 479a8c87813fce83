"""The referral and task pages run the same number of queries with one item as with ten
(referrals with responses and escalations, tasks open and closed, in lists)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import DemoWorld, actor_for, client_for  # the demo world, as the fixtures build it
from safecase.cases.casetasks import actions as task_actions
from safecase.cases.casetasks.tests.test_tasks import overdue, set_task
from safecase.cases.models import Case
from safecase.cases.referrals import actions
from safecase.cases.referrals.tests.helpers import make_referral
from safecase.cases.tests.helpers import open_case

pytestmark = pytest.mark.django_db


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _referrals(world: DemoWorld, case: Case, n: int) -> None:
    lead = actor_for(world, "lead")
    for i in range(n):
        referral = make_referral(
            world, case, "lado" if i % 2 else "police", made_at=timezone.now() - timedelta(days=9)
        )
        actions.referral_escalate(
            actor=lead,
            referral=referral,
            version=referral.version,
            escalated_to="LADO team manager",
            reason="No response.",
        )
        referral.refresh_from_db()
        if i % 2:
            actions.referral_record_response(
                actor=lead,
                referral=referral,
                version=referral.version,
                response="Strategy discussion (synthetic).",
                received_on=timezone.localdate(),
                outcome="Strategy discussion",
            )


def _tasks(world: DemoWorld, case: Case, n: int) -> None:
    for i in range(n):
        task = overdue(set_task(world, case, owner="case_worker" if i % 3 else "deputy"))
        if i % 2:
            task_actions.case_task_complete(
                actor=actor_for(world, "lead"), task=task, version=task.version
            )


Grow = Callable[[DemoWorld, Case, int], None]
PAGES: list[tuple[str, Grow, Callable[[Case], str], str]] = [
    ("referrals tab", _referrals, lambda c: f"/cases/{c.pk}/referrals/", "lead"),
    ("overdue responses", _referrals, lambda c: "/cases/referrals/overdue/", "lead"),
    ("tasks tab", _tasks, lambda c: f"/cases/{c.pk}/tasks/", "lead"),
    ("my tasks", _tasks, lambda c: "/cases/tasks/", "case_worker"),
    ("home with both panels", _tasks, lambda c: "/", "case_worker"),
    ("api referrals", _referrals, lambda c: f"/api/v1/cases/{c.pk}/referrals", "lead"),
    ("api my tasks", _tasks, lambda c: "/api/v1/cases/tasks/mine", "case_worker"),
]


@pytest.mark.parametrize(("name", "grow", "url", "persona"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_is_the_same_with_one_and_ten(
    world: DemoWorld, name: str, grow: Grow, url: Callable[[Case], str], persona: str
) -> None:
    case = open_case(world)
    client = client_for(world.users[persona])
    grow(world, case, 2)  # one of each kind (answered and not, open and closed)
    _count(client, url(case))  # warm the per-process caches (content types, the session)
    small = _count(client, url(case))
    grow(world, case, 8)
    assert _count(client, url(case)) == small, name
