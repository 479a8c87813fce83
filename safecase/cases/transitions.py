"""The stages of a case as a declared state machine (architecture rule 5).

``MOVES`` is the one table of allowed moves: for each workflow, from which stage to which, and
the permission the move needs. Everything not in the table is refused. It is data, not code, so
that an organisation-level configuration (G3) can later narrow it, by passing the subset it
keeps to ``find_move`` and ``next_moves``; nothing can widen it.

Each case type names its workflow (CaseType.workflow):

- short: the proportionate path (early help, low-level concerns): reporting, perhaps an
  external referral, closed.
- standard: child protection and child in need: a referral, an internal enquiry, a decision
  where one is needed, and learning.
- allegation: the full path for an allegation against a person in a position of trust (W12):
  it cannot close before a decision and a learning review.

Leaving the decision stage says a decision was taken, so only a decision maker (case.decide)
may do it; every other move needs case.manage. Reopening a closed case takes it back to
reporting, with its reason recorded like every other move's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from safecase.access.permissions import Permission
from safecase.cases.choices import Stage, Workflow
from safecase.core.errors import DomainError

S = Stage
MANAGE = Permission.CASE_MANAGE
DECIDE = Permission.CASE_DECIDE


@dataclass(frozen=True)
class Move:
    workflow: str
    from_stage: str
    to_stage: str
    permission: Permission

    @property
    def is_reopen(self) -> bool:
        return self.from_stage == Stage.CLOSED

    @property
    def label(self) -> str:
        if self.is_reopen:
            return "Reopen the case"
        if self.to_stage == Stage.CLOSED:
            return "Close the case"
        return f"Move to {Stage(self.to_stage).label.lower()}"


def _table(workflow: str, rows: dict[str, dict[str, Permission]]) -> tuple[Move, ...]:
    return tuple(
        Move(workflow, from_stage, to_stage, permission)
        for from_stage, targets in rows.items()
        for to_stage, permission in targets.items()
    )


MOVES: tuple[Move, ...] = (
    *_table(
        Workflow.SHORT,
        {
            S.REPORTING: {S.EXTERNAL_REFERRAL: MANAGE, S.CLOSED: MANAGE},
            S.EXTERNAL_REFERRAL: {S.CLOSED: MANAGE},
            S.CLOSED: {S.REPORTING: MANAGE},
        },
    ),
    *_table(
        Workflow.STANDARD,
        {
            S.REPORTING: {
                S.EXTERNAL_REFERRAL: MANAGE,
                S.INTERNAL_INVESTIGATION: MANAGE,
                S.CLOSED: MANAGE,
            },
            S.EXTERNAL_REFERRAL: {
                S.INTERNAL_INVESTIGATION: MANAGE,
                S.DECISION: MANAGE,
                S.LEARNING: MANAGE,
                S.CLOSED: MANAGE,
            },
            S.INTERNAL_INVESTIGATION: {
                S.EXTERNAL_REFERRAL: MANAGE,
                S.DECISION: MANAGE,
                S.CLOSED: MANAGE,
            },
            S.DECISION: {S.APPEAL: DECIDE, S.LEARNING: DECIDE, S.CLOSED: DECIDE},
            S.APPEAL: {S.LEARNING: DECIDE, S.CLOSED: DECIDE},
            S.LEARNING: {S.CLOSED: MANAGE},
            S.CLOSED: {S.REPORTING: MANAGE},
        },
    ),
    *_table(
        Workflow.ALLEGATION,
        {
            # Whether the harm threshold is met decides between a LADO referral and a
            # decision without one; either way the allegation reaches an outcome.
            S.REPORTING: {
                S.EXTERNAL_REFERRAL: MANAGE,
                S.INTERNAL_INVESTIGATION: MANAGE,
                S.DECISION: MANAGE,
            },
            S.EXTERNAL_REFERRAL: {S.INTERNAL_INVESTIGATION: MANAGE, S.DECISION: MANAGE},
            # New information during an investigation may need a (further) referral.
            S.INTERNAL_INVESTIGATION: {S.EXTERNAL_REFERRAL: MANAGE, S.DECISION: MANAGE},
            S.DECISION: {S.APPEAL: DECIDE, S.LEARNING: DECIDE},
            S.APPEAL: {S.LEARNING: DECIDE},
            S.LEARNING: {S.CLOSED: MANAGE},
            S.CLOSED: {S.REPORTING: MANAGE},
        },
    ),
)

_BY_KEY: dict[tuple[str, str, str], Move] = {
    (m.workflow, m.from_stage, m.to_stage): m for m in MOVES
}


def _keep(moves: Iterable[Move], kept: frozenset[tuple[str, str]] | None) -> list[Move]:
    """The moves an organisation kept (pairs of from and to stage), or all of them."""
    return [m for m in moves if kept is None or (m.from_stage, m.to_stage) in kept]


def next_moves(
    workflow: str, from_stage: str, *, kept: frozenset[tuple[str, str]] | None = None
) -> list[Move]:
    """The moves out of ``from_stage``, in the order of the stages."""
    order = list(Stage.values)
    moves = [m for m in MOVES if m.workflow == workflow and m.from_stage == from_stage]
    return sorted(_keep(moves, kept), key=lambda m: order.index(m.to_stage))


def find_move(
    workflow: str,
    from_stage: str,
    to_stage: str,
    *,
    kept: frozenset[tuple[str, str]] | None = None,
) -> Move:
    """The move from one stage to another, or DomainError saying why it is not allowed and
    which moves are."""
    if to_stage not in Stage.values:
        raise DomainError("Choose a stage from the list.", field="to_stage")
    if workflow not in Workflow.values:
        raise DomainError("This case type has no workflow; ask your lead to check its settings.")
    move = _BY_KEY.get((workflow, from_stage, to_stage))
    if move is not None and _keep([move], kept):
        return move
    here, there = Stage(from_stage).label, Stage(to_stage).label
    if from_stage == to_stage:
        raise DomainError(f"The case is already at {here.lower()}.", field="to_stage")
    allowed = next_moves(workflow, from_stage, kept=kept)
    options = ", ".join(Stage(m.to_stage).label.lower() for m in allowed) or "nowhere"
    raise DomainError(
        f"This case cannot move from {here.lower()} to {there.lower()} (the {workflow} "
        f"workflow). From {here.lower()} it can move to: {options}.",
        field="to_stage",
    )
