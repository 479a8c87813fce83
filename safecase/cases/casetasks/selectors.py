"""Reading case tasks: always through the cases the reader may see (``cases_visible_to``), so a
task on a restricted case is never listed or counted for anyone not named on it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page

# The case tab shows at most this many tasks (the newest due last).
CASE_LIMIT = 200
MY_PAGE_SIZE = 25


def tasks_visible_to(actor: Actor) -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(case__in=cases_visible_to(actor).values("pk"))


def case_tasks(case: Case) -> list[CaseTask]:
    """The case's tasks for its tab (the caller has checked the case): open ones first, by due
    date, then closed ones, in one query."""
    rows = list(
        CaseTask.objects.filter(case=case)
        .select_related("owner", "created_by", "closed_by")
        .order_by("due_on", "id")[:CASE_LIMIT]
    )
    return sorted(rows, key=lambda t: not t.is_open)


def my_open_tasks(actor: Actor) -> QuerySet[CaseTask]:
    if actor.user is None:
        return CaseTask.objects.none()
    return tasks_visible_to(actor).filter(owner_id=actor.user.pk, status=TaskStatus.OPEN)


def my_tasks_page(actor: Actor, *, cursor: str | None) -> KeysetPage[CaseTask]:
    """The actor's open tasks, earliest due (so overdue) first, a page at a time."""
    return keyset_page(
        my_open_tasks(actor).select_related("case"),
        key=("due_on", "id"),
        cursor=cursor,
        size=MY_PAGE_SIZE,
    )


def overdue_case_tasks(actor: Actor, *, mine: bool = True) -> QuerySet[CaseTask]:
    """Open tasks past their due date: the actor's own (``mine``), or every one on the cases
    the actor may see. Restricted cases the actor is not named on never count."""
    today = timezone.localdate()
    tasks = my_open_tasks(actor) if mine else tasks_visible_to(actor)
    return tasks.filter(status=TaskStatus.OPEN, due_on__lt=today).order_by("due_on", "id")


def home_panel(actor: Actor) -> dict[str, Any]:
    overdue = overdue_case_tasks(actor).select_related("case")
    return {"count": overdue.count(), "tasks": list(overdue[:5])}
