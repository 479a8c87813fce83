"""The allegation tab runs the same number of queries with one of everything and with ten
(harm tests, suspension decisions with reviews, referrals with and without an outcome)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.cases.allegations import actions
from safecase.cases.allegations.models import SuspensionDecision
from safecase.cases.allegations.tests.helpers import allegation_case, harm_test, refer, suspend
from safecase.cases.models import Case
from safecase.cases.tests.helpers import DemoWorld
from tests.test_query_counts import _count, _diff

pytestmark = pytest.mark.django_db


def _round(world: DemoWorld, case: Case) -> None:
    """One of each: a harm test, a decision reviewed then lifted, a referral with its outcome
    and one without."""
    lead = actor_for(world, "lead")
    today = timezone.localdate()
    harm_test(world, case)
    decision = suspend(world, case)
    actions.suspension_review(
        actor=lead,
        decision=decision,
        version=decision.version,
        reviewed_on=today,
        outcome="continue",
        rationale="Police enquiries continue.",
        next_review_on=today + timedelta(days=7),
    )
    actions.suspension_review(
        actor=lead,
        decision=decision,
        version=decision.version,
        reviewed_on=today,
        outcome="lift",
        rationale="No case to answer.",
        next_review_on=None,
    )
    done = refer(world, case)
    actions.barring_record_outcome(
        actor=lead, referral=done, version=done.version, outcome="No action.", outcome_on=today
    )
    refer(world, case)


def test_the_allegation_tab_does_not_grow_with_its_records(world: DemoWorld) -> None:
    case = allegation_case(world)
    _round(world, case)
    suspend(world, case)  # a current decision: the review form shows
    client = client_for(world.users["lead"])
    url = f"/cases/{case.pk}/allegation/"
    client.get(url)
    small, _, small_sql = _count(client, url)
    for _ in range(9):
        # Lift the current decision so another round can start one.
        now = SuspensionDecision.objects.get(case=case, ended_on__isnull=True)
        actions.suspension_review(
            actor=actor_for(world, "lead"),
            decision=now,
            version=now.version,
            reviewed_on=timezone.localdate(),
            outcome="lift",
            rationale="Lifted for the next round.",
            next_review_on=None,
        )
        _round(world, case)
        suspend(world, case)
    large, _, large_sql = _count(client, url)
    assert large == small, _diff(small_sql, large_sql)
