"""The notes tab and the supervision pages, without JavaScript: plain forms, POST then
redirect, bad input 422 with the error summary, a stale or too-late edit 409 with a message
that says what to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

# DemoWorld through conftest: the import contract exempts safecase.<app>.tests from its rule
# on safecase.demo, but not the tests of the case parts (one level deeper).
from conftest import DemoWorld, actor_for, client_for
from safecase.cases.notes import actions
from safecase.cases.notes.models import CaseNote, SupervisionRecord, SupervisionSchedule
from safecase.cases.notes.tests.helpers import deputys_case, supervise, write_note

pytestmark = pytest.mark.django_db

WHEN = "%Y-%m-%dT%H:%M"


def test_a_note_is_written_through_the_form_and_shown_with_its_opinion_labelled(
    world: DemoWorld,
) -> None:
    case = deputys_case(world)
    worker = client_for(world.users["case_worker"])
    page = worker.get(f"/cases/{case.pk}/notes/new/")
    assert page.status_code == 200 and b'type="datetime-local"' in page.content
    answer = worker.post(
        f"/cases/{case.pk}/notes/new/",
        {
            "kind": "contact",
            "occurred_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime(WHEN),
            "fact": "Home visit: Jamie was at home with his mother (synthetic).",
            "opinion": "The home seemed calmer than last week.",
            "visibility": "safeguarding_team",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/cases/{case.pk}/notes/"
    tab = worker.get(f"/cases/{case.pk}/notes/")
    html = tab.content.decode()
    assert "Home visit: Jamie was at home" in html
    assert "Opinion <span" in html and "not established fact" in html
    assert "Edit<span" in html  # its author, within the 24 hours


def test_bad_input_re_renders_with_the_error_summary(world: DemoWorld) -> None:
    case = deputys_case(world)
    worker = client_for(world.users["case_worker"])
    future = timezone.localtime(timezone.now() + timedelta(days=1)).strftime(WHEN)
    for data in (
        {"kind": "contact", "occurred_at": "31/02/2026", "fact": "x", "visibility": "case_team"},
        {"kind": "contact", "occurred_at": future, "fact": "Facts.", "visibility": "case_team"},
        {"kind": "contact", "occurred_at": future, "fact": "", "visibility": "case_team"},
    ):
        answer = worker.post(f"/cases/{case.pk}/notes/new/", data)
        assert answer.status_code == 422
        assert b"There is a problem" in answer.content
    assert not CaseNote.objects.exists()


def test_the_type_filter_and_the_pages(world: DemoWorld) -> None:
    case = deputys_case(world)
    for i in range(22):
        write_note(world, case, fact=f"Contact {i} (synthetic).")
    write_note(world, case, kind="discussion", fact="The discussion (synthetic).")
    worker = client_for(world.users["case_worker"])
    first = worker.get(f"/cases/{case.pk}/notes/")
    assert len(first.context["notes"]) == 20 and first.context["page"].next_cursor
    rest = worker.get(f"/cases/{case.pk}/notes/", {"after": first.context["page"].next_cursor})
    assert len(rest.context["notes"]) == 3
    only = worker.get(f"/cases/{case.pk}/notes/", {"kind": "discussion"})
    assert [n.fact for n, _ in only.context["notes"]] == ["The discussion (synthetic)."]


def test_an_edit_after_24_hours_is_refused_with_a_pointer_to_an_addendum(
    world: DemoWorld,
) -> None:
    case = deputys_case(world)
    note = write_note(world, case)
    worker = client_for(world.users["case_worker"])
    url = f"/cases/{case.pk}/notes/{note.pk}/edit/"
    data = {
        "kind": "contact",
        "occurred_at": timezone.localtime(note.occurred_at).strftime(WHEN),
        "fact": "Changed (synthetic).",
        "version": note.version,
    }
    # Written 25 hours ago (moving the clock instead would end the session too).
    CaseNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(hours=25))
    shown = worker.get(url)
    assert b"Add an addendum" in shown.content and b"<textarea" not in shown.content
    answer = worker.post(url, data)
    assert answer.status_code == 409
    assert b"Add an addendum instead" in answer.content
    added = worker.post(
        f"/cases/{case.pk}/notes/{note.pk}/addendum/",
        {"reason": "The time was missing.", "text": "At 10:05."},
    )
    assert added.status_code == 302
    note.refresh_from_db()
    assert note.version == 1 and note.addenda.count() == 1


def test_a_stale_edit_is_a_conflict_message(world: DemoWorld) -> None:
    case = deputys_case(world)
    note = write_note(world, case)
    actions.note_edit(
        actor=actor_for(world, "case_worker"),
        note=note,
        version=1,
        kind="contact",
        fact="First edit (synthetic).",
        occurred_at=note.occurred_at,
    )
    answer = client_for(world.users["case_worker"]).post(
        f"/cases/{case.pk}/notes/{note.pk}/edit/",
        {
            "kind": "contact",
            "occurred_at": timezone.localtime(note.occurred_at).strftime(WHEN),
            "fact": "Old form.",
            "version": 1,
        },
    )
    assert answer.status_code == 409
    assert b"it is now version 2" in answer.content


def test_supervision_is_recorded_through_the_form(world: DemoWorld) -> None:
    case = deputys_case(world)
    supervisor = client_for(world.users["supervisor"])
    url = f"/cases/{case.pk}/notes/supervision/new/"
    assert supervisor.get(url).status_code == 200
    data = {
        "supervisee": str(world.users["case_worker"].pk),
        "held_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime(WHEN),
        "discussion": "Reflected on the home visit (synthetic).",
        "action_0_text": "Visit the aunt.",
        "action_0_owner": str(world.users["case_worker"].pk),
        "action_0_due_on": "",
    }
    refused = supervisor.post(url, data)
    assert refused.status_code == 422 and b"owner and its due date together" in refused.content
    data["action_0_due_on"] = (timezone.localdate() + timedelta(days=7)).isoformat()
    assert supervisor.post(url, data).status_code == 302
    record = SupervisionRecord.objects.get()
    assert record.actions.get().owner == world.users["case_worker"]
    tab = client_for(world.users["case_worker"]).get(f"/cases/{case.pk}/notes/")
    assert b"Reflected on the home visit" in tab.content


def test_the_schedules_page_the_form_and_the_workers_own_view(world: DemoWorld) -> None:
    case = deputys_case(world)
    supervise(world, case, days_ago=1)
    supervisor = client_for(world.users["supervisor"])
    starts = (timezone.localdate() - timedelta(weeks=9)).isoformat()
    worker_id = str(world.users["case_worker"].pk)
    bad = supervisor.post(
        "/cases/supervision/schedule/",
        {"worker": worker_id, "every_weeks": "often", "starts_on": starts},
    )
    assert bad.status_code == 422 and b"whole number of weeks" in bad.content
    saved = supervisor.post(
        "/cases/supervision/schedule/", {"worker": worker_id, "every_weeks": 4, "starts_on": starts}
    )
    assert saved.status_code == 302
    assert SupervisionSchedule.objects.get().every_weeks == 4
    page = supervisor.get("/cases/supervision/")
    html = page.content.decode()
    assert "Cass Worker" in html and "missed" in html and "Open cases" in html
    form = supervisor.get("/cases/supervision/schedule/", {"worker": worker_id})
    assert form.context["form"].initial["version"] == 1
    mine = client_for(world.users["case_worker"]).get("/cases/supervision/mine/")
    assert mine.status_code == 200 and b"A session every 4 weeks" in mine.content


def test_the_home_panel_shows_overdue_supervision_to_the_supervisor(world: DemoWorld) -> None:
    actions.schedule_set(
        actor=actor_for(world, "supervisor"),
        worker=world.users["case_worker"],
        every_weeks=2,
        starts_on=timezone.localdate() - timedelta(weeks=5),
    )
    home = client_for(world.users["supervisor"]).get("/")
    assert b"Supervisions overdue" in home.content
    assert b"Cass Worker: 2 missed" in home.content
    assert b"Supervisions overdue" not in client_for(world.users["lead"]).get("/").content
