"""Decisions and appeals in the chronology: the adult the allegation is about sees the
decision (outcome, sanctions), the appeal lodged and its outcome; a child on the case only the
link (W12); a restricted case's lines nobody but the named; a rebuild makes the same lines."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.cases import actions as case_actions
from safecase.cases import chronology
from safecase.cases.choices import SubjectRole
from safecase.cases.decisions import actions
from safecase.cases.decisions.choices import AppealOutcome
from safecase.cases.decisions.tests.helpers import (
    case_at_decision,
    decide,
    lodge,
    outcome,
    panel_of,
    sanction,
    set_panel,
)
from safecase.concerns import selectors as concern_selectors
from safecase.concerns.tests.test_chronology_lines import lines
from safecase.people.actions import person_create
from safecase.people.models import ChronologyItem

pytestmark = pytest.mark.django_db


def test_the_adult_concerned_sees_the_decision_and_the_appeal(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    case = case_at_decision(world)
    child = person_create(actor=lead, kind="child", given_names="Alex", family_name="Chronoby")
    case.refresh_from_db()
    case_actions.case_add_subject(
        actor=lead, case=case, version=case.version, person=child, role=SubjectRole.SUBJECT
    )
    first = decide(world, case)
    appeal = lodge(world, case, first)
    panel = panel_of(world)
    set_panel(world, appeal, panel)
    appeal.refresh_from_db()
    actions.appeal_record_outcome(
        actor=panel[0],
        appeal=appeal,
        version=appeal.version,
        outcome=AppealOutcome.VARIED,
        reason="A warning alone is proportionate.",
        decided_at=timezone.now(),
        new_outcome=outcome(),
        sanctions=[sanction("warning")],
        rationale="The finding stands; the training is done.",
    )
    coach = case.subjects.get(role=SubjectRole.ADULT_CONCERNED).person
    titles = [e.title for e in concern_selectors.person_chronology(lead, coach) if e.case_id]
    ref = case.reference
    for expected in (
        f"Case {ref}: decision: substantiated",
        f"Case {ref}: appeal lodged by Mark Example-Coach",
        f"Case {ref}: appeal varied: the panel records a new decision that replaces it",
        f"Case {ref}: decision (on appeal): substantiated",
    ):
        assert expected in titles
    summaries = {
        e.title: e.summary for e in concern_selectors.person_chronology(lead, coach) if e.case_id
    }
    assert summaries[f"Case {ref}: decision: substantiated"] == "Sanctions: Training; Warning"
    # The child on the allegation's case: the link alone, no decision.
    child_titles = [e.title for e in concern_selectors.person_chronology(lead, child) if e.case_id]
    assert child_titles == [f"Named on allegation case {ref}"]


def test_the_lines_the_actions_keep_are_what_a_rebuild_makes(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    appeal = lodge(world, case, decision)
    panel = panel_of(world)
    set_panel(world, appeal, panel)
    appeal.refresh_from_db()
    actions.appeal_record_outcome(
        actor=panel[0],
        appeal=appeal,
        version=appeal.version,
        outcome=AppealOutcome.UPHELD,
        reason="The decision was sound.",
        decided_at=timezone.now(),
    )
    kept = lines()
    assert len([line for line in kept if "appeal" in str(line)]) >= 2
    ChronologyItem.objects.filter(case__isnull=False).delete()
    written = chronology.rebuild(organisation_id=case.organisation_id)
    assert written == len(kept)
    assert lines() == kept
