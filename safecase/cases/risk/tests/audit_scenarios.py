"""The risk part's actions in the audit reconciliation (tests/test_actions_audited.py): each
writes its event in the transaction of its change; a refused call writes nothing."""

from __future__ import annotations

from safecase.audit.events import AuditAction
from safecase.cases import actions as case_actions
from safecase.cases.models import Case as CaseRecord
from safecase.cases.models import CaseType
from safecase.cases.risk import actions, selectors
from safecase.cases.risk.models import ApprovalRequest
from safecase.cases.risk.tests.helpers import assessment
from tests.audit_kit import Call, Case, Kit

PREFIX = "safecase.cases.risk.actions."


def _case(k: Kit) -> CaseRecord:
    return case_actions.case_open(
        actor=k.actor("lead"),
        case_type=CaseType.objects.get(organisation__isnull=True, code="child_protection"),
        title="Jamie Example-Child (synthetic)",
        reason="Physical harm disclosed.",
    )


def _gates(k: Kit, *, closure: bool = True, risk: bool = False) -> None:
    gates = selectors.gates_for(k.org.pk)
    actions.approval_gates_update(
        actor=k.actor("lead"),
        version=gates.version,
        closure_needs_approval=closure,
        risk_version_needs_approval=risk,
    )


def _risk_assess(k: Kit, persona: str = "lead") -> Call:
    case = _case(k)
    return lambda: actions.risk_assess(actor=k.actor(persona), case=case, version=0, **assessment())


def _approval_request(k: Kit, persona: str = "lead") -> Call:
    _gates(k)
    case = _case(k)
    return lambda: actions.approval_request(
        actor=k.actor(persona), case=case, kind="closure", reason="The work is complete."
    )


def _a_request(k: Kit) -> ApprovalRequest:
    _gates(k)
    return actions.approval_request(
        actor=k.actor("lead"), case=_case(k), kind="closure", reason="The work is complete."
    )


def _approval_decide(k: Kit, persona: str = "supervisor") -> Call:
    request = _a_request(k)
    return lambda: actions.approval_decide(
        actor=k.actor(persona),
        request=request,
        version=request.version,
        decision="approved",
        reason="Plan complete; risk is low.",
    )


def _gates_update(k: Kit, persona: str = "lead") -> Call:
    return lambda: actions.approval_gates_update(
        actor=k.actor(persona),
        version=0,
        closure_needs_approval=True,
        risk_version_needs_approval=True,
    )


SCENARIOS = {
    PREFIX + "risk_assess": Case(
        AuditAction.RISK_ASSESSED, _risk_assess, lambda k: _risk_assess(k, "auditor")
    ),
    PREFIX + "approval_request": Case(
        AuditAction.APPROVAL_REQUESTED,
        _approval_request,
        lambda k: _approval_request(k, "reporter"),
    ),
    PREFIX + "approval_decide": Case(
        AuditAction.APPROVAL_DECIDED, _approval_decide, lambda k: _approval_decide(k, "deputy")
    ),
    PREFIX + "approval_gates_update": Case(
        AuditAction.APPROVAL_GATES_CHANGED, _gates_update, lambda k: _gates_update(k, "deputy")
    ),
}
