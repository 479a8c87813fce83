"""The tasks part's actions, reconciled with their audit events by
tests/test_actions_audited.py (which discovers this SCENARIOS)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.cases import actions as case_actions
from safecase.cases.casetasks import actions
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.models import Case as CaseRecord
from safecase.cases.models import CaseType
from tests.audit_kit import Call, Case, Kit


def _case(k: Kit) -> CaseRecord:
    return case_actions.case_open(
        actor=k.actor("lead"),
        case_type=CaseType.objects.get(organisation__isnull=True, code="child_protection"),
        title="Jamie Example-Child (synthetic)",
        reason="Physical harm disclosed.",
    )


def _task(k: Kit) -> CaseTask:
    return actions.case_task_create(
        actor=k.actor("lead"),
        case=_case(k),
        title="Chase the school nurse's notes",
        owner=k.world.users["case_worker"],
        due_on=timezone.localdate() + timedelta(days=2),
    )


def _create(k: Kit, persona: str = "lead") -> Call:
    case = _case(k)
    return lambda: actions.case_task_create(
        actor=k.actor(persona),
        case=case,
        title="Chase the school nurse's notes",
        owner=k.world.users["case_worker"],
        due_on=timezone.localdate() + timedelta(days=2),
    )


def _complete(k: Kit, persona: str = "case_worker") -> Call:
    task = _task(k)
    return lambda: actions.case_task_complete(
        actor=k.actor(persona), task=task, version=task.version, note="Notes received."
    )


def _cancel(k: Kit, persona: str = "lead") -> Call:
    task = _task(k)
    return lambda: actions.case_task_cancel(
        actor=k.actor(persona), task=task, version=task.version, reason="Set in error."
    )


SCENARIOS = {
    "safecase.cases.casetasks.actions.case_task_create": Case(
        AuditAction.CASE_TASK_CREATED, _create, lambda k: _create(k, "reporter")
    ),
    "safecase.cases.casetasks.actions.case_task_complete": Case(
        AuditAction.CASE_TASK_DONE, _complete, lambda k: _complete(k, "auditor")
    ),
    "safecase.cases.casetasks.actions.case_task_cancel": Case(
        AuditAction.CASE_TASK_CANCELLED, _cancel, lambda k: _cancel(k, "other_org")
    ),
}
