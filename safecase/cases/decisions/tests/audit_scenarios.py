"""The decisions part's actions in the audit reconciliation (tests/test_actions_audited.py):
each called once successfully and once refused by the policy."""

from __future__ import annotations

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.cases.decisions import actions
from safecase.cases.decisions.choices import AppealOutcome, OptionKind
from safecase.cases.decisions.models import DecisionOption
from safecase.cases.decisions.tests.helpers import (
    case_at_decision,
    decide,
    lodge,
    outcome,
    panel_of,
    sanction,
    set_panel,
)
from tests.audit_kit import Call, Case, Kit


def _decision_record(k: Kit, persona: str = "lead") -> Call:
    case = case_at_decision(k.world)
    return lambda: actions.decision_record(
        actor=k.actor(persona),
        case=case,
        version=case.version,
        outcome=outcome(),
        sanctions=[sanction("training")],
        decision_makers=[k.world.users["lead"]],
        rationale="The accounts agree and the coach accepts it.",
        decided_at=timezone.now(),
    )


def _appeal_lodge(k: Kit, persona: str = "lead") -> Call:
    case = case_at_decision(k.world)
    decision = decide(k.world, case)
    case.refresh_from_db()
    return lambda: actions.appeal_lodge(
        actor=k.actor(persona),
        case=case,
        version=case.version,
        decision=decision,
        appellant_name="Mark Example-Coach",
        grounds="The sanction is disproportionate.",
        lodged_at=timezone.now(),
    )


def _appeal_set_panel(k: Kit, persona: str = "lead") -> Call:
    case = case_at_decision(k.world)
    appeal = lodge(k.world, case, decide(k.world, case))
    panel = [p.user for p in panel_of(k.world) if p.user is not None]
    return lambda: actions.appeal_set_panel(
        actor=k.actor(persona), appeal=appeal, version=appeal.version, panel=panel
    )


def _appeal_record_outcome(k: Kit, refused: bool = False) -> Call:
    case = case_at_decision(k.world)
    appeal = lodge(k.world, case, decide(k.world, case))
    panel = panel_of(k.world)
    set_panel(k.world, appeal, panel)
    appeal.refresh_from_db()
    actor = k.actor("case_worker") if refused else panel[0]
    return lambda: actions.appeal_record_outcome(
        actor=actor,
        appeal=appeal,
        version=appeal.version,
        outcome=AppealOutcome.VARIED,
        reason="A warning alone is proportionate.",
        decided_at=timezone.now(),
        new_outcome=outcome(),
        sanctions=[sanction("warning")],
        rationale="The finding stands; the training is done.",
    )


def _option_add(k: Kit, persona: str = "lead") -> Call:
    return lambda: actions.decision_option_add(
        actor=k.actor(persona), kind=OptionKind.SANCTION, label="Mentoring"
    )


def _option_in_use(k: Kit, persona: str = "lead") -> Call:
    option = DecisionOption.objects.get(organisation__isnull=True, code="ban")
    return lambda: actions.decision_option_set_in_use(
        actor=k.actor(persona), option=option, in_use=False
    )


PREFIX = "safecase.cases.decisions.actions."
SCENARIOS: dict[str, Case] = {
    PREFIX + "decision_record": Case(
        AuditAction.DECISION_RECORDED, _decision_record, lambda k: _decision_record(k, "deputy")
    ),
    PREFIX + "appeal_lodge": Case(
        AuditAction.APPEAL_LODGED, _appeal_lodge, lambda k: _appeal_lodge(k, "auditor")
    ),
    PREFIX + "appeal_set_panel": Case(
        AuditAction.APPEAL_PANEL_SET, _appeal_set_panel, lambda k: _appeal_set_panel(k, "reporter")
    ),
    PREFIX + "appeal_record_outcome": Case(
        AuditAction.APPEAL_DECIDED,
        _appeal_record_outcome,
        lambda k: _appeal_record_outcome(k, refused=True),
    ),
    PREFIX + "decision_option_add": Case(
        AuditAction.DECISION_OPTION_ADDED, _option_add, lambda k: _option_add(k, "deputy")
    ),
    PREFIX + "decision_option_set_in_use": Case(
        AuditAction.DECISION_OPTION_CHANGED, _option_in_use, lambda k: _option_in_use(k, "deputy")
    ),
}
