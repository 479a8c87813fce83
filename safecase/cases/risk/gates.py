"""The closure gate: a condition on a case's move to closed (registered as a stage check in
``apps.py``), not an action of its own. It runs inside ``case_advance_stage``'s transaction,
whose audit event records the move."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from safecase.cases.choices import Stage
from safecase.cases.risk import selectors
from safecase.cases.risk.models import ApprovalRequest
from safecase.core.actors import Actor
from safecase.core.errors import DomainError

CLOSURE_NEEDS_APPROVAL = (
    "A supervisor must approve closing this case first: request approval on the Risk tab."
)


def closure_gate(actor: Actor, case: Any, from_stage: str, to_stage: str) -> None:
    """A move to closed, where the organisation's closure gate is on, needs an approved
    closure request not used before; the move uses it up (if the move then fails, the
    transaction rolls back and the approval stays unused). Reopening and closing again
    needs a new approval."""
    if to_stage != Stage.CLOSED:
        return
    if not selectors.gates_for(case.organisation_id).closure_needs_approval:
        return
    approval = selectors.usable_closure_approval(case, lock=True)
    if approval is None:
        raise DomainError(CLOSURE_NEEDS_APPROVAL)
    ApprovalRequest.objects.filter(pk=approval.pk).update(used_at=timezone.now())
