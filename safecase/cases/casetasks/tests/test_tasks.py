"""Case tasks: set for someone who may see the case, done or cancelled by its owner or a case
manager under optimistic locking, bad input refused with nothing saved; "my tasks" and the
overdue selector from the access scoping (a restricted case never shown or counted); the
daily digest of overdue tasks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from conftest import (
    DemoWorld,  # the demo world, as the fixtures build it
    actor_for,
)
from safecase.access.actions import record_restrict
from safecase.cases import parts
from safecase.cases.casetasks import actions, selectors
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.casetasks.reminders import SUBJECT, send_overdue_case_task_digest
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case, restricted_case, second_lead
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def set_task(
    world: DemoWorld,
    case: Case,
    *,
    owner: str = "case_worker",
    by: str = "lead",
    due_on: date | None = None,
    title: str = "Ask the school nurse for her notes",
) -> CaseTask:
    return actions.case_task_create(
        actor=actor_for(world, by),
        case=case,
        title=title,
        owner=world.users[owner],
        due_on=due_on or timezone.localdate() + timedelta(days=3),
    )


def overdue(task: CaseTask, days: int = 2) -> CaseTask:
    """Make a task overdue (as time passing would): set its due date in the past."""
    CaseTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=days))
    task.refresh_from_db()
    return task


def test_a_task_is_set_with_its_owner_and_due_date(world: DemoWorld) -> None:
    case = open_case(world)
    task = set_task(world, case)
    assert task.status == TaskStatus.OPEN and task.created_by == world.users["lead"]
    assert task.owner == world.users["case_worker"] and task.source == ""
    assert [t.pk for t in selectors.case_tasks(case)] == [task.pk]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("title", {"title": "   "}),
        ("title", {"title": "x" * 201}),
        ("due_on", {"due_on": "2026-02-31"}),
        ("due_on", {"due_on": -1}),
        ("due_on", {"due_on": 900}),
    ],
)
def test_bad_tasks_are_refused(world: DemoWorld, field: str, kwargs: dict) -> None:
    case = open_case(world)
    if isinstance(kwargs.get("due_on"), int):
        kwargs = {"due_on": timezone.localdate() + timedelta(days=kwargs["due_on"])}
    fields = {
        "actor": actor_for(world, "lead"),
        "case": case,
        "title": "Ask for notes",
        "owner": world.users["case_worker"],
        "due_on": timezone.localdate(),
        **kwargs,
    }
    with pytest.raises(DomainError) as caught:
        actions.case_task_create(**fields)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert not CaseTask.objects.exists()


@pytest.mark.parametrize("owner", ["reporter", "auditor", "org_admin", "other_org", "lead"])
def test_the_owner_must_be_able_to_see_the_case(world: DemoWorld, owner: str) -> None:
    # A restricted case (the lead is not named): only the named may own its tasks.
    case = restricted_case(world, "case_worker")
    with pytest.raises(DomainError) as caught:
        set_task(world, case, owner=owner, by="case_worker")
    assert caught.value.field == "owner"
    assert not CaseTask.objects.exists()


def test_only_case_managers_set_tasks_and_only_on_their_cases(world: DemoWorld) -> None:
    case = open_case(world)
    for persona in ("reporter", "supervisor", "auditor", "primary_lead", "partner_with_share"):
        with pytest.raises(NotPermitted):
            set_task(world, case, by=persona)
    assert not CaseTask.objects.exists()


def test_the_owner_marks_it_done_and_a_stale_form_is_a_conflict(world: DemoWorld) -> None:
    task = set_task(world, open_case(world), owner="supervisor")
    supervisor = actor_for(world, "supervisor")
    with pytest.raises(Conflict):
        actions.case_task_complete(actor=supervisor, task=task, version=task.version + 1)
    task.refresh_from_db()
    assert task.is_open
    done = actions.case_task_complete(
        actor=supervisor, task=task, version=task.version, note="Notes received."
    )
    assert done.status == TaskStatus.DONE and done.closed_by == world.users["supervisor"]
    assert done.closed_at is not None and done.version == 2
    with pytest.raises(DomainError, match="already done"):
        actions.case_task_complete(actor=supervisor, task=done, version=done.version)


def test_someone_else_without_case_management_cannot_close_it(world: DemoWorld) -> None:
    task = set_task(world, open_case(world), owner="case_worker")
    with pytest.raises(NotPermitted):
        actions.case_task_complete(actor=actor_for(world, "supervisor"), task=task, version=1)
    # The lead manages the case, so may close it for the owner (a handover, an absence).
    actions.case_task_cancel(
        actor=actor_for(world, "lead"), task=task, version=1, reason="No longer needed."
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and task.close_note == "No longer needed."


def test_cancelling_needs_a_reason(world: DemoWorld) -> None:
    task = set_task(world, open_case(world))
    with pytest.raises(DomainError) as caught:
        actions.case_task_cancel(actor=actor_for(world, "lead"), task=task, version=1, reason="")
    assert caught.value.field == "note"
    task.refresh_from_db()
    assert task.is_open


def test_my_tasks_overdue_first_and_restricted_cases_never_counted(world: DemoWorld) -> None:
    later = set_task(world, open_case(world), due_on=timezone.localdate() + timedelta(days=5))
    late = overdue(set_task(world, open_case(world)))
    worker = actor_for(world, "case_worker")
    assert [t.pk for t in selectors.my_tasks_page(worker, cursor=None).items] == [
        late.pk,
        later.pk,
    ]
    assert list(selectors.overdue_case_tasks(worker)) == [late]
    assert selectors.home_panel(worker)["count"] == 1
    # A task on a case restricted to the case worker: theirs; the lead never sees it.
    secret = restricted_case(world, "case_worker")
    hidden = overdue(set_task(world, secret, owner="case_worker", by="case_worker"))
    assert hidden in selectors.overdue_case_tasks(worker)
    lead = actor_for(world, "lead")
    assert hidden not in selectors.overdue_case_tasks(lead, mine=False)
    assert late in selectors.overdue_case_tasks(lead, mine=False)
    assert selectors.overdue_case_tasks(actor_for(world, "auditor"), mine=False).count() == 0


def test_the_digest_tells_each_owner_how_many_never_what(world: DemoWorld) -> None:
    overdue(set_task(world, open_case(world), owner="case_worker", title="Call Jamie's aunt"))
    overdue(set_task(world, open_case(world), owner="case_worker"))
    overdue(set_task(world, open_case(world), owner="deputy"))
    set_task(world, open_case(world), owner="supervisor")  # not overdue
    done = overdue(set_task(world, open_case(world), owner="supervisor"))
    actions.case_task_complete(actor=actor_for(world, "supervisor"), task=done, version=1)
    mail.outbox.clear()
    assert send_overdue_case_task_digest() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {world.users["case_worker"].email, world.users["deputy"].email}
    worker_mail = by_recipient[world.users["case_worker"].email]
    assert worker_mail.subject == SUBJECT
    assert "2 case task(s) at Riverside Academy" in worker_mail.body
    assert "Jamie" not in worker_mail.body and "aunt" not in worker_mail.body
    assert "1 case task(s)" in by_recipient[world.users["deputy"].email].body


def test_the_digest_does_not_count_a_task_on_a_case_the_owner_can_no_longer_see(
    world: DemoWorld,
) -> None:
    # The lead owned a task on a case later restricted to others: the count must not reveal it.
    case = open_case(world)
    overdue(set_task(world, case, owner="lead"))
    record_restrict(
        actor=second_lead(world),
        record=case,
        named_people=[world.users["case_worker"]],
        reason="An allegation about the lead has come in.",
    )
    mail.outbox.clear()
    assert send_overdue_case_task_digest() == 0


def test_the_digest_command(world: DemoWorld) -> None:
    overdue(set_task(world, open_case(world)))
    mail.outbox.clear()
    call_command("send_case_task_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1


def test_the_tasks_section(world: DemoWorld) -> None:
    case = open_case(world)
    task = set_task(world, case)
    actions.case_task_complete(actor=actor_for(world, "case_worker"), task=task, version=1)
    section = next(s for s in parts.case_sections(case) if s["key"] == "tasks")
    assert section["title"] == "Tasks"
    (entry,) = section["entries"]
    assert entry["heading"] == task.title and "Status: done by Cass Worker" in entry["body"]
