"""The learning API: the review, its recommendations and their status, the themes counted and
the open recommendations across cases (restricted cases left out for anyone not named)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from safecase.cases.allegations.tests.test_api import api, post
from safecase.cases.learning import actions
from safecase.cases.learning.models import Recommendation
from safecase.cases.learning.tests.helpers import review
from safecase.cases.tests.helpers import DemoWorld, open_case, restricted_case, second_lead

pytestmark = pytest.mark.django_db


def _put(client: object, url: str, body: dict[str, object], etag: str) -> object:
    return client.put(  # type: ignore[attr-defined]
        url, json.dumps(body), content_type="application/json", headers={"If-Match": etag}
    )


def test_the_learning_review_through_the_api(world: DemoWorld) -> None:
    case = open_case(world)
    lead = api(world, "lead")
    url = f"/api/v1/cases/{case.pk}/learning"
    assert lead.get(url).json()["review"] is None
    body = {
        "went_well": "Same-day referral.",
        "do_better": "Link earlier low-level concerns.",
        "why_it_happened": "Two separate logs.",
        "facilitator": "Independent reviewer",
        "held_on": timezone.localdate().isoformat(),
        "themes": ["information_sharing"],
    }
    saved = _put(lead, url, body, '"0"')
    assert saved.status_code == 200, saved.content  # type: ignore[attr-defined]
    assert _put(lead, url, body, '"0"').status_code == 412  # type: ignore[attr-defined]
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    rec = {
        "text": "One log for all concerns.",
        "owner": str(world.users["deputy"].pk),
        "due_on": due,
    }
    added = post(lead, f"{url}/recommendations", rec, '"1"')
    assert added.status_code == 200, added.content
    row = Recommendation.objects.get()
    dropped = post(lead, f"{url}/recommendations/{row.pk}/status", {"status": "dropped"}, '"1"')
    assert dropped.status_code == 400 and "reason" in dropped.json()
    done = post(lead, f"{url}/recommendations/{row.pk}/status", {"status": "done"}, '"1"')
    assert done.status_code == 200 and done.json()["recommendations"][0]["status"] == "done"
    themes = lead.get("/api/v1/learning/themes").json()
    assert themes == [{"code": "information_sharing", "label": "Information sharing", "cases": 1}]


def test_restricted_reviews_are_never_counted_or_listed_for_others(world: DemoWorld) -> None:
    hidden = restricted_case(world, "case_worker")
    actions.learning_review_save(
        actor=second_lead(world),
        case=hidden,
        version=0,
        went_well="Acted at once.",
        do_better="Challenge senior staff.",
        why_it_happened="Fear of the lead.",
        facilitator="Independent reviewer",
        held_on=timezone.localdate(),
        themes=["escalation"],
    )
    review(world, open_case(world))
    lead, named = api(world, "lead"), api(world, "case_worker")
    assert {t["code"] for t in lead.get("/api/v1/learning/themes").json()} == {
        "information_sharing",
        "recording_quality",
    }
    assert "escalation" in {t["code"] for t in named.get("/api/v1/learning/themes").json()}
    assert lead.get(f"/api/v1/cases/{hidden.pk}/learning").status_code == 404
    assert lead.get("/api/v1/learning/recommendations").json()["results"] == []


def test_the_theme_vocabulary_through_the_api(world: DemoWorld) -> None:
    lead = api(world, "lead")
    url = "/api/v1/learning/vocabulary"
    assert lead.get(url)["ETag"] == '"0"'
    put = _put(lead, url, {"labels": ["Escalation", "Contextual safeguarding"]}, '"0"')
    assert put.status_code == 200  # type: ignore[attr-defined]
    themes = {t["code"]: t["active"] for t in put.json()["themes"]}  # type: ignore[attr-defined]
    assert themes["contextual_safeguarding"] and not themes["supervision"]
    assert _put(lead, url, {"labels": ["X"]}, '"0"').status_code == 412  # type: ignore[attr-defined]
