"""The risk pages run the same number of queries with one item and with ten: versions on the
Risk tab and history (and the header's current risk on the case page), reviews due, approvals
waiting. Items are made through the actions (the same rows the pages read)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import actor_for, client_for
from safecase.cases.models import Case
from safecase.cases.risk import actions
from safecase.cases.risk.models import RiskAssessment
from safecase.cases.risk.tests.helpers import DemoWorld, assess, gates_on, in_days
from safecase.cases.tests.helpers import open_case
from tests.test_query_counts import _count, _diff

pytestmark = pytest.mark.django_db


def _versions(world: DemoWorld, case: Case, n: int) -> None:
    for i in range(n):
        assess(
            world,
            case,
            level=("low", "medium", "high")[i % 3],
            interim_measures=["supervised_contact", "other"],
            interim_other="Collected by the grandmother only.",
            reason=f"Review number {i + 1}.",
        )


def _overdue_cases(world: DemoWorld, n: int) -> None:
    for i in range(n):
        case = open_case(world, title=f"Case {i} (synthetic)")
        assess(world, case)
    RiskAssessment.objects.update(next_review_on=in_days(-2))


def _pending(world: DemoWorld, n: int) -> None:
    for i in range(n):
        case = open_case(world, title=f"Case {i} (synthetic)")
        assess(world, case)  # with the risk gate on: a request waits for each version
        actions.approval_request(
            actor=actor_for(world, "lead"),
            case=case,
            kind="closure",
            reason="The work is complete.",
        )


def _same_count(client: Client, url: str, grow: Callable[[], None]) -> None:
    _count(client, url)  # the first request of a session loads more (its caches): warm up
    small, _, small_sql = _count(client, url)
    grow()
    large, _, large_sql = _count(client, url)
    assert large == small, f"{url}: {small} then {large} queries\n{_diff(small_sql, large_sql)}"


@pytest.mark.parametrize("suffix", ["", "risk/", "risk/history/"])
def test_the_case_pages_and_risk_tab_with_one_and_ten_versions(
    world: DemoWorld, suffix: str
) -> None:
    case = open_case(world)
    _versions(world, case, 1)
    client = client_for(world.users["lead"])
    _same_count(client, f"/cases/{case.pk}/{suffix}", lambda: _versions(world, case, 9))


def test_the_reviews_page_with_one_and_ten_overdue(world: DemoWorld) -> None:
    _overdue_cases(world, 1)
    client = client_for(world.users["lead"])
    _same_count(client, "/cases/risk/", lambda: _overdue_cases(world, 9))
    _same_count(client, "/", lambda: _overdue_cases(world, 3))  # the home panel


def test_the_approvals_page_with_one_and_ten_waiting(world: DemoWorld) -> None:
    gates_on(world, closure=True, risk=True)
    _pending(world, 1)
    client = client_for(world.users["supervisor"])
    _same_count(client, "/cases/risk/approvals/", lambda: _pending(world, 9))
    _same_count(client, "/", lambda: _pending(world, 2))  # the home panel
    case = Case.objects.first()
    assert case is not None
    _same_count(client, f"/cases/{case.pk}/risk/", lambda: _pending(world, 2))
