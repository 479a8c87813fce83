"""The decisions API: a decision and an appeal that varies it, end to end; 412 on a stale
ETag, 428 without one, 400 with a clear message for bad input (nothing saved); the schema
describes the endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.accounts import auth_actions
from safecase.cases.decisions.models import Appeal, Decision
from safecase.cases.decisions.tests.helpers import case_at_decision, decide, lodge, panel_of
from safecase.core.actors import Actor

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    _, secret = auth_actions.api_token_create(actor=actor, name="tests", days=30, with_mfa=True)
    return Client(headers={"authorization": f"Bearer {secret}"})


def _post(client: Client, url: str, body: dict[str, Any], etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _decision_body(world: DemoWorld, **extra: Any) -> dict[str, Any]:
    return {
        "outcome": "substantiated",
        "sanctions": [
            {"code": "training", "detail": "Safeguarding refresher"},
            {"code": "warning", "detail": "Written warning"},
        ],
        "decision_makers": [str(world.users["lead"].pk)],
        "rationale": "The accounts agree; the coach accepts it.",
        "decided_at": timezone.now().isoformat(),
        **extra,
    }


def test_a_decision_and_a_varied_appeal_through_the_api(world: DemoWorld) -> None:
    case = case_at_decision(world)
    lead = _client(actor_for(world, "lead"))
    base = f"/api/v1/cases/{case.pk}"
    read = lead.get(f"{base}/decisions")
    assert read.status_code == 200 and read.json()["current"] is None
    etag = read["ETag"]
    assert _post(lead, f"{base}/decisions", _decision_body(world)).status_code == 428
    assert _post(lead, f"{base}/decisions", _decision_body(world), '"99"').status_code == 412
    missing = _post(lead, f"{base}/decisions", _decision_body(world, rationale=""), etag)
    assert missing.status_code == 400
    assert "rationale" in missing.json()["rationale"][0]
    bad_date = _post(lead, f"{base}/decisions", _decision_body(world, decided_at="yesterday"), etag)
    assert bad_date.status_code == 400 and "decided_at" in bad_date.json()
    wrong = _post(
        lead, f"{base}/decisions", _decision_body(world, outcome="no_further_action"), etag
    )
    assert wrong.status_code == 400 and "outcome" in wrong.json()
    assert Decision.objects.count() == 0
    made = _post(lead, f"{base}/decisions", _decision_body(world), etag)
    assert made.status_code == 201, made.content
    first = made.json()
    assert first["number"] == 1 and len(first["snapshot_sha256"]) == 64
    assert first["snapshot"]["case"]["reference"] == case.reference
    detail = lead.get(f"{base}/decisions/{first['id']}")
    assert detail.status_code == 200 and detail.json()["snapshot"] == first["snapshot"]

    etag = made["ETag"]
    no_grounds = _post(
        lead,
        f"{base}/appeals",
        {
            "appellant_name": "Mark Example-Coach",
            "grounds": "",
            "lodged_at": timezone.now().isoformat(),
        },
        etag,
    )
    assert no_grounds.status_code == 400 and "grounds" in no_grounds.json()
    lodged = _post(
        lead,
        f"{base}/appeals",
        {
            "appellant_name": "Mark Example-Coach",
            "appellant_role": "The coach",
            "grounds": "The sanction is disproportionate.",
            "lodged_at": timezone.now().isoformat(),
        },
        etag,
    )
    assert lodged.status_code == 201, lodged.content
    appeal = lodged.json()
    panel = panel_of(world)
    conflicted = _post(
        lead,
        f"{base}/appeals/{appeal['id']}/panel",
        {"panel": [str(world.users["lead"].pk)]},
        lodged["ETag"],
    )
    assert conflicted.status_code == 400
    assert "made the decision under appeal" in conflicted.json()["panel"][0]
    set_ = _post(
        lead,
        f"{base}/appeals/{appeal['id']}/panel",
        {
            "panel": [str(p.user.pk) for p in panel if p.user],
            "hearing_at": timezone.now().isoformat(),
        },
        lodged["ETag"],
    )
    assert set_.status_code == 200 and set_["ETag"] == '"2"'
    chair = _client(panel[0])
    outcome_url = f"{base}/appeals/{appeal['id']}/outcome"
    body = {
        "outcome": "varied",
        "reason": "A warning alone is proportionate.",
        "decided_at": timezone.now().isoformat(),
        "new_outcome": "substantiated",
        "sanctions": [{"code": "warning", "detail": "Written warning, 12 months"}],
        "rationale": "The finding stands; the training is done.",
    }
    assert _post(chair, outcome_url, body, '"1"').status_code == 412
    not_panel = _post(lead, outcome_url, body, '"2"')
    assert not_panel.status_code == 400 and "Only a member" in str(not_panel.json())
    varied = _post(chair, outcome_url, body, '"2"')
    assert varied.status_code == 200, varied.content
    assert varied.json()["outcome"] == "varied"
    now = lead.get(f"{base}/decisions").json()
    assert [d["number"] for d in now["decisions"]] == [2, 1]
    assert now["current"] == now["decisions"][0]["id"]
    assert now["decisions"][0]["appeal"] == appeal["id"]
    assert Appeal.objects.get().outcome == "varied"


def test_the_options_and_the_schema(world: DemoWorld) -> None:
    lead = _client(actor_for(world, "lead"))
    options = lead.get("/api/v1/decision-options").json()
    codes = {(o["kind"], o["code"]) for o in options}
    assert ("outcome", "malicious") in codes and ("sanction", "dismissal") in codes
    schema = lead.get("/api/v1/schema/")
    assert schema.status_code == 200
    for path in (
        b"/api/v1/cases/{case_id}/decisions",
        b"/api/v1/cases/{case_id}/appeals/{appeal_id}/outcome",
        b"/api/v1/decision-options",
    ):
        assert path in schema.content


def test_a_case_worker_may_lodge_but_not_decide(world: DemoWorld) -> None:
    case = case_at_decision(world)
    worker = _client(actor_for(world, "case_worker"))
    case.refresh_from_db()
    refused = _post(
        worker, f"/api/v1/cases/{case.pk}/decisions", _decision_body(world), f'"{case.version}"'
    )
    assert refused.status_code == 403
    decision = decide(world, case)
    lodge(world, case, decision)
    assert worker.get(f"/api/v1/cases/{case.pk}/decisions").json()["appeals"][0]["grounds"]
