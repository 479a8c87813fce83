"""The notes API does what the notes tab does, through the same actions: write, list, edit
within 24 hours under If-Match (428 without, 412 stale, 409 after the 24 hours), addenda;
supervision records and schedules."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.accounts import auth_actions
from safecase.cases.notes.models import CaseNote, SupervisionSchedule
from safecase.cases.notes.tests.helpers import deputys_case, write_note

pytestmark = pytest.mark.django_db

Api = Callable[[str], Client]


@pytest.fixture
def api(world: DemoWorld) -> Api:
    """A client for a persona, authenticated by a personal token made with MFA (as the API
    tests' own fixture, which this package may not import)."""
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


def _note_body(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "discussion",
        "visibility": "safeguarding_team",
        "fact": "Discussed attendance with the form tutor (synthetic).",
        "opinion": "Attendance is slipping.",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        **extra,
    }


def test_a_note_is_written_listed_edited_and_added_to(world: DemoWorld, api: Api) -> None:
    case = deputys_case(world)
    worker = api("case_worker")
    base = f"/api/v1/cases/{case.pk}/notes"
    made = _send(worker, "POST", base, _note_body())
    assert made.status_code == 201, made.content
    url, body = made["Location"], made.json()
    assert made["ETag"] == '"1"' and body["opinion"] == "Attendance is slipping."
    listed = worker.get(base, {"kind": "discussion"}).json()
    assert [n["id"] for n in listed["results"]] == [body["id"]]
    assert worker.get(base, {"kind": "contact"}).json()["results"] == []
    edit = {k: body[k] for k in ("kind", "fact", "opinion", "occurred_at")}
    edit["fact"] = "Discussed attendance with the form tutor on Monday (synthetic)."
    assert _send(worker, "PATCH", url, edit).status_code == 428
    assert _send(worker, "PATCH", url, edit, '"7"').status_code == 412
    changed = _send(worker, "PATCH", url, edit, '"1"')
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert changed.json()["revisions"][0]["fact"] == body["fact"]
    added = _send(worker, "POST", f"{url}/addenda", {"reason": "A detail.", "text": "In person."})
    assert added.status_code == 201 and added.json()["addenda"][0]["text"] == "In person."


def test_an_edit_after_24_hours_answers_409_pointing_to_an_addendum(
    world: DemoWorld, api: Api
) -> None:
    case = deputys_case(world)
    note = write_note(world, case)
    url = f"/api/v1/cases/{case.pk}/notes/{note.pk}"
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        body = {"kind": "contact", "fact": "Changed.", "occurred_at": note.occurred_at.isoformat()}
        answer = _send(api("case_worker"), "PATCH", url, body, '"1"')
    assert answer.status_code == 409 and "addendum" in answer.json()["detail"]
    note.refresh_from_db()
    assert note.version == 1


def test_bad_note_input_answers_400_and_saves_nothing(world: DemoWorld, api: Api) -> None:
    case = deputys_case(world)
    base = f"/api/v1/cases/{case.pk}/notes"
    worker = api("case_worker")
    future = (timezone.now() + timedelta(days=3)).isoformat()
    for body, field in (
        (_note_body(occurred_at=future), "occurred_at"),
        (_note_body(occurred_at="yesterday"), "occurred_at"),
        (_note_body(visibility="named"), "named_people"),
        (_note_body(kind="gossip"), "kind"),
    ):
        answer = _send(worker, "POST", base, body)
        assert answer.status_code == 400 and field in answer.json(), answer.content
    assert not CaseNote.objects.exists()


def test_a_named_note_is_404_and_unlisted_for_the_lead(world: DemoWorld, api: Api) -> None:
    case = deputys_case(world)
    note = write_note(world, case, visibility="named", named=("deputy",))
    lead = api("lead")
    assert lead.get(f"/api/v1/cases/{case.pk}/notes").json()["results"] == []
    assert lead.get(f"/api/v1/cases/{case.pk}/notes/{note.pk}").status_code == 404
    assert api("deputy").get(f"/api/v1/cases/{case.pk}/notes/{note.pk}").status_code == 200


def test_supervision_and_schedules_through_the_api(world: DemoWorld, api: Api) -> None:
    case = deputys_case(world)
    supervisor = api("supervisor")
    worker_id = str(world.users["case_worker"].pk)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    made = _send(
        supervisor,
        "POST",
        f"/api/v1/cases/{case.pk}/supervision",
        {
            "supervisee": worker_id,
            "held_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
            "discussion": "Reflected on the home visit (synthetic).",
            "actions": [{"text": "Visit the aunt.", "owner": worker_id, "due_on": due}],
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["actions"][0]["due_on"] == due
    assert len(api("case_worker").get(f"/api/v1/cases/{case.pk}/supervision").json()) == 1
    starts = (timezone.localdate() - timedelta(weeks=8)).isoformat()
    schedule = {"worker": worker_id, "every_weeks": 4, "starts_on": starts}
    created = _send(supervisor, "POST", "/api/v1/cases/supervision/schedules", schedule)
    assert created.status_code == 201, created.content
    # Two four-week periods ended with no session; today's is in the current one, so the
    # next is due by the end of the period after it.
    assert len(created.json()["missed"]) == 2
    assert (
        created.json()["next_due"]
        == (timezone.localdate() + timedelta(weeks=8, days=-1)).isoformat()
    )
    again = _send(supervisor, "POST", "/api/v1/cases/supervision/schedules", schedule)
    assert again.status_code == 409
    url = created["Location"]
    change = {"every_weeks": 2, "starts_on": starts}
    assert _send(supervisor, "PUT", url, change, '"9"').status_code == 412
    changed = _send(supervisor, "PUT", url, change, '"1"')
    assert changed.status_code == 200 and changed.json()["every_weeks"] == 2
    assert SupervisionSchedule.objects.get().version == 2
    mine = api("case_worker").get("/api/v1/cases/supervision/schedules/mine")
    assert mine.status_code == 200 and mine.json()["every_weeks"] == 2
    none = api("deputy").get("/api/v1/cases/supervision/schedules/mine")
    assert none.status_code == 200 and none.json()["schedule"] is None
    listing = supervisor.get("/api/v1/cases/supervision/schedules").json()
    assert {row["name"] for row in listing} == {"Cass Worker", "Dev Deputy"}


def test_the_openapi_schema_describes_the_notes_endpoints(world: DemoWorld, api: Api) -> None:
    schema = api("lead").get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200, schema.content[:300]
    paths = json.loads(schema.content)["paths"]
    for path in (
        "/api/v1/cases/{case_id}/notes",
        "/api/v1/cases/{case_id}/notes/{note_id}",
        "/api/v1/cases/{case_id}/notes/{note_id}/addenda",
        "/api/v1/cases/{case_id}/supervision",
        "/api/v1/cases/supervision/schedules",
        "/api/v1/cases/supervision/schedules/{schedule_id}",
        "/api/v1/cases/supervision/schedules/mine",
    ):
        assert path in paths, path
