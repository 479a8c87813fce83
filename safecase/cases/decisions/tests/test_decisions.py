"""Decisions, sanctions and appeals: the rules of the actions (issue 4).

A decision needs case.decide, a rationale and a recorder among its decision makers; it freezes
a snapshot of what was on the case that later edits never change; a panel never includes any
of the challenged decision's makers; a varied decision becomes the current one and the first
stays; the stage checks hold the case at decision and appeal until each is done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import actions as case_actions
from safecase.cases import parts
from safecase.cases.choices import Stage
from safecase.cases.decisions import actions, selectors
from safecase.cases.decisions.choices import AppealOutcome
from safecase.cases.decisions.models import Appeal, Decision, DecisionOption, DecisionSanction
from safecase.cases.decisions.tests.helpers import (
    case_at_decision,
    decide,
    decider,
    lodge,
    move,
    outcome,
    panel_of,
    sanction,
    set_panel,
)
from safecase.cases.models import Case
from safecase.cases.tests.helpers import restricted_case
from safecase.concerns import actions as concern_actions
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.core.calendar import add_working_days
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db

# What the test part's section says; changed after the decision to prove the snapshot froze.
TEST_SECTION_TEXT = ["Interview with the pupil: consistent account (synthetic)."]


@pytest.fixture
def test_section() -> Iterator[list[str]]:
    """A section registered as another part would register its own (they are built in
    parallel): its entries come from a list the test may change."""
    saved = dict(parts._SECTIONS)
    texts = list(TEST_SECTION_TEXT)
    parts.register_section(
        parts.Section(
            "test_investigation",
            "Investigation (test)",
            40,
            lambda case: [{"heading": "Interview", "when": "", "body": t} for t in texts],
        )
    )
    yield texts
    parts._SECTIONS.clear()
    parts._SECTIONS.update(saved)


def _count(model: Any) -> int:
    return int(model.objects.count())


# --- Recording a decision -----------------------------------------------------------------------


def test_a_decision_freezes_what_the_decision_makers_could_see(
    world: DemoWorld, test_section: list[str]
) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    snapshot = decision.snapshot
    assert snapshot["case"]["reference"] == case.reference
    assert [s["role"] for s in snapshot["subjects"]] == [
        "The adult the allegation or concern is about"
    ]
    assert snapshot["concerns"][0]["fact"] == "A purple bruise, about 3 cm, on the left forearm."
    assert [h["to"] for h in snapshot["stage_history"]] == ["reporting", "decision"]
    keys = [s["key"] for s in snapshot["sections"]]
    assert "test_investigation" in keys
    # The decisions' own section lists no decision yet: the snapshot never holds itself.
    assert "decisions" not in keys
    assert decision.snapshot_sha256 == selectors.snapshot_hash(snapshot)
    assert sorted(s.label for s in decision.sanctions.all()) == ["Training", "Warning"]
    event = AuditEvent.objects.filter(action=AuditAction.DECISION_RECORDED).get()
    assert event.changes["snapshot_sha256"] == decision.snapshot_sha256
    assert event.changes["sanctions"] == ["training", "warning"]
    assert RATIONALE_WORD not in str(event.changes)  # narrative stays out of the changes


RATIONALE_WORD = "CCTV"


def test_the_snapshot_is_unchanged_after_later_edits_to_the_case(
    world: DemoWorld, test_section: list[str]
) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    stored = Decision.objects.get(pk=decision.pk)
    before_json = selectors.canonical_json(stored.snapshot)
    before_hash = stored.snapshot_sha256
    lead = actor_for(world, "lead")
    # Later: another part's content changes, a concern gains an addendum, a concern is added,
    # the case moves on, and a second decision is made.
    test_section[0] = "Interview with the pupil: account changed (synthetic)."
    concern = case.case_concerns.get().concern
    concern_actions.concern_add_addendum(
        actor=actor_for(world, "reporter"),
        concern=concern,
        reason="Correction",
        text="The bruise was on the right forearm.",
    )
    case.refresh_from_db()
    case_actions.case_add_concern(
        actor=lead, case=case, version=case.version, concern=submitted_concern(world)
    )
    move(world, case, Stage.LEARNING)
    decide(world, case, supersede_reason="The panel's chair asked for a correction.")
    after = Decision.objects.get(pk=decision.pk)
    assert selectors.canonical_json(after.snapshot) == before_json
    assert after.snapshot_sha256 == before_hash == selectors.snapshot_hash(after.snapshot)
    assert "account changed" not in before_json and "right forearm" not in before_json
    # The live sections have moved on (the proof that there was something to change).
    live = selectors.build_snapshot(lead, case)
    assert "account changed" in selectors.canonical_json(live)


def test_the_rationale_is_mandatory_and_nothing_is_saved_without_it(world: DemoWorld) -> None:
    case = case_at_decision(world)
    events = AuditEvent.objects.count()
    for rationale in ("", "   ", "ok"):
        with pytest.raises(DomainError, match="rationale") as caught:
            decide(world, case, rationale=rationale)
        assert caught.value.field == "rationale"
    assert _count(Decision) == 0 and _count(DecisionSanction) == 0
    assert AuditEvent.objects.count() == events
    case.refresh_from_db()
    assert case.version == Case.objects.get(pk=case.pk).version


def test_only_a_decision_maker_may_record_and_must_be_among_the_makers(world: DemoWorld) -> None:
    case = case_at_decision(world)
    with pytest.raises(NotPermitted):
        decide(world, case, actor_for(world, "case_worker"))
    chair = decider(world, "chair", "Gwen Governor-Example")
    with pytest.raises(DomainError, match="must be one of its decision makers"):
        decide(world, case, decision_makers=[chair.user])
    with pytest.raises(DomainError, match="may not decide"):
        decide(world, case, decision_makers=[world.users["lead"], world.users["deputy"]])
    with pytest.raises(DomainError, match="Name the decision makers"):
        decide(world, case, decision_makers=[])
    decision = decide(world, case, decision_makers=[world.users["lead"], chair.user])
    assert {u.full_name for u in decision.decision_makers.all()} == {
        "Lena Lead",
        "Gwen Governor-Example",
    }


def test_bad_input_is_refused_with_a_clear_message(world: DemoWorld) -> None:
    case = case_at_decision(world)
    with pytest.raises(DomainError, match="future"):
        decide(world, case, decided_at=timezone.now() + timedelta(days=2))
    with pytest.raises(DomainError, match="cannot be before"):
        decide(world, case, decided_at=case.opened_at - timedelta(days=1))
    with pytest.raises(DomainError, match="outcome from the list"):
        # Not an allegation's outcome.
        decide(world, case, outcome=outcome("no_further_action"))
    with pytest.raises(DomainError, match="end before"):
        decide(
            world,
            case,
            sanctions=[sanction("suspension", ends_on=timezone.localdate() - timedelta(days=9))],
        )
    with pytest.raises(DomainError, match="twice"):
        decide(world, case, sanctions=[sanction("training"), sanction("training")])
    assert _count(Decision) == 0


def test_a_stale_case_is_a_conflict(world: DemoWorld) -> None:
    case = case_at_decision(world)
    stale = Case.objects.get(pk=case.pk)
    case_actions.case_add_concern(
        actor=actor_for(world, "lead"),
        case=case,
        version=case.version,
        concern=submitted_concern(world),
    )
    with pytest.raises(Conflict):
        actions.decision_record(
            actor=actor_for(world, "lead"),
            case=stale,
            version=stale.version,
            outcome=outcome(),
            sanctions=[],
            decision_makers=[world.users["lead"]],
            rationale="A rationale long enough.",
            decided_at=timezone.now(),
        )
    assert _count(Decision) == 0


def test_a_first_decision_needs_the_decision_stage_and_a_second_a_reason(
    world: DemoWorld,
) -> None:
    case = case_at_decision(world)
    early = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(stage=Stage.INTERNAL_INVESTIGATION)
    early.stage = Stage.INTERNAL_INVESTIGATION
    with pytest.raises(DomainError, match="decision stage"):
        decide(world, early)
    Case.objects.filter(pk=case.pk).update(stage=Stage.DECISION)
    first = decide(world, case)
    with pytest.raises(DomainError, match="supersedes decision 1"):
        decide(world, case)
    second = decide(world, case, outcome=outcome("unsubstantiated"), supersede_reason="New CCTV.")
    assert second.supersedes == first and second.number == 2
    assert selectors.current_decision(case) == second
    assert [d.number for d in selectors.decision_history(case)] == [2, 1]


# --- Stage checks --------------------------------------------------------------------------


def test_the_case_leaves_the_decision_stage_only_with_a_decision(world: DemoWorld) -> None:
    case = case_at_decision(world)
    with pytest.raises(DomainError, match="Record the decision"):
        move(world, case, Stage.APPEAL)
    with pytest.raises(DomainError, match="Record the decision"):
        move(world, case, Stage.LEARNING)
    assert Case.objects.get(pk=case.pk).stage == Stage.DECISION
    decide(world, case)
    move(world, case, Stage.APPEAL)
    assert Case.objects.get(pk=case.pk).stage == Stage.APPEAL


def test_the_case_leaves_the_appeal_stage_only_with_the_appeal_decided(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    move(world, case, Stage.APPEAL)
    with pytest.raises(DomainError, match="Lodge the appeal"):
        move(world, case, Stage.LEARNING)
    appeal = lodge(world, case, decision)
    with pytest.raises(DomainError, match="panel's outcome"):
        move(world, case, Stage.LEARNING)
    panel = panel_of(world)
    set_panel(world, appeal, panel)
    appeal.refresh_from_db()
    actions.appeal_record_outcome(
        actor=panel[0],
        appeal=appeal,
        version=appeal.version,
        outcome=AppealOutcome.DISMISSED,
        reason="The grounds are not made out.",
        decided_at=timezone.now(),
    )
    move(world, case, Stage.LEARNING)
    assert Case.objects.get(pk=case.pk).stage == Stage.LEARNING


# --- Appeals -------------------------------------------------------------------------------


def test_the_grounds_are_mandatory(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    with pytest.raises(DomainError, match="grounds") as caught:
        lodge(world, case, decision, grounds=" ")
    assert caught.value.field == "grounds"
    assert _count(Appeal) == 0


def test_an_appeal_after_the_deadline_needs_the_reason_it_is_accepted(world: DemoWorld) -> None:
    case = case_at_decision(world)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=60))
    case.refresh_from_db()
    decision = decide(world, case, decided_at=timezone.now() - timedelta(days=30))
    with pytest.raises(DomainError, match="after the deadline"):
        lodge(world, case, decision)
    appeal = lodge(world, case, decision, late_reason="The coach was in hospital until now.")
    assert appeal.was_late
    assert appeal.deadline == add_working_days(timezone.localdate(decision.decided_at), 10)
    assert appeal.deadline.weekday() < 5


def test_the_appellant_may_be_a_person_on_the_case(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    person = case.subjects.get().person
    appeal = lodge(
        world, case, decision, appellant_name="", appellant_role="", appellant_person=person
    )
    assert appeal.appellant_name == "Mark Example-Coach"
    assert appeal.appellant_role == "The adult the allegation or concern is about"
    with pytest.raises(DomainError, match="Say who"):
        Appeal.objects.all().delete()
        lodge(world, case, decision, appellant_name="")


def test_the_panel_never_includes_an_original_decision_maker(world: DemoWorld) -> None:
    case = case_at_decision(world)
    chair = decider(world, "first.chair", "Olu Original-Maker")
    decision = decide(world, case, decision_makers=[world.users["lead"], chair.user])
    appeal = lodge(world, case, decision)
    independent = decider(world, "panel.x", "Tariq Trustee-Example")
    events = AuditEvent.objects.count()
    for conflicted in ([independent.user, chair.user], [world.users["lead"]]):
        with pytest.raises(DomainError, match="made the decision under appeal") as caught:
            actions.appeal_set_panel(
                actor=actor_for(world, "lead"),
                appeal=appeal,
                version=appeal.version,
                panel=conflicted,
            )
        assert "independent of the original decision makers" in caught.value.message
    assert list(Appeal.objects.get().panel.all()) == []
    assert AuditEvent.objects.count() == events
    with pytest.raises(DomainError, match="may not decide"):
        actions.appeal_set_panel(
            actor=actor_for(world, "lead"),
            appeal=appeal,
            version=appeal.version,
            panel=[world.users["supervisor"]],
        )
    set_panel(world, appeal, [independent])
    assert list(Appeal.objects.get().panel.all()) == [independent.user]


def test_only_a_panel_member_records_the_outcome_with_its_reasons(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    appeal = lodge(world, case, decision)
    panel = panel_of(world)

    def record(actor: Any, **extra: Any) -> Appeal:
        appeal.refresh_from_db()
        fields: dict[str, Any] = {
            "outcome": AppealOutcome.UPHELD,
            "reason": "The decision was sound.",
            "decided_at": timezone.now(),
            **extra,
        }
        return actions.appeal_record_outcome(
            actor=actor, appeal=appeal, version=appeal.version, **fields
        )

    with pytest.raises(DomainError, match="Name the appeal panel"):
        record(panel[0])
    set_panel(world, appeal, panel)
    with pytest.raises(DomainError, match="Only a member of the appeal panel"):
        record(actor_for(world, "lead"))
    with pytest.raises(NotPermitted):
        record(actor_for(world, "case_worker"))
    with pytest.raises(DomainError, match="reasons"):
        record(panel[0], reason="")
    with pytest.raises(DomainError, match="Only a varied appeal"):
        record(panel[0], new_outcome=outcome("unsubstantiated"))
    with pytest.raises(Conflict):
        actions.appeal_record_outcome(
            actor=panel[0],
            appeal=appeal,
            version=appeal.version - 1,
            outcome=AppealOutcome.UPHELD,
            reason="The decision was sound.",
            decided_at=timezone.now(),
        )
    record(panel[0])
    assert selectors.current_decision(case) == decision  # upheld: the decision stands
    assert Appeal.objects.get().outcome == AppealOutcome.UPHELD
    with pytest.raises(DomainError, match="decided already"):
        record(panel[0])


def test_a_varied_decision_becomes_current_and_the_first_stays(
    world: DemoWorld, test_section: list[str]
) -> None:
    case = case_at_decision(world)
    first = decide(world, case)
    first_hash = first.snapshot_sha256
    appeal = lodge(world, case, first)
    panel = panel_of(world)
    set_panel(world, appeal, panel)
    appeal.refresh_from_db()
    with pytest.raises(DomainError, match="rationale for the varied decision"):
        actions.appeal_record_outcome(
            actor=panel[0],
            appeal=appeal,
            version=appeal.version,
            outcome=AppealOutcome.VARIED,
            reason="A warning alone is proportionate.",
            decided_at=timezone.now(),
            new_outcome=outcome(),
            sanctions=[sanction("warning", "Written warning, 12 months")],
        )
    with pytest.raises(DomainError, match="panel members"):
        actions.appeal_record_outcome(
            actor=panel[0],
            appeal=appeal,
            version=appeal.version,
            outcome=AppealOutcome.VARIED,
            reason="A warning alone is proportionate.",
            decided_at=timezone.now(),
            new_outcome=outcome(),
            decision_makers=[panel[0].user, world.users["lead"]],
            rationale="The finding stands; the training is already done.",
        )
    assert _count(Decision) == 1
    actions.appeal_record_outcome(
        actor=panel[0],
        appeal=appeal,
        version=appeal.version,
        outcome=AppealOutcome.VARIED,
        reason="A warning alone is proportionate.",
        decided_at=timezone.now(),
        new_outcome=outcome(),
        sanctions=[sanction("warning", "Written warning, 12 months")],
        rationale="The finding stands; the training is already done.",
    )
    current = selectors.current_decision(case)
    assert current is not None and current != first
    assert current.appeal == Appeal.objects.get() and current.supersedes == first
    assert {u.pk for u in current.decision_makers.all()} == {p.user.pk for p in panel if p.user}
    assert [s.label for s in current.sanctions.all()] == ["Warning"]
    # The first stays, unchanged, in the history; the panel's snapshot lists it.
    first = Decision.objects.get(pk=first.pk)
    assert first.snapshot_sha256 == first_hash
    assert [d.number for d in selectors.decision_history(case)] == [2, 1]
    section = next(s for s in current.snapshot["sections"] if s["key"] == "decisions")
    assert next(e["heading"] for e in section["entries"]) == "Decision 1: Substantiated"
    event = AuditEvent.objects.filter(action=AuditAction.APPEAL_DECIDED).get()
    assert event.changes["new_decision"]["snapshot_sha256"] == current.snapshot_sha256


def test_an_appeal_challenges_the_current_decision_one_at_a_time(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    lodge(world, case, decision)
    with pytest.raises(DomainError, match="already under way"):
        lodge(world, case, decision)
    with pytest.raises(DomainError, match="under way"):
        decide(world, case, supersede_reason="A correction while the appeal runs.")


def test_a_restricted_case_is_decided_only_by_its_named_people(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    Case.objects.filter(pk=case.pk).update(stage=Stage.DECISION)
    case.refresh_from_db()
    with pytest.raises(NotPermitted):
        decide(world, case)  # Lena Lead is not named: she cannot even see it
    named = decider(world, "named.maker", "Nia Named-Maker")
    with pytest.raises(NotPermitted):
        decide(world, case, named)  # holds case.decide, but is not named either


def test_another_organisations_people_and_options_are_refused(world: DemoWorld) -> None:
    case = case_at_decision(world)
    with pytest.raises(DomainError, match="active members of your organisation"):
        selectors.users_of(case, [world.users["primary_lead"].pk])
    theirs = actions.decision_option_add(
        actor=actor_for(world, "primary_lead"),
        kind="outcome",
        label="Primary's own finding",
        applies_to="allegation",
    )
    with pytest.raises(DomainError, match="outcome from the list"):
        decide(world, case, outcome=theirs)
    with pytest.raises(DomainError, match="your organisation's list"):
        actions.decision_option_set_in_use(
            actor=actor_for(world, "lead"), option=theirs, in_use=False
        )
    assert _count(Decision) == 0
    assert DecisionOption.objects.get(pk=theirs.pk).is_active
