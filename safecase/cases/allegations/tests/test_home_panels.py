"""The home panels of overdue suspension reviews and overdue learning recommendations: for
those who manage cases or watch caseloads, counted from their own scoping (a restricted case
only for those named)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from conftest import actor_for
from safecase.cases import parts
from safecase.cases.allegations.models import SuspensionDecision
from safecase.cases.allegations.tests.helpers import allegation_case, suspend
from safecase.cases.learning.models import Recommendation
from safecase.cases.learning.tests.helpers import recommend, review
from safecase.cases.tests.helpers import DemoWorld, restricted_case, second_lead

pytestmark = pytest.mark.django_db
KEYS = {"allegation_suspension_reviews", "learning_overdue_recommendations"}


def _panels(world: DemoWorld, persona: str) -> dict[str, dict[str, object]]:
    actor = actor_for(world, persona) if persona != "second_lead" else second_lead(world)
    found = {}
    for panel in parts.home_panels(actor):
        # Only this part's two panels; the other parts register theirs too.
        key = next((k for k in KEYS if k.split("_")[0] in panel["template"]), None)  # type: ignore[operator]
        if key is not None:
            found[key] = panel
    return found


def test_overdue_reviews_and_recommendations_reach_those_who_manage_or_watch(
    world: DemoWorld,
) -> None:
    case = allegation_case(world)
    decision = suspend(world, case, starts_on=timezone.localdate() - timedelta(days=20))
    review(world, case)
    rec = recommend(world, case)
    past = timezone.localdate() - timedelta(days=3)
    SuspensionDecision.objects.filter(pk=decision.pk).update(next_review_on=past)
    Recommendation.objects.filter(pk=rec.pk).update(due_on=past)
    hidden = restricted_case(world, "case_worker")
    hidden_decision = suspend(world, hidden, "case_worker", starts_on=past - timedelta(days=9))
    SuspensionDecision.objects.filter(pk=hidden_decision.pk).update(next_review_on=past)

    lead = _panels(world, "lead")
    assert [d.pk for d in lead["allegation_suspension_reviews"]["data"]["rows"]] == [decision.pk]
    assert [r.pk for r in lead["learning_overdue_recommendations"]["data"]["rows"]] == [rec.pk]
    for panel in lead.values():
        html = render_to_string(panel["template"], {"data": panel["data"]})  # type: ignore[arg-type]
        assert case.reference in html
    named = _panels(world, "case_worker")["allegation_suspension_reviews"]["data"]["rows"]
    assert {d.pk for d in named} == {decision.pk, hidden_decision.pk}  # type: ignore[attr-defined]
    supervisor = _panels(world, "supervisor")
    assert supervisor["allegation_suspension_reviews"]["data"]["shown"] is True
    partner = _panels(world, "partner_with_share")
    assert partner["allegation_suspension_reviews"]["data"]["shown"] is False
    html = render_to_string(
        partner["allegation_suspension_reviews"]["template"],
        partner["allegation_suspension_reviews"],
    )  # type: ignore[arg-type]
    assert html.strip() == ""
    assert _panels(world, "reporter") == {}
