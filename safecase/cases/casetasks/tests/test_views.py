"""The Tasks tab and My tasks: set a task, mark it done or cancelled, bad input 422, stale 409."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import (
    DemoWorld,  # the demo world, as the fixtures build it
    client_for,
)
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.casetasks.tests.test_tasks import overdue, set_task
from safecase.cases.tests.helpers import open_case, restricted_case

pytestmark = pytest.mark.django_db


def test_setting_a_task_through_the_tab(world: DemoWorld) -> None:
    case = open_case(world)
    lead = client_for(world.users["lead"])
    assert lead.get(f"/cases/{case.pk}/tasks/").status_code == 200
    due = (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")
    data = {"title": "Ring the GP", "owner": str(world.users["case_worker"].pk), "due_on": due}
    assert lead.post(f"/cases/{case.pk}/tasks/new/", data).status_code == 302
    task = CaseTask.objects.get(case=case)
    assert task.owner == world.users["case_worker"]
    bad = lead.post(f"/cases/{case.pk}/tasks/new/", {**data, "due_on": "32/13/2026"})
    assert bad.status_code == 422 and b"day/month/year" in bad.content
    past = lead.post(f"/cases/{case.pk}/tasks/new/", {**data, "due_on": "01/01/2020"})
    assert past.status_code == 422 and b"cannot be in the past" in past.content
    nobody = lead.post(
        f"/cases/{case.pk}/tasks/new/", {**data, "owner": str(world.users["reporter"].pk)}
    )
    assert nobody.status_code == 422 and b"Select a valid choice" in nobody.content
    assert CaseTask.objects.count() == 1


def test_marking_a_task_done_or_cancelled(world: DemoWorld) -> None:
    case = open_case(world)
    task = set_task(world, case)
    worker = client_for(world.users["case_worker"])
    url = f"/cases/{case.pk}/tasks/{task.pk}/status/"
    stale = worker.post(url, {"status": "done", "version": 7})
    assert stale.status_code == 409
    no_reason = worker.post(url, {"status": "cancelled", "version": 1})
    assert no_reason.status_code == 422
    assert worker.post(url, {"status": "done", "version": 1}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_my_tasks_lists_mine_overdue_first_with_pages(world: DemoWorld) -> None:
    case = open_case(world)
    later = set_task(world, case, title="Later task")
    late = overdue(set_task(world, case, title="Late task"))
    worker = client_for(world.users["case_worker"])
    page = worker.get("/cases/tasks/")
    assert page.status_code == 200
    assert [t.pk for t in page.context["rows"]] == [late.pk, later.pk]
    assert b"Overdue" in page.content
    assert client_for(world.users["lead"]).get("/cases/tasks/").context["rows"] == []
    home = worker.get("/")
    assert b"Your overdue case tasks" in home.content and b"Late task" in home.content


def test_only_people_who_may_see_the_case_are_offered_as_owners(world: DemoWorld) -> None:
    case = open_case(world)
    offered = {
        pk
        for pk, _ in client_for(world.users["lead"])
        .get(f"/cases/{case.pk}/tasks/")
        .context["task_form"]
        .fields["owner"]
        .choices
    }
    users = world.users
    assert {str(users[p].pk) for p in ("lead", "deputy", "case_worker", "supervisor")} <= offered
    assert not {str(users[p].pk) for p in ("reporter", "auditor", "org_admin")} & offered
    secret = restricted_case(world, "case_worker")
    named = client_for(users["case_worker"]).get(f"/cases/{secret.pk}/tasks/")
    assert {pk for pk, _ in named.context["task_form"].fields["owner"].choices} == {
        str(users["deputy"].pk),
        str(users["case_worker"].pk),
    }
