"""The Decision and appeal tab and its API read run the same number of queries with one
decision and appeal as with ten of each (each with sanctions, decision makers and a panel)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import DemoWorld, client_for
from safecase.cases.decisions import actions
from safecase.cases.decisions.choices import AppealOutcome
from safecase.cases.decisions.models import Decision
from safecase.cases.decisions.tests.helpers import (
    case_at_decision,
    decide,
    lodge,
    panel_of,
    set_panel,
)
from safecase.cases.models import Case
from safecase.core.actors import Actor

pytestmark = pytest.mark.django_db


def _round(world: DemoWorld, case: Case, panel: list[Actor], *, first: bool) -> None:
    """One more decision, and an appeal against it heard and dismissed."""
    decision = (
        decide(world, case)
        if first
        else decide(world, case, supersede_reason="New information (synthetic).")
    )
    appeal = lodge(world, case, decision)
    set_panel(world, appeal, panel)
    appeal.refresh_from_db()
    actions.appeal_record_outcome(
        actor=panel[0],
        appeal=appeal,
        version=appeal.version,
        outcome=AppealOutcome.DISMISSED,
        reason="The grounds are not made out.",
        decided_at=timezone.now(),
    )


def _queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_tab_and_the_api_do_not_grow_with_decisions_and_appeals(world: DemoWorld) -> None:
    case = case_at_decision(world)
    panel = panel_of(world)
    _round(world, case, panel, first=True)
    lead = client_for(world.users["lead"])
    urls = (f"/cases/{case.pk}/decision/", f"/api/v1/cases/{case.pk}/decisions")
    for url in urls:
        lead.get(url)  # warm-up: the first request settles the session
    small = [_queries(lead, url) for url in urls]
    for _ in range(9):
        _round(world, case, panel, first=False)
    assert Decision.objects.filter(case=case).count() == 10
    large = [_queries(lead, url) for url in urls]
    assert large == small
    assert small[0] < 40
