"""The cases API does what the case pages do, through the same actions: open, add, move,
allocate; every change to a case needs If-Match (428 without, 412 stale, nothing changed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safecase.cases.choices import Stage
from safecase.cases.models import Case, CaseTeamMember
from safecase.cases.tests.helpers import open_case, restricted_case
from safecase.cases.tests.test_actions import _person
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db

Api = Callable[[str], Client]


def _post(client: Client, url: str, body: dict[str, Any], etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_an_allegation_is_opened_moved_and_allocated_through_the_api(
    world: DemoWorld, api: Api
) -> None:
    lead = api("lead")
    concern = submitted_concern(world)
    opened = _post(
        lead,
        "/api/v1/cases",
        {
            "case_type": "allegation",
            "title": "Allegation against a coach (synthetic)",
            "reason": "A parent phoned.",
            "concern": str(concern.pk),
        },
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    url = opened["Location"]
    assert opened["ETag"] == '"1"' and body["concerns"] == [str(concern.pk)]
    assert body["next_stages"] == ["external_referral", "internal_investigation", "decision"]
    person = _person(world, kind="adult_concerned")
    added = _post(
        lead, f"{url}/subjects", {"person": str(person.pk), "role": "adult_concerned"}, '"1"'
    )
    assert added.status_code == 200 and added["ETag"] == '"2"'
    moved = _post(
        lead, f"{url}/stage", {"to_stage": "external_referral", "reason": "LADO referral."}, '"2"'
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "external_referral"
    allocated = _post(
        lead,
        f"{url}/allocations",
        {
            "user": str(world.users["case_worker"].pk),
            "role": "case_worker",
            "reason": "Cass investigates.",
        },
        moved["ETag"],
    )
    assert allocated.status_code == 200
    assert {m["role"] for m in allocated.json()["team"]} == {"lead", "case_worker"}
    read = lead.get(url)
    assert read.status_code == 200 and read["ETag"] == allocated["ETag"]
    assert [h["to_stage"] for h in read.json()["history"]] == ["external_referral", "reporting"]
    listed = lead.get("/api/v1/cases?status=open").json()["results"]
    assert [c["reference"] for c in listed] == ["C-00001"]


def test_a_change_without_if_match_is_428_and_a_stale_one_412(world: DemoWorld, api: Api) -> None:
    case = open_case(world)
    lead = api("lead")
    body = {"to_stage": "external_referral", "reason": "Referred."}
    assert _post(lead, f"/api/v1/cases/{case.pk}/stage", body).status_code == 428
    assert _post(lead, f"/api/v1/cases/{case.pk}/stage", body, '"7"').status_code == 412
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.REPORTING, 1)


def test_an_illegal_move_is_400_with_the_message(world: DemoWorld, api: Api) -> None:
    case = open_case(world, code="allegation")
    response = _post(
        api("lead"),
        f"/api/v1/cases/{case.pk}/stage",
        {"to_stage": "closed", "reason": "No."},
        '"1"',
    )
    assert response.status_code == 400
    assert "cannot move from reporting to closed" in response.json()["to_stage"][0]


def test_a_case_worker_may_not_record_the_decision(world: DemoWorld, api: Api) -> None:
    case = open_case(world, code="allegation")
    worker = api("case_worker")
    moved = _post(
        worker,
        f"/api/v1/cases/{case.pk}/stage",
        {"to_stage": "decision", "reason": "Ready."},
        '"1"',
    )
    assert moved.status_code == 200
    refused = _post(
        worker, f"/api/v1/cases/{case.pk}/stage", {"to_stage": "learning", "reason": "Done."}, '"2"'
    )
    assert refused.status_code == 403 and "decision maker" in refused.json()["detail"]


def test_a_restricted_case_is_404_to_the_lead_and_absent_from_their_list(
    world: DemoWorld, api: Api
) -> None:
    case = restricted_case(world, "case_worker")
    lead = api("lead")
    assert lead.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert lead.get("/api/v1/cases").json()["results"] == []
    assert api("case_worker").get(f"/api/v1/cases/{case.pk}").status_code == 200
    stale = _post(
        lead,
        f"/api/v1/cases/{case.pk}/allocations",
        {"user": str(world.users["lead"].pk), "role": "lead", "reason": "Taking it back."},
        '"1"',
    )
    assert stale.status_code == 404
    assert not CaseTeamMember.objects.filter(case=case, user=world.users["lead"]).exists()


def test_opening_needs_a_case_type_the_actor_may_open(world: DemoWorld, api: Api) -> None:
    response = _post(
        api("deputy"), "/api/v1/cases", {"case_type": "low_level", "title": "X", "reason": "Why."}
    )
    assert response.status_code == 400 and "case_type" in response.json()
    assert not Case.objects.exists()


def test_a_case_opened_restricted_through_the_api_is_seen_by_the_named_alone(
    world: DemoWorld, api: Api
) -> None:
    opened = _post(
        api("lead"),
        "/api/v1/cases",
        {
            "case_type": "allegation",
            "title": "Allegation against the deputy head (synthetic)",
            "reason": "A parent phoned.",
            "restrict_to": [str(world.users["case_worker"].pk)],
            "restriction_reason": "The allegation is about a senior leader.",
        },
    )
    assert opened.status_code == 201, opened.content
    url = opened["Location"]
    assert api("case_worker").get(url).status_code == 200
    assert api("deputy").get(url).status_code == 404
    assert api("deputy").get("/api/v1/cases").json()["results"] == []


def test_restricting_to_someone_outside_the_organisation_opens_nothing(
    world: DemoWorld, api: Api
) -> None:
    response = _post(
        api("lead"),
        "/api/v1/cases",
        {
            "case_type": "allegation",
            "title": "Allegation (synthetic)",
            "reason": "A parent phoned.",
            "restrict_to": [str(world.users["other_org"].pk)],
            "restriction_reason": "About a senior leader.",
        },
    )
    assert response.status_code == 400 and "restrict_to" in response.json()
    no_reason = _post(
        api("lead"),
        "/api/v1/cases",
        {
            "case_type": "allegation",
            "title": "Allegation (synthetic)",
            "reason": "A parent phoned.",
            "restrict_to": [],
        },
    )
    assert no_reason.status_code == 400 and "restriction_reason" in no_reason.json()
    deputy = _post(
        api("deputy"),
        "/api/v1/cases",
        {
            "case_type": "allegation",
            "title": "Allegation (synthetic)",
            "reason": "A parent phoned.",
            "restrict_to": [],
            "restriction_reason": "About the lead.",
        },
    )
    assert deputy.status_code == 403 and "restricting" in deputy.json()["detail"]
    assert not Case.objects.exists()
