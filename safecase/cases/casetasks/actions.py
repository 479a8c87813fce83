"""Setting a task on a case, and marking it done or cancelled.

Each starts with the case's guard (policy, visibility, ownership, open), refuses bad input
with DomainError before writing, guards the task with its ``version`` (a conditional UPDATE:
a stale form gets Conflict) and writes its audit event in the same transaction. A task's
title stays out of the audit changes (it may name people); the event names the task.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import guards
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.follow_up import check_owner
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.core.errors import DomainError, NotPermitted

# How far ahead a due date may be set: beyond this it is a typing mistake, not a plan.
LATEST_DUE_DAYS = 366 * 2


@transaction.atomic(durable=True)
def case_task_create(
    *, actor: Actor, case: Case, title: str, owner: User, due_on: date
) -> CaseTask:
    """Set a task on the case for ``owner`` (who must be able to see the case), due on
    ``due_on`` (today or later)."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    title = " ".join(title.split())
    if not title:
        raise DomainError("Say what the task is.", field="title")
    if len(title) > 200:
        raise DomainError("Keep the task under 200 characters.", field="title")
    if not isinstance(due_on, date):
        raise DomainError("Give the due date as a date, e.g. 27 3 2026.", field="due_on")
    today = timezone.localdate()
    if due_on < today:
        raise DomainError("The due date cannot be in the past.", field="due_on")
    if (due_on - today).days > LATEST_DUE_DAYS:
        raise DomainError("Give a due date within the next two years.", field="due_on")
    check_owner(case, owner)
    task = CaseTask.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        title=title,
        owner=owner,
        due_on=due_on,
        created_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_TASK_CREATED,
        subject=task,
        changes={"case": case.pk, "owner": owner.pk, "due_on": due_on},
    )
    return task


def _close(
    actor: Actor, task: CaseTask, version: int, status: str, note: str, event: AuditAction
) -> CaseTask:
    case = task.case
    guards.require_case_change(actor, case, Permission.CASE_VIEW)
    assert actor.user is not None
    if task.organisation_id != case.organisation_id:  # pragma: no cover - the FK says so
        raise NotPermitted("Not found.")
    # Its owner closes a task; so does anyone who manages the case (a handover, an absence).
    if task.owner_id != actor.user.pk and not can(actor, Permission.CASE_MANAGE, case):
        raise NotPermitted("Only the task's owner or someone who manages the case can close it.")
    now = timezone.now()
    updated = CaseTask.objects.filter(pk=task.pk, version=version, status=TaskStatus.OPEN).update(
        status=status,
        closed_by=actor.user,
        closed_at=now,
        close_note=note,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated != 1:
        task.refresh_from_db()
        if task.version == version and not task.is_open:
            raise DomainError(f"This task is already {task.get_status_display().lower()}.")
        raise guards.stale("This task")
    task.refresh_from_db()
    recorder.record(
        actor=actor,
        action=event,
        subject=task,
        reason=note,
        changes={"status": [TaskStatus.OPEN, status]},
    )
    return task


@transaction.atomic(durable=True)
def case_task_complete(*, actor: Actor, task: CaseTask, version: int, note: str = "") -> CaseTask:
    """Mark the task done (by its owner, or by someone who manages the case)."""
    cleaned = " ".join(note.split())
    if len(cleaned) > 500:
        raise DomainError("Keep the note under 500 characters.", field="note")
    return _close(actor, task, version, TaskStatus.DONE, cleaned, AuditAction.CASE_TASK_DONE)


@transaction.atomic(durable=True)
def case_task_cancel(*, actor: Actor, task: CaseTask, version: int, reason: str) -> CaseTask:
    """Cancel the task, saying why (it is no longer needed, it was set in error)."""
    why = guards.required_text(reason, "the reason for cancelling the task", field="note")
    if len(why) > 500:
        raise DomainError("Keep the reason under 500 characters.", field="note")
    return _close(actor, task, version, TaskStatus.CANCELLED, why, AuditAction.CASE_TASK_CANCELLED)
