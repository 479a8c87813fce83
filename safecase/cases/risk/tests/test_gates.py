"""Approval gates: who may decide, the mandatory reason, and the closure gate on the stage
move (refused without an approval, allowed with one, an approval used once)."""

from __future__ import annotations

import pytest

from conftest import actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import actions as case_actions
from safecase.cases.choices import Stage
from safecase.cases.models import Case
from safecase.cases.risk import actions, selectors
from safecase.cases.risk.gates import CLOSURE_NEEDS_APPROVAL
from safecase.cases.risk.models import ApprovalGates, ApprovalRequest
from safecase.cases.risk.tests.helpers import (
    DemoWorld,
    assess,
    gates_on,
    lead_and_supervisor,
    request_closure,
)
from safecase.cases.tests.helpers import open_case
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def _close(world: DemoWorld, case: Case, persona: str = "lead") -> None:
    case_actions.case_advance_stage(
        actor=actor_for(world, persona),
        case=case,
        version=case.version,
        to_stage=Stage.CLOSED,
        reason="No further action: the family is supported.",
    )


def _decide(
    world: DemoWorld,
    request: ApprovalRequest,
    decision: str = "approved",
    persona: str = "supervisor",
) -> ApprovalRequest:
    return actions.approval_decide(
        actor=actor_for(world, persona),
        request=request,
        version=request.version,
        decision=decision,
        reason="The plan is complete and the risk is low.",
    )


def test_without_the_gate_a_case_closes_without_approval(world: DemoWorld) -> None:
    case = open_case(world)
    _close(world, case)
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED


def test_closure_is_refused_then_allowed_after_approval(world: DemoWorld) -> None:
    gates_on(world)
    case = open_case(world)
    with pytest.raises(DomainError) as caught:
        _close(world, case)
    assert caught.value.message == CLOSURE_NEEDS_APPROVAL
    assert Case.objects.get(pk=case.pk).stage == Stage.REPORTING

    request = request_closure(world, case)
    with pytest.raises(DomainError, match="must approve"):
        _close(world, case)  # asked, not yet approved
    approved = _decide(world, request)
    assert approved.status == "approved" and approved.decided_by == world.users["supervisor"]
    _close(world, case)
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.CLOSED
    assert ApprovalRequest.objects.get(pk=request.pk).used_at is not None

    # Reopened, it needs a new approval to close again: the first was used.
    case_actions.case_advance_stage(
        actor=actor_for(world, "lead"),
        case=case,
        version=case.version,
        to_stage=Stage.REPORTING,
        reason="A new concern came in.",
    )
    case = Case.objects.get(pk=case.pk)
    with pytest.raises(DomainError, match="must approve"):
        _close(world, case)


def test_a_refused_closure_does_not_open_the_gate(world: DemoWorld) -> None:
    gates_on(world)
    case = open_case(world)
    _decide(world, request_closure(world, case), "refused")
    with pytest.raises(DomainError, match="must approve"):
        _close(world, case)
    # A new request may be made after a refusal.
    assert request_closure(world, case).status == "pending"


def test_the_requester_cannot_approve_their_own_request(world: DemoWorld) -> None:
    gates_on(world)
    case = open_case(world)
    both = lead_and_supervisor(world)
    request = actions.approval_request(
        actor=both, case=case, kind="closure", reason="Work complete; asking to close."
    )
    with pytest.raises(NotPermitted, match="another supervisor"):
        actions.approval_decide(
            actor=both,
            request=request,
            version=request.version,
            decision="approved",
            reason="I approve my own request.",
        )
    assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"
    assert not AuditEvent.objects.filter(action=AuditAction.APPROVAL_DECIDED).exists()


@pytest.mark.parametrize("persona", ["lead", "deputy", "case_worker", "auditor", "other_org"])
def test_only_a_supervisor_may_decide(world: DemoWorld, persona: str) -> None:
    gates_on(world)
    case = open_case(world)
    request = request_closure(world, case, "case_worker" if persona == "lead" else "lead")
    with pytest.raises(NotPermitted):
        _decide(world, request, persona=persona)
    assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"


def test_a_decision_needs_its_reason_and_a_current_version(world: DemoWorld) -> None:
    gates_on(world)
    request = request_closure(world, open_case(world))
    supervisor = actor_for(world, "supervisor")
    with pytest.raises(DomainError, match="must say why") as caught:
        actions.approval_decide(
            actor=supervisor,
            request=request,
            version=request.version,
            decision="approved",
            reason="",
        )
    assert caught.value.field == "reason"
    with pytest.raises(DomainError) as bad:
        actions.approval_decide(
            actor=supervisor, request=request, version=1, decision="maybe", reason="Not sure yet."
        )
    assert bad.value.field == "decision"
    with pytest.raises(Conflict):
        actions.approval_decide(
            actor=supervisor,
            request=request,
            version=5,
            decision="approved",
            reason="Agreed, close.",
        )
    _decide(world, request)
    with pytest.raises(Conflict):  # decided since: the form's version is stale
        _decide(world, request)
    assert AuditEvent.objects.filter(action=AuditAction.APPROVAL_DECIDED).count() == 1


def test_a_request_needs_the_gate_a_reason_and_no_other_waiting(world: DemoWorld) -> None:
    case = open_case(world)
    with pytest.raises(DomainError, match="does not ask for approval"):
        request_closure(world, case)
    gates_on(world)
    with pytest.raises(DomainError, match="must say why"):
        actions.approval_request(
            actor=actor_for(world, "lead"), case=case, kind="closure", reason=""
        )
    request_closure(world, case)
    with pytest.raises(DomainError, match="already waiting"):
        request_closure(world, case)
    with pytest.raises(NotPermitted):
        request_closure(world, case, "supervisor")  # asks nothing: no case.manage
    assert ApprovalRequest.objects.filter(case=case).count() == 1


def test_with_the_risk_gate_each_version_waits_for_approval(world: DemoWorld) -> None:
    gates_on(world, closure=False, risk=True)
    case = open_case(world)
    first = assess(world, case)
    assert first.approval == "pending"
    request = ApprovalRequest.objects.get(risk_version=first)
    assert request.kind == "risk_version" and request.status == "pending"
    # A new version replaces the one waiting: its request is superseded, the new one waits.
    second = assess(world, case, reason="New information from the police.")
    first.refresh_from_db()
    assert first.approval == "superseded"
    assert ApprovalRequest.objects.get(pk=request.pk).status == "superseded"
    waiting = ApprovalRequest.objects.get(risk_version=second)
    _decide(world, waiting)
    second.refresh_from_db()
    assert second.approval == "approved"
    current = selectors.current_risk(case)
    assert current is not None and current.approval == "approved"


def test_only_the_lead_sets_the_gates_and_a_stale_form_saves_nothing(world: DemoWorld) -> None:
    for persona in ("deputy", "supervisor", "org_admin", "case_worker"):
        with pytest.raises(NotPermitted):
            actions.approval_gates_update(
                actor=actor_for(world, persona),
                version=0,
                closure_needs_approval=True,
                risk_version_needs_approval=False,
            )
    gates_on(world)
    with pytest.raises(Conflict):
        actions.approval_gates_update(
            actor=actor_for(world, "lead"),
            version=0,
            closure_needs_approval=False,
            risk_version_needs_approval=True,
        )
    gates = ApprovalGates.objects.get(organisation=world.organisations["secondary"])
    assert (gates.closure_needs_approval, gates.risk_version_needs_approval, gates.version) == (
        True,
        False,
        1,
    )
    assert AuditEvent.objects.filter(action=AuditAction.APPROVAL_GATES_CHANGED).count() == 1
