"""The investigation's API does what its pages do, through the same actions: open, change
(If-Match: 428 without, 412 stale), interviews and addenda, evidence with a multipart file and
its download, custody, findings; the OpenAPI schema describes every endpoint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.accounts import auth_actions
from safecase.cases.investigations.models import EvidenceItem, Interview, Investigation
from safecase.cases.investigations.tests.helpers import allegation_case, open_investigation

pytestmark = pytest.mark.django_db

Api = Callable[[str], Client]


@pytest.fixture
def api(world: DemoWorld) -> Api:
    """A client for a persona, authenticated by a personal token made with MFA."""
    clients: dict[str, Client] = {}

    def client_for(persona: str) -> Client:
        if persona not in clients:
            _, secret = auth_actions.api_token_create(
                actor=actor_for(world, persona), name="tests", days=30, with_mfa=True
            )
            clients[persona] = Client(headers={"authorization": f"Bearer {secret}"})
        return clients[persona]

    return client_for


def _send(
    client: Client, method: str, url: str, body: dict[str, Any], etag: str | None = None
) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def _url(case_id: object, suffix: str = "") -> str:
    return f"/api/v1/cases/{case_id}/investigation{suffix}"


def test_an_investigation_is_run_through_the_api(world: DemoWorld, api: Api) -> None:
    lead = api("lead")
    case = allegation_case(world)
    assert lead.get(_url(case.pk)).status_code == 404
    opened = _send(
        lead,
        "POST",
        _url(case.pk),
        {
            "terms_of_reference": "Establish what happened after practice.",
            "plan": "Interview Alex, Sam and the coach.",
            "investigator": str(world.users["case_worker"].pk),
            "reason": "The threshold is met.",
        },
    )
    assert opened.status_code == 201, opened.content
    assert opened["ETag"] == '"1"' and opened.json()["status"] == "planned"
    # Changing it needs the ETag: 428 without, 412 stale.
    change = {"status": "in_progress", "reason": "Interviews start."}
    assert _send(lead, "PATCH", _url(case.pk), change).status_code == 428
    assert _send(lead, "PATCH", _url(case.pk), change, '"7"').status_code == 412
    assert Investigation.objects.get().status == "planned"
    changed = _send(lead, "PATCH", _url(case.pk), change, '"1"')
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert [r["number"] for r in changed.json()["revisions"]] == [2, 1]

    interview = _send(
        lead,
        "POST",
        _url(case.pk, "/interviews"),
        {
            "interviewee_name": "Sam Example-Witness",
            "role": "witness",
            "held_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "interviewer": str(world.users["case_worker"].pk),
            "summary": "Sam saw the coach hold Alex's arm.",
            "interviewer_opinion": "Calm and consistent.",
            "signed": True,
            "signed_on": timezone.localdate().isoformat(),
        },
    )
    assert interview.status_code == 201, interview.content
    interview_id = interview.json()["id"]
    addendum = _send(
        lead,
        "POST",
        _url(case.pk, f"/interviews/{interview_id}/addenda"),
        {"reason": "Sam phoned back.", "text": "It was 17:10."},
    )
    assert addendum.status_code == 201

    item = _send(
        lead,
        "POST",
        _url(case.pk, "/evidence"),
        {
            "item": "Session register",
            "source": "Club administrator",
            "obtained_on": timezone.localdate().isoformat(),
        },
    )
    assert item.status_code == 201, item.content
    evidence_id = item.json()["id"]
    assert item.json()["download"] is None
    data = b"Register (synthetic): Alex present.\n"
    uploaded = lead.post(
        _url(case.pk, f"/evidence/{evidence_id}/file"),
        {"file": SimpleUploadedFile("register.txt", data)},
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["sha256"] == hashlib.sha256(data).hexdigest()
    download = lead.get(uploaded.json()["download"])
    assert download.status_code == 200 and download.content == data
    assert download["Content-Disposition"].startswith("attachment")
    again = lead.post(
        _url(case.pk, f"/evidence/{evidence_id}/file"),
        {"file": SimpleUploadedFile("other.txt", b"Other.\n")},
    )
    assert again.status_code == 400 and "already has its file" in again.content.decode()

    custody = _send(
        lead,
        "POST",
        _url(case.pk, f"/evidence/{evidence_id}/custody"),
        {
            "from_whom": "Club administrator",
            "to_whom": "Cass Example-Worker",
            "transferred_at": timezone.now().isoformat(),
            "purpose": "For the file.",
        },
    )
    assert custody.status_code == 201, custody.content
    fact = {"kind": "established_fact", "text": "The coach held Alex's arm."}
    assert _send(lead, "POST", _url(case.pk, "/findings"), fact).status_code == 400
    found = _send(lead, "POST", _url(case.pk, "/findings"), {**fact, "interviews": [interview_id]})
    assert found.status_code == 201, found.content

    body = lead.get(_url(case.pk)).json()
    assert [i["id"] for i in body["interviews"]] == [interview_id]
    assert body["interviews"][0]["interviewer_opinion"] == "Calm and consistent."
    assert len(body["interviews"][0]["addenda"]) == 1
    assert body["evidence"][0]["custody"][0]["to_whom"] == "Cass Example-Worker"
    assert body["findings"][0]["interviews"] == [interview_id]
    concluded = _send(
        lead, "PATCH", _url(case.pk), {"status": "concluded", "reason": "Done."}, '"2"'
    )
    assert concluded.status_code == 200 and concluded.json()["concluded_at"]


def test_bad_input_is_refused_and_nothing_saved(world: DemoWorld, api: Api) -> None:
    lead = api("lead")
    inv = open_investigation(world)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    interview = {
        "interviewee_name": "Sam",
        "role": "witness",
        "held_at": future,
        "interviewer": str(world.users["case_worker"].pk),
        "summary": "Sam saw it.",
    }
    refused = _send(lead, "POST", _url(inv.case_id, "/interviews"), interview)
    assert refused.status_code == 400 and "held_at" in refused.json()
    no_summary = {**interview, "held_at": timezone.now().isoformat(), "summary": ""}
    refused = _send(lead, "POST", _url(inv.case_id, "/interviews"), no_summary)
    assert refused.status_code == 400 and "summary" in refused.json()
    assert not Interview.objects.exists()
    evidence = {
        "item": "Register",
        "source": "Club",
        "obtained_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }
    refused = _send(lead, "POST", _url(inv.case_id, "/evidence"), evidence)
    assert refused.status_code == 400 and "obtained_on" in refused.json()
    assert not EvidenceItem.objects.exists()


def test_a_mislabelled_upload_is_refused(world: DemoWorld, api: Api) -> None:
    lead = api("lead")
    inv = open_investigation(world)
    item = _send(
        lead,
        "POST",
        _url(inv.case_id, "/evidence"),
        {"item": "Photo", "source": "Parent", "obtained_on": timezone.localdate().isoformat()},
    ).json()
    refused = lead.post(
        _url(inv.case_id, f"/evidence/{item['id']}/file"),
        {"file": SimpleUploadedFile("photo.png", b"not a png at all\n")},
    )
    assert refused.status_code == 400 and "do not match" in refused.content.decode()
    assert EvidenceItem.objects.get().storage_name == ""


def test_another_organisation_and_the_partner_get_404_for_changes(
    world: DemoWorld, api: Api
) -> None:
    inv = open_investigation(world)
    for persona in ("other_org", "partner_with_share", "primary_lead"):
        response = _send(api(persona), "PATCH", _url(inv.case_id), {"reason": "Trying."}, '"1"')
        assert response.status_code in (403, 404), persona
    assert Investigation.objects.get().version == 1


def test_the_schema_describes_the_endpoints(world: DemoWorld, api: Api) -> None:
    response = api("lead").get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/v1/cases/{case_id}/investigation:",
        "/api/v1/cases/{case_id}/investigation/interviews:",
        "/api/v1/cases/{case_id}/investigation/interviews/{interview_id}/addenda:",
        "/api/v1/cases/{case_id}/investigation/evidence:",
        "/api/v1/cases/{case_id}/investigation/evidence/{evidence_id}/file:",
        "/api/v1/cases/{case_id}/investigation/evidence/{evidence_id}/custody:",
        "/api/v1/cases/{case_id}/investigation/findings:",
    ):
        assert path in text, path
    assert "multipart/form-data" in text and "FindingKindEnum" in text
