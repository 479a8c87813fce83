"""The notes part's actions for the audit reconciliation (tests/test_actions_audited.py): how
to call each successfully, and how to have the policy refuse it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.cases import actions as case_actions
from safecase.cases.models import Case as CaseRecord
from safecase.cases.models import CaseType
from safecase.cases.notes import actions
from safecase.cases.notes.models import CaseNote
from tests.audit_kit import Call, Case, Kit


def _case(k: Kit) -> CaseRecord:
    return case_actions.case_open(
        actor=k.actor("lead"),
        case_type=CaseType.objects.get(organisation__isnull=True, code="child_protection"),
        title="Jamie Example-Child (synthetic)",
        reason="Physical harm disclosed.",
    )


def _note(k: Kit, case: CaseRecord) -> CaseNote:
    return actions.note_add(
        actor=k.actor("lead"),
        case=case,
        kind="contact",
        visibility="safeguarding_team",
        fact="Phoned the school nurse (synthetic).",
        occurred_at=timezone.now() - timedelta(hours=1),
    )


def _note_add(k: Kit, persona: str = "lead") -> Call:
    case = _case(k)
    return lambda: actions.note_add(
        actor=k.actor(persona),
        case=case,
        kind="discussion",
        visibility="named",
        named_people=[k.world.users["deputy"]],
        fact="Discussed the plan with Dev (synthetic).",
        opinion="The plan is sound.",
        occurred_at=timezone.now() - timedelta(minutes=30),
    )


def _note_edit(k: Kit, persona: str = "lead") -> Call:
    note = _note(k, _case(k))
    return lambda: actions.note_edit(
        actor=k.actor(persona),
        note=note,
        version=note.version,
        kind="contact",
        fact="Phoned the school nurse at 10:05 (synthetic).",
        occurred_at=note.occurred_at,
    )


def _note_add_addendum(k: Kit, persona: str = "lead") -> Call:
    note = _note(k, _case(k))
    return lambda: actions.note_add_addendum(
        actor=k.actor(persona), note=note, reason="The time was missing.", text="At 10:05."
    )


def _supervision_record(k: Kit, persona: str = "supervisor") -> Call:
    case = _case(k)
    return lambda: actions.supervision_record(
        actor=k.actor(persona),
        case=case,
        supervisee=k.world.users["lead"],
        held_at=timezone.now() - timedelta(hours=2),
        discussion="Reflected on the case (synthetic).",
        actions=[{"text": "Read the file."}],
    )


def _schedule_set(k: Kit, persona: str = "supervisor") -> Call:
    return lambda: actions.schedule_set(
        actor=k.actor(persona),
        worker=k.world.users["case_worker"],
        every_weeks=4,
        starts_on=timezone.localdate(),
    )


SCENARIOS: dict[str, Case] = {
    "safecase.cases.notes.actions.note_add": Case(
        AuditAction.CASE_NOTE_ADDED, _note_add, lambda k: _note_add(k, "auditor")
    ),
    "safecase.cases.notes.actions.note_edit": Case(
        AuditAction.CASE_NOTE_EDITED, _note_edit, lambda k: _note_edit(k, "other_org")
    ),
    "safecase.cases.notes.actions.note_add_addendum": Case(
        AuditAction.CASE_NOTE_ADDENDUM_ADDED,
        _note_add_addendum,
        lambda k: _note_add_addendum(k, "reporter"),
    ),
    "safecase.cases.notes.actions.supervision_record": Case(
        AuditAction.SUPERVISION_RECORDED,
        _supervision_record,
        lambda k: _supervision_record(k, "lead"),
    ),
    "safecase.cases.notes.actions.schedule_set": Case(
        AuditAction.SUPERVISION_SCHEDULE_SET, _schedule_set, lambda k: _schedule_set(k, "lead")
    ),
}
