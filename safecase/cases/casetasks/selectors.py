"""Reading case tasks: always through the cases the reader may see (``cases_visible_to``), so a
task on a restricted case is never listed or counted for anyone not named on it."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from safecase.access.models import RecordRestriction
from safecase.access.permissions import Permission
from safecase.access.roles import permissions_for
from safecase.accounts.models import Membership
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.choices import CaseKind
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


def owner_choices(case: Case) -> list[tuple[str, str]]:
    """Who may own a task on the case, as (user id, name) choices: active members whose roles
    let them see cases (and the low-level log, for a low-level case) and, for a restricted
    case, only its named people. The action checks again; this only keeps the list honest.
    A fixed number of queries, whatever the size of the organisation."""
    needed = {Permission.CASE_VIEW}
    if case.case_type.kind == CaseKind.LOW_LEVEL:
        needed.add(Permission.CONCERN_VIEW_LOW_LEVEL)
    memberships = (
        Membership.objects.filter(
            organisation_id=case.organisation_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__full_name", "user__email")[:500]
    )
    restriction = RecordRestriction.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_id=case.pk.hex
    ).first()
    named = (
        None if restriction is None else set(restriction.named_people.values_list("pk", flat=True))
    )
    return [
        (str(m.user_id), m.user.full_name or m.user.email)
        for m in memberships
        if needed <= permissions_for(frozenset(m.role_names()))
        and (named is None or m.user_id in named)
    ]
