"""Tasks that a part of a case opens and closes itself (a referral's follow-up), inside that
part's action and its transaction: not actions of their own (the part's action checks the
policy and writes the audit events, its own and ``case_task.created``/``case_task.done``).

Also the check every task's owner passes, shared with casetasks.actions: an active member of
the case's organisation who may see the case (a restricted case's task never goes to someone
not named on it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Membership, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor
from safecase.core.errors import DomainError


def check_owner(case: Case, user: User) -> None:
    """DomainError unless ``user`` may own a task on ``case``."""
    membership = (
        Membership.objects.filter(user=user, organisation_id=case.organisation_id, is_active=True)
        .prefetch_related("roles")
        .first()
    )
    if membership is None or not user.is_active:
        raise DomainError("Give the task to an active member of your organisation.", field="owner")
    member = Actor(
        user=user, organisation=case.organisation, roles=frozenset(membership.role_names())
    )
    name = user.full_name or user.email
    if not can(member, Permission.CASE_VIEW) or not (
        cases_visible_to(member).filter(pk=case.pk).exists()
    ):
        raise DomainError(
            f"{name} cannot see this case, so cannot own a task on it.", field="owner"
        )


def open_task(
    *,
    actor: Actor,
    case: Case,
    title: str,
    owner: User,
    due_on: date,
    source: str,
    source_id: Any,
) -> CaseTask:
    """A task set by a part of the case (``source`` in words, ``source_id`` its record)."""
    check_owner(case, owner)
    task = CaseTask.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        title=title[:200],
        owner=owner,
        due_on=due_on,
        source=source[:80],
        source_id=source_id,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_TASK_CREATED,
        subject=task,
        changes={"case": case.pk, "owner": owner.pk, "due_on": due_on, "source": source},
    )
    return task


def close_tasks_from(*, actor: Actor, source_id: Any, note: str) -> list[CaseTask]:
    """Mark done the open tasks a part's record opened (the response to a referral came)."""
    assert actor.user is not None
    tasks = list(
        CaseTask.objects.select_for_update().filter(source_id=source_id, status=TaskStatus.OPEN)
    )
    now = timezone.now()
    CaseTask.objects.filter(pk__in=[t.pk for t in tasks]).update(
        status=TaskStatus.DONE,
        closed_by=actor.user,
        closed_at=now,
        close_note=note[:500],
        version=F("version") + 1,
        updated_at=now,
    )
    for task in tasks:
        recorder.record(
            actor=actor,
            action=AuditAction.CASE_TASK_DONE,
            subject=task,
            reason=note[:500],
            changes={"status": [TaskStatus.OPEN, TaskStatus.DONE], "automatic": True},
        )
    return tasks
