"""The transition table, walked exhaustively: for every case type and every pair of stages,
the move is either allowed by the table (and works through case_advance_stage) or refused with
a message naming where the case can go."""

from __future__ import annotations

import itertools

import pytest

from conftest import actor_for
from safecase.access.permissions import Permission
from safecase.cases import actions, transitions
from safecase.cases.choices import DEFAULT_CASE_TYPES, CaseStatus, Stage, Workflow
from safecase.cases.models import Case, StageChange
from safecase.cases.tests.helpers import open_case
from safecase.core.errors import DomainError
from safecase.demo.personas import DemoWorld

PAIRS = list(itertools.product(Stage.values, Stage.values))


def test_every_move_in_the_table_is_between_real_stages_and_needs_a_case_permission() -> None:
    for move in transitions.MOVES:
        assert move.workflow in Workflow.values
        assert move.from_stage in Stage.values and move.to_stage in Stage.values
        assert move.from_stage != move.to_stage
        assert move.permission in {Permission.CASE_MANAGE, Permission.CASE_DECIDE}
    keys = [(m.workflow, m.from_stage, m.to_stage) for m in transitions.MOVES]
    assert len(keys) == len(set(keys)), "a move is declared twice"


@pytest.mark.parametrize("workflow", Workflow.values)
def test_every_stage_is_reachable_from_reporting_and_can_reach_closed(workflow: str) -> None:
    """No dead ends: whatever stage a case is in on its workflow, it can still be closed."""
    edges = {(m.from_stage, m.to_stage) for m in transitions.MOVES if m.workflow == workflow}
    reachable = {Stage.REPORTING.value}
    while True:
        more = {b for a, b in edges if a in reachable} - reachable
        if not more:
            break
        reachable |= more
    assert Stage.CLOSED in reachable
    for stage in reachable:
        seen, frontier = {stage}, {stage}
        while frontier:
            frontier = {b for a, b in edges if a in frontier} - seen
            seen |= frontier
        assert Stage.CLOSED in seen, f"{workflow}: a case at {stage} can never close"


def test_the_short_path_closes_from_reporting_and_an_allegation_cannot() -> None:
    assert transitions.find_move(Workflow.SHORT, Stage.REPORTING, Stage.CLOSED)
    with pytest.raises(DomainError, match="cannot move from reporting to closed"):
        transitions.find_move(Workflow.ALLEGATION, Stage.REPORTING, Stage.CLOSED)
    with pytest.raises(DomainError, match="cannot move from decision and sanctions to closed"):
        transitions.find_move(Workflow.ALLEGATION, Stage.DECISION, Stage.CLOSED)


def test_an_organisation_can_narrow_the_table_but_never_widen_it() -> None:
    kept = frozenset({(Stage.REPORTING.value, Stage.EXTERNAL_REFERRAL.value)})
    assert [
        m.to_stage for m in transitions.next_moves(Workflow.SHORT, Stage.REPORTING, kept=kept)
    ] == [Stage.EXTERNAL_REFERRAL]
    with pytest.raises(DomainError):
        transitions.find_move(Workflow.SHORT, Stage.REPORTING, Stage.CLOSED, kept=kept)
    widened = frozenset({(Stage.REPORTING.value, Stage.APPEAL.value)})
    with pytest.raises(DomainError):
        transitions.find_move(Workflow.SHORT, Stage.REPORTING, Stage.APPEAL, kept=widened)


def _put_at(case: Case, stage: str) -> None:
    """Set the stage directly, to test every move out of every stage (test set-up only: real
    cases reach a stage only through case_advance_stage)."""
    closed = stage == Stage.CLOSED
    Case.objects.filter(pk=case.pk).update(
        stage=stage,
        status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
        closed_at=case.opened_at if closed else None,
    )
    case.refresh_from_db()


@pytest.mark.usefixtures("no_stage_checks")
@pytest.mark.django_db
@pytest.mark.parametrize("code", [row[0] for row in DEFAULT_CASE_TYPES])
def test_every_pair_of_stages_is_allowed_and_works_or_is_refused_clearly(
    world: DemoWorld, code: str
) -> None:
    lead = actor_for(world, "lead")  # holds case.manage and case.decide
    case = open_case(world, code=code)
    workflow = case.case_type.workflow
    allowed = {(m.from_stage, m.to_stage) for m in transitions.MOVES if m.workflow == workflow}
    for from_stage, to_stage in PAIRS:
        _put_at(case, from_stage)
        changes = StageChange.objects.filter(case=case).count()
        if (from_stage, to_stage) in allowed:
            actions.case_advance_stage(
                actor=lead,
                case=case,
                version=case.version,
                to_stage=to_stage,
                reason="Synthetic walk of the table.",
            )
            case.refresh_from_db()
            assert case.stage == to_stage
            assert (case.status == CaseStatus.CLOSED) == (to_stage == Stage.CLOSED)
            assert (case.closed_at is not None) == (to_stage == Stage.CLOSED)
            last = StageChange.objects.filter(case=case).latest("created_at")
            assert (last.from_stage, last.to_stage) == (from_stage, to_stage)
        else:
            version = case.version
            with pytest.raises(DomainError) as refused:
                actions.case_advance_stage(
                    actor=lead,
                    case=case,
                    version=version,
                    to_stage=to_stage,
                    reason="Synthetic walk of the table.",
                )
            message = refused.value.message
            if from_stage == to_stage:
                assert "already at" in message
            else:
                assert f"cannot move from {Stage(from_stage).label.lower()}" in message
                assert "it can move to:" in message
            case.refresh_from_db()
            assert (case.stage, case.version) == (from_stage, version), "a refusal changed it"
            assert StageChange.objects.filter(case=case).count() == changes
