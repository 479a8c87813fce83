"""The permission matrix for the task pages and API (issue 4), with the supervisor: the shared
case's tasks (Parveen of the police may read them), the restricted case's (the named only: not
the lead, not the auditor), My tasks for everyone holding case.view."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import DemoWorld, actor_for, client_for  # the demo world, as the fixtures build it
from safecase.access.actions import share_grant
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.casetasks.tests.test_tasks import overdue, set_task
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case, restricted_case
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

TEAM = ("lead", "deputy", "case_worker")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
VIEWERS = dict.fromkeys((*TEAM, "supervisor", *PARTNERS, *OTHER_LEADS), 200)
STALE = 999
Url = Callable[[DemoWorld], str]


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _page(word: str, suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, word).pk}/tasks/{suffix}"


def _status(word: str, api: bool = False) -> Url:
    def url(w: DemoWorld) -> str:
        case = _case(w, word)
        task = CaseTask.objects.get(case=case)
        if api:
            return f"/api/v1/cases/{case.pk}/tasks/{task.pk}/status"
        return f"/cases/{case.pk}/tasks/{task.pk}/status/"

    return url


def _api(word: str) -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/tasks"


SHARED_READ = {**dict.fromkeys((*TEAM, "supervisor"), 200), "partner_with_share": 200}
SHARED_READ |= {"partner_without": 404, **dict.fromkeys(OTHER_LEADS, 404)}
RESTRICTED_READ = {"deputy": 200, "case_worker": 200, "lead": 404, "supervisor": 404}
RESTRICTED_READ |= dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404)
MANAGERS_422 = {**dict.fromkeys(TEAM, 422), **dict.fromkeys(OTHER_LEADS, 404)}
# Closing a task: case.view on one's own organisation's case; then the owner (the case worker)
# or a case manager; the supervisor neither owns nor manages it.
CLOSE = {**dict.fromkeys(TEAM, 409), "supervisor": 403}
CLOSE |= dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404)

ENDPOINTS = [
    Endpoint("tasks of the shared case", "GET", _page("Shared"), 403, SHARED_READ),
    Endpoint(
        "set a task without a title",
        "POST",
        _page("Shared", "new/"),
        403,
        MANAGERS_422,
        data={"title": "", "owner": "", "due_on": "1/1/2030"},
    ),
    Endpoint(
        "close a task from a stale form",
        "POST",
        _status("Shared"),
        403,
        CLOSE,
        data={"status": "done", "version": STALE},
    ),
    Endpoint("my tasks", "GET", lambda w: "/cases/tasks/", 403, VIEWERS),
    Endpoint("tasks of the restricted case", "GET", _page("senior member"), 403, RESTRICTED_READ),
    Endpoint(
        "close a task on the restricted case from a stale form",
        "POST",
        _status("senior member"),
        403,
        {
            "deputy": 409,
            "case_worker": 409,
            "lead": 404,
            "supervisor": 404,
            **dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404),
        },
        data={"status": "done", "version": STALE},
    ),
    Endpoint("api tasks of the shared case", "GET", _api("Shared"), 403, SHARED_READ, api=True),
    Endpoint(
        "api set a task without a body",
        "POST",
        _api("Shared"),
        403,
        {**dict.fromkeys(TEAM, 400), **dict.fromkeys(OTHER_LEADS, 404)},
        api=True,
    ),
    Endpoint(
        "api close a task without If-Match",
        "POST",
        _status("Shared", api=True),
        403,
        {
            **dict.fromkeys((*TEAM, "supervisor"), 428),
            **dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404),
        },
        data={"status": "done"},
        api=True,
    ),
    Endpoint("api my tasks", "GET", lambda w: "/api/v1/cases/tasks/mine", 403, VIEWERS, api=True),
    Endpoint(
        "api tasks of the restricted case",
        "GET",
        _api("senior member"),
        403,
        RESTRICTED_READ,
        api=True,
    ),
]


def test_permission_matrix_for_the_task_pages(world: DemoWorld) -> None:
    shared = open_case(world, title="Shared: Jamie Example-Child, neglect (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    set_task(world, shared)
    secret = restricted_case(world, "case_worker")
    set_task(world, secret, by="case_worker")
    assert run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR) == []


def test_the_restricted_case_task_is_never_listed_or_counted_for_others(world: DemoWorld) -> None:
    secret = restricted_case(world, "case_worker", "supervisor")
    overdue(set_task(world, secret, owner="supervisor", by="case_worker"))
    supervisor = client_for(world.users["supervisor"])
    assert len(supervisor.get("/cases/tasks/").context["rows"]) == 1
    # Not their task (the deputy) or not their case (the lead): nothing listed, nothing counted.
    for persona in ("lead", "deputy"):
        client = client_for(world.users[persona])
        assert client.get("/cases/tasks/").context["rows"] == []
        assert b"Your overdue case tasks" in client.get("/").content
    assert client_for(world.users["auditor"]).get("/cases/tasks/").status_code == 403
