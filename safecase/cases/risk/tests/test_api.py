"""The risk API does what the Risk tab does, through the same actions: versions under
If-Match on the assessment (428 without, 412 stale, nothing changed), approval requests and
decisions; the OpenAPI schema describes them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from conftest import actor_for
from safecase.accounts import auth_actions
from safecase.cases.risk.models import ApprovalRequest, RiskAssessmentVersion
from safecase.cases.risk.tests.helpers import DemoWorld, gates_on, in_days
from safecase.cases.tests.helpers import open_case, restricted_case

pytestmark = pytest.mark.django_db

Api = Callable[[str], Client]


@pytest.fixture
def api(world: DemoWorld) -> Api:
    clients: dict[str, Client] = {}

    def client_for(persona: str) -> Client:
        if persona not in clients:
            _, secret = auth_actions.api_token_create(
                actor=actor_for(world, persona), name="tests", days=30, with_mfa=True
            )
            clients[persona] = Client(headers={"authorization": f"Bearer {secret}"})
        return clients[persona]

    return client_for


def _post(client: Client, url: str, body: dict[str, Any], etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "risk_factors": "The coach has unsupervised access to the U12s.",
        "protective_factors": "Sessions are in a public hall; other staff present.",
        "likelihood": 3,
        "impact": 4,
        "level": "high",
        "interim_measures": ["provisional_suspension"],
        "next_review_on": in_days(7).isoformat(),
        "reason": "Allegation received; LADO consulted.",
        **extra,
    }


def test_versions_are_recorded_under_if_match(world: DemoWorld, api: Api) -> None:
    case = open_case(world)
    url = f"/api/v1/cases/{case.pk}/risk"
    lead = api("lead")
    empty = lead.get(url)
    assert empty.status_code == 200 and empty["ETag"] == '"0"'
    assert empty.json() == {"version": 0, "current": None, "versions": []}
    assert _post(lead, url, _body()).status_code == 428
    first = _post(lead, url, _body(), '"0"')
    assert first.status_code == 201, first.content
    assert first["ETag"] == '"1"' and first.json()["number"] == 1
    assert _post(lead, url, _body(level="low"), '"0"').status_code == 412
    second = _post(lead, url, _body(level="medium", reason="Police: no further action."), '"1"')
    assert second.status_code == 201
    got = lead.get(url).json()
    assert got["version"] == 2 and got["current"]["level"] == "medium"
    assert [v["number"] for v in got["versions"]] == [2, 1]
    assert got["versions"][1]["interim_measures"] == ["provisional_suspension"]
    assert RiskAssessmentVersion.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "ok"}, "reason"),
        ({"next_review_on": "2020-01-01"}, "next_review_on"),
        ({"next_review_on": "31/01/2027"}, "next_review_on"),
        ({"likelihood": 9}, "likelihood"),
        ({"interim_measures": ["other"]}, "interim_other"),
    ],
)
def test_bad_input_answers_400_naming_the_field(
    world: DemoWorld, api: Api, extra: dict[str, Any], field: str
) -> None:
    case = open_case(world)
    answer = _post(api("lead"), f"/api/v1/cases/{case.pk}/risk", _body(**extra), '"0"')
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not RiskAssessmentVersion.objects.exists()


def test_out_of_reach_cases_are_404(world: DemoWorld, api: Api) -> None:
    case = open_case(world)
    restricted = restricted_case(world, "case_worker")
    assert (
        _post(api("other_org"), f"/api/v1/cases/{case.pk}/risk", _body(), '"0"').status_code == 404
    )
    assert api("lead").get(f"/api/v1/cases/{restricted.pk}/risk").status_code == 404
    assert api("case_worker").get(f"/api/v1/cases/{restricted.pk}/risk").status_code == 200
    assert api("lead").get(f"/api/v1/cases/{restricted.pk}/approvals").status_code == 404


def test_closure_is_requested_and_decided_through_the_api(world: DemoWorld, api: Api) -> None:
    gates_on(world)
    case = open_case(world)
    url = f"/api/v1/cases/{case.pk}/approvals"
    asked = _post(api("lead"), url, {"kind": "closure", "reason": "Work complete."})
    assert asked.status_code == 201, asked.content
    request_id = asked.json()["id"]
    decision = f"{url}/{request_id}/decision"
    body = {"decision": "approved", "reason": "The plan is complete."}
    assert _post(api("deputy"), decision, body, '"1"').status_code == 403
    assert _post(api("supervisor"), decision, body).status_code == 428
    assert _post(api("supervisor"), decision, body, '"7"').status_code == 412
    no_reason = _post(api("supervisor"), decision, {"decision": "approved", "reason": ""}, '"1"')
    assert no_reason.status_code == 400
    done = _post(api("supervisor"), decision, body, '"1"')
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert done["ETag"] == '"2"'
    listed = api("lead").get(url).json()
    assert [a["status"] for a in listed] == ["approved"]
    # The case may now close.
    case.refresh_from_db()
    moved = _post(
        api("lead"),
        f"/api/v1/cases/{case.pk}/stage",
        {"to_stage": "closed", "reason": "Approved closure."},
        f'"{case.version}"',
    )
    assert moved.status_code == 200, moved.content


def test_the_requester_may_not_decide_their_own_request(world: DemoWorld, api: Api) -> None:
    gates_on(world)
    case = open_case(world)
    request = ApprovalRequest.objects.create(
        organisation=case.organisation,
        case=case,
        kind="closure",
        requested_by=world.users["supervisor"],
        request_reason="Made as the supervisor (a test shortcut).",
    )
    answer = _post(
        api("supervisor"),
        f"/api/v1/cases/{case.pk}/approvals/{request.pk}/decision",
        {"decision": "approved", "reason": "Approving my own."},
        '"1"',
    )
    assert answer.status_code == 403
    assert "another supervisor" in answer.json()["detail"]


def test_the_schema_describes_the_risk_endpoints(world: DemoWorld, api: Api) -> None:
    schema = api("lead").get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for fragment in (
        "/api/v1/cases/{case_id}/risk",
        "/api/v1/cases/{case_id}/approvals",
        "/api/v1/cases/{case_id}/approvals/{request_id}/decision",
        "RiskLevelEnum",
        "ApprovalDecisionEnum",
    ):
        assert fragment in text
