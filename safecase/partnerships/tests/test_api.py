"""The hub through the API (M5 Model 3): a school refers, hub staff rate and ask, the police
answer and their approver releases, the hub decides, the school reads the outcome; If-Match
guards every change (missing 428, stale 412); lists page by cursor."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import actor_for
from safecase.accounts import auth_actions
from safecase.partnerships.models import HubReferral, InformationRequest
from safecase.partnerships.tests import helpers

pytestmark = pytest.mark.django_db


def token_client(world: Any, persona: str) -> Client:
    _, secret = auth_actions.api_token_create(
        actor=actor_for(world, persona), name="tests", days=30, with_mfa=True
    )
    return Client(headers={"authorization": f"Bearer {secret}"})


def post(client: Client, url: str, body: dict[str, Any], etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_the_whole_journey_through_the_api(world: Any) -> None:
    helpers.hub(world)
    child = helpers.child(world)
    school = token_client(world, "lead")
    made = post(
        school,
        "/api/v1/hub/referrals",
        {
            "subject_name": "Sam",
            "summary": "Synthetic.",
            "person": str(child.pk),
            "lawful_basis": "UK GDPR Art. 6(1)(e)",
            "consent": "given",
        },
    )
    assert made.status_code == 201, made.content
    referral_id = made.json()["id"]
    hub = token_client(world, "hub")
    base = f"/api/v1/hub/referrals/{referral_id}"
    read = hub.get(base)
    assert read.json()["capacity"] == "hub"
    assert post(hub, f"{base}/rating", {"rating": "red", "rationale": "x"}).status_code == 428
    assert (
        post(hub, f"{base}/rating", {"rating": "red", "rationale": "x"}, '"9"').status_code == 412
    )
    rated = post(hub, f"{base}/rating", {"rating": "red", "rationale": "x"}, read["ETag"])
    assert rated.status_code == 200 and rated.json()["rating"] == "red"
    agencies = hub.get("/api/v1/hub/agencies").json()
    police = next(a["id"] for a in agencies if a["kind"] == "police")
    sent = post(hub, f"{base}/requests", {"agencies": [police]})
    assert sent.status_code == 201
    assert sent.json()["sections"][0]["due_at"] is not None
    assert post(hub, f"{base}/requests", {"agencies": [str(child.pk)]}).status_code == 400

    officer = token_client(world, "partner_with_share")
    listed = officer.get("/api/v1/hub/requests").json()["results"]
    assert len(listed) == 1
    request_url = f"/api/v1/hub/requests/{listed[0]['id']}"
    current = officer.get(request_url)
    answered = post(
        officer, f"{request_url}/answer", {"answer": "A caution.", "hold": True}, current["ETag"]
    )
    assert answered.status_code == 200 and answered.json()["status"] == "held"
    assert hub.get(base).json()["sections"][0]["answer"] is None
    approver = token_client(world, "police_approver")
    assert post(approver, f"{request_url}/release", {}, '"1"').status_code == 412
    released = post(approver, f"{request_url}/release", {}, answered["ETag"])
    assert released.status_code == 200
    assert hub.get(base).json()["sections"][0]["answer"] == "A caution."

    health = token_client(world, "partner_without")
    assert health.get(request_url).status_code == 404
    assert school.get(base).json()["sections"] == []

    current = hub.get(base)
    decided = post(
        hub, f"{base}/decision", {"decision": "strategy", "rationale": "Harm."}, current["ETag"]
    )
    assert decided.status_code == 200
    outcome = school.get(base).json()
    assert outcome["decision"] == "strategy" and outcome["decision_rationale"] == "Harm."
    assert token_client(world, "primary_lead").get(base).status_code == 404


def test_hub_staff_enter_a_call_by_api_and_bad_input_is_400(world: Any) -> None:
    helpers.hub(world)
    hub = token_client(world, "hub")
    bad = post(hub, "/api/v1/hub/intake", {"source": "pigeon", "caller": "x"})
    assert bad.status_code == 400
    made = post(
        hub,
        "/api/v1/hub/intake",
        {"source": "email", "caller": "GP surgery", "subject_name": "Sam", "summary": "Worry."},
    )
    assert made.status_code == 201 and made.json()["source"] == "email"
    refused = post(
        token_client(world, "lead"),
        "/api/v1/hub/referrals",
        {
            "subject_name": "Sam",
            "summary": "Synthetic.",
            "lawful_basis": "Art. 6(1)(e)",
            "consent": "refused",
        },
    )
    assert refused.status_code == 400
    assert HubReferral.objects.count() == 1


def test_lists_page_by_cursor(world: Any) -> None:
    for _ in range(3):
        helpers.requested(world)
    hub = token_client(world, "hub")
    first = hub.get("/api/v1/hub/referrals?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = hub.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert hub.get("/api/v1/hub/referrals?cursor=garbage!").status_code in (200, 404)
    officer = token_client(world, "partner_with_share")
    page = officer.get("/api/v1/hub/requests?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    assert InformationRequest.objects.count() == 3
