"""The allegation API does what the allegation tab does, through the same actions; every
change needs If-Match (428 without, 412 stale, nothing changed)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import actor_for
from safecase.accounts import auth_actions
from safecase.cases.allegations.models import HarmTest, SuspensionDecision
from safecase.cases.allegations.tests.helpers import allegation_case, with_people
from safecase.cases.tests.helpers import DemoWorld, open_case, restricted_case

pytestmark = pytest.mark.django_db


def api(world: DemoWorld, persona: str) -> Client:
    _, secret = auth_actions.api_token_create(
        actor=actor_for(world, persona), name="tests", days=30, with_mfa=True
    )
    return Client(headers={"authorization": f"Bearer {secret}"})


def post(client: Client, url: str, body: dict[str, Any], etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


ANSWERS = [
    {"code": "harmed", "answer": True, "note": "Bruising seen."},
    {"code": "offence", "answer": True},
    {"code": "risk", "answer": False},
    {"code": "unsuitable", "answer": False},
]


def test_the_allegation_track_through_the_api(world: DemoWorld) -> None:
    case = allegation_case(world)
    with_people(world, case)
    lead = api(world, "lead")
    url = f"/api/v1/cases/{case.pk}/allegation"
    read = lead.get(url)
    assert read.status_code == 200 and read["ETag"] == '"0"'
    assert [q["code"] for q in read.json()["questions"]] == [a["code"] for a in ANSWERS]
    assert post(lead, f"{url}/harm-tests", {"answers": ANSWERS}).status_code == 428
    tested = post(lead, f"{url}/harm-tests", {"answers": ANSWERS}, '"0"')
    assert tested.status_code == 200, tested.content
    body = tested.json()
    assert body["threshold_met"] is True and body["lado_due_by"] is not None
    assert tested["ETag"] == '"1"'
    stale = post(lead, f"{url}/harm-tests", {"answers": ANSWERS}, '"0"')
    assert stale.status_code == 412 and HarmTest.objects.count() == 1
    lado = post(
        lead,
        f"{url}/lado",
        {
            "lado_reference": "LADO-26-9",
            "lado_referred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        },
        '"1"',
    )
    assert lado.status_code == 200 and lado.json()["lado_due_by"] is None
    today = timezone.localdate()
    missing = post(
        lead,
        f"{url}/suspensions",
        {"decision": "suspended", "rationale": "", "starts_on": today.isoformat()},
        '"2"',
    )
    assert missing.status_code == 400 and "rationale" in missing.json()
    bad_date = post(
        lead,
        f"{url}/suspensions",
        {"decision": "suspended", "rationale": "Risk to pupils.", "starts_on": "2026-02-31"},
        '"2"',
    )
    assert bad_date.status_code == 400 and "starts_on" in bad_date.json()
    suspended = post(
        lead,
        f"{url}/suspensions",
        {
            "decision": "suspended",
            "rationale": "Risk to pupils while the police enquire.",
            "starts_on": today.isoformat(),
            "next_review_on": (today + timedelta(days=7)).isoformat(),
        },
        '"2"',
    )
    assert suspended.status_code == 200, suspended.content
    decision = SuspensionDecision.objects.get()
    reviewed = post(
        lead,
        f"{url}/suspensions/{decision.pk}/reviews",
        {"reviewed_on": today.isoformat(), "outcome": "lift", "rationale": "No case to answer."},
        '"1"',
    )
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["suspension_decisions"][0]["ended_on"] == today.isoformat()
    referred = post(
        lead,
        f"{url}/referrals",
        {
            "body": "governing_body",
            "body_name": "The Football Association (synthetic)",
            "referred_on": today.isoformat(),
            "reason": "Coaching licence holder.",
        },
        suspended["ETag"],
    )
    assert referred.status_code == 200, referred.content
    referral = referred.json()["referrals"][0]
    outcome = post(
        lead,
        f"{url}/referrals/{referral['id']}/outcome",
        {"outcome": "No action.", "outcome_on": today.isoformat()},
        '"1"',
    )
    assert outcome.status_code == 200 and outcome.json()["referrals"][0]["outcome"] == "No action."


def test_not_an_allegation_and_other_organisations(world: DemoWorld) -> None:
    case = open_case(world)
    lead = api(world, "lead")
    url = f"/api/v1/cases/{case.pk}/allegation"
    assert lead.get(url).status_code == 409
    refused = post(lead, f"{url}/harm-tests", {"answers": ANSWERS}, '"0"')
    assert refused.status_code == 400 and "only for a case" in refused.json()["detail"]
    allegation = allegation_case(world)
    other = api(world, "other_org")
    assert other.get(f"/api/v1/cases/{allegation.pk}/allegation").status_code == 404
    hidden = restricted_case(world, "case_worker")
    assert lead.get(f"/api/v1/cases/{hidden.pk}/allegation").status_code == 404
    assert api(world, "case_worker").get(f"/api/v1/cases/{hidden.pk}/allegation").status_code == 200
    assert not HarmTest.objects.exists()


def test_the_harm_tests_are_set_through_the_api(world: DemoWorld) -> None:
    lead = api(world, "lead")
    url = "/api/v1/allegations/harm-tests"
    read = lead.get(url)
    assert read.status_code == 200 and read["ETag"] == '"0"'
    assert len(read.json()["questions"]) == 4
    body = {"questions": ["Has harmed a child", "Has committed an offence"]}
    put = lead.put(
        url, json.dumps(body), content_type="application/json", headers={"If-Match": '"0"'}
    )
    assert put.status_code == 200 and put["ETag"] == '"1"'
    stale = lead.put(
        url, json.dumps(body), content_type="application/json", headers={"If-Match": '"0"'}
    )
    assert stale.status_code == 412
    empty = lead.put(
        url,
        json.dumps({"questions": [" "]}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert empty.status_code == 400 and "questions" in empty.json()
