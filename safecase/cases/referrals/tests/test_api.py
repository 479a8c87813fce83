"""The referrals and tasks API: the same actions as the pages; create 201 with an ETag, bad
input 400 naming the field with nothing saved, If-Match missing 428 and stale 412."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import (
    DemoWorld,  # the demo world, as the fixtures build it
    client_for,
)
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.referrals.choices import ReferralStatus
from safecase.cases.referrals.models import ExternalReferral
from safecase.cases.referrals.tests.helpers import make_referral, overdue_referral
from safecase.cases.tests.helpers import open_case

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, data: dict[str, Any], etag: str | None = None) -> Any:
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def _referral(**overrides: Any) -> dict[str, Any]:
    return {
        "agency": "lado",
        "made_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "method": "phone",
        "their_reference": "LADO-2026-9",
        **overrides,
    }


def test_record_list_respond_and_escalate(world: DemoWorld) -> None:
    case = open_case(world)
    lead = client_for(world.users["lead"])
    base = f"/api/v1/cases/{case.pk}/referrals"
    made = post(lead, base, _referral())
    assert made.status_code == 201 and made["ETag"] == '"1"'
    body = made.json()
    assert body["agency"] == "lado" and body["status"] == "awaiting"
    listed = lead.get(base).json()
    assert [r["id"] for r in listed] == [body["id"]]
    respond = f"{base}/{body['id']}/response"
    answer = {
        "response": "Strategy discussion tomorrow (synthetic).",
        "received_on": timezone.localdate().isoformat(),
        "outcome": "Strategy discussion",
    }
    assert post(lead, respond, answer).status_code == 428
    assert post(lead, respond, answer, '"7"').status_code == 412
    done = post(lead, respond, answer, '"1"')
    assert done.status_code == 200 and done["ETag"] == '"2"'
    assert done.json()["status"] == ReferralStatus.RESPONDED
    assert CaseTask.objects.get(source_id=body["id"]).status == TaskStatus.DONE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"made_at": (timezone.now() + timedelta(days=1)).isoformat()}, "made_at"),
        ({"made_at": "2026-02-31T10:00"}, "made_at"),
        ({"agency": ""}, "agency"),
        ({"agency": "nobody"}, "agency"),
        ({"method": "pigeon"}, "method"),
        ({"follow_up_on": "tomorrow"}, "follow_up_on"),
    ],
)
def test_bad_referrals_are_400_and_save_nothing(
    world: DemoWorld, overrides: dict[str, Any], field: str
) -> None:
    case = open_case(world)
    response = post(
        client_for(world.users["lead"]),
        f"/api/v1/cases/{case.pk}/referrals",
        _referral(**overrides),
    )
    assert response.status_code == 400 and field in response.json()
    assert not ExternalReferral.objects.exists()


def test_escalation_and_overdue_through_the_api(world: DemoWorld) -> None:
    case = open_case(world)
    referral = overdue_referral(world, case)
    lead = client_for(world.users["lead"])
    assert [r["id"] for r in lead.get("/api/v1/cases/referrals/overdue").json()] == [
        str(referral.pk)
    ]
    url = f"/api/v1/cases/{case.pk}/referrals/{referral.pk}/escalations"
    data = {"escalated_to": "LADO team manager", "reason": "No call back."}
    assert post(lead, url, data, '"5"').status_code == 412
    made = post(lead, url, data, '"1"')
    assert made.status_code == 201
    assert made.json()["escalations"][0]["escalated_to"] == "LADO team manager"


def test_escalating_too_early_is_a_clear_400(world: DemoWorld) -> None:
    case = open_case(world)
    referral = make_referral(world, case, "governing_body")
    url = f"/api/v1/cases/{case.pk}/referrals/{referral.pk}/escalations"
    response = post(
        client_for(world.users["lead"]), url, {"escalated_to": "Chair", "reason": "Nothing."}, '"1"'
    )
    assert response.status_code == 400 and "not due until" in response.json()["detail"]


def test_tasks_through_the_api(world: DemoWorld) -> None:
    case = open_case(world)
    lead, worker = client_for(world.users["lead"]), client_for(world.users["case_worker"])
    base = f"/api/v1/cases/{case.pk}/tasks"
    data = {
        "title": "Ring the GP",
        "owner": str(world.users["case_worker"].pk),
        "due_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    made = post(lead, base, data)
    assert made.status_code == 201
    assert post(lead, base, {**data, "due_on": "2026-13-01"}).status_code == 400
    assert post(lead, base, {**data, "owner": str(world.users["auditor"].pk)}).status_code == 400
    mine = worker.get("/api/v1/cases/tasks/mine").json()
    assert [t["id"] for t in mine["results"]] == [made.json()["id"]]
    status = f"{base}/{made.json()['id']}/status"
    assert post(worker, status, {"status": "done"}).status_code == 428
    assert post(worker, status, {"status": "done"}, '"3"').status_code == 412
    assert post(worker, status, {"status": "cancelled"}, '"1"').status_code == 400
    supervisor = client_for(world.users["supervisor"])
    assert post(supervisor, status, {"status": "done"}, '"1"').status_code == 403
    done = post(worker, status, {"status": "done", "note": "Spoke to the GP."}, '"1"')
    assert done.status_code == 200 and done.json()["status"] == "done"
