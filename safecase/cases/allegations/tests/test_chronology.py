"""W12: the allegation track reaches the adult concerned's chronology and never a child's
beyond the one restricted link line; the lines the actions keep are what a rebuild makes; the
section for the snapshot and the bundle holds the whole track."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import actor_for
from safecase.cases import chronology as case_chronology
from safecase.cases import parts
from safecase.cases.allegations import actions
from safecase.cases.allegations.tests.helpers import (
    allegation_case,
    harm_test,
    refer,
    suspend,
    version,
    with_people,
)
from safecase.cases.learning import actions as learning_actions
from safecase.cases.learning.tests.helpers import recommend, review
from safecase.cases.models import Case
from safecase.cases.tests.helpers import DemoWorld
from safecase.concerns import selectors as concern_selectors
from safecase.concerns.tests.test_chronology_lines import lines
from safecase.people.models import ChronologyItem

pytestmark = pytest.mark.django_db


def _everything(world: DemoWorld, case: Case) -> None:
    lead = actor_for(world, "lead")
    harm_test(world, case)
    actions.allegation_record_lado(
        actor=lead,
        case=case,
        version=version(case),
        reference="LADO-26-0042",
        referred_at=timezone.now() - timedelta(hours=3),
    )
    decision = suspend(world, case)
    actions.suspension_review(
        actor=lead,
        decision=decision,
        version=decision.version,
        reviewed_on=timezone.localdate(),
        outcome="change",
        new_decision="alternative",
        arrangements="Office duties only.",
        rationale="Bail conditions keep him away from pupils.",
        next_review_on=timezone.localdate() + timedelta(days=14),
    )
    referral = refer(world, case)
    actions.barring_record_outcome(
        actor=lead,
        referral=referral,
        version=referral.version,
        outcome="Interim suspension of the coaching licence.",
        outcome_on=timezone.localdate(),
    )
    # The learning part's lines follow the same rule on an allegation's case.
    review(world, case)
    rec = recommend(world, case)
    learning_actions.recommendation_update(
        actor=lead, recommendation=rec, version=rec.version, status="done", reason="Done."
    )


def test_a_child_sees_only_the_link_and_the_adult_concerned_sees_everything(
    world: DemoWorld,
) -> None:
    case = allegation_case(world)
    child, adult = with_people(world, case)
    _everything(world, case)
    lead = actor_for(world, "lead")
    child_lines = [
        e for e in concern_selectors.person_chronology(lead, child) if e.case_id is not None
    ]
    assert [e.title for e in child_lines] == [f"Named on allegation case {case.reference}"]
    text = " ".join(f"{e.title} {e.summary}" for e in child_lines)
    for word in ("LADO", "Suspension", "Harm", "Football", "Learning"):
        assert word not in text
    adult_titles = [e.title for e in concern_selectors.person_chronology(lead, adult) if e.case_id]
    for expected in (
        "Harm-threshold test: threshold met, a LADO referral is due within one working day",
        "LADO referral recorded (LADO reference LADO-26-0042)",
        "Suspension decision: Suspended",
        "Suspension reviewed: change the arrangement (Alternative arrangements (e.g. "
        "redeployment, no unsupervised contact))",
        "Referred to A sport's national governing body: The Football Association (synthetic): "
        "outcome recorded",
        "Learning recommendation done: Keep low-level concerns about staff on the safeguarding "
        "log.",
    ):
        assert expected in adult_titles
    # Nobody outside the case sees any of it.
    assert list(concern_selectors.person_chronology(actor_for(world, "other_org"), adult)) == []


def test_the_lines_kept_are_what_a_rebuild_makes(world: DemoWorld) -> None:
    case = allegation_case(world)
    with_people(world, case)
    _everything(world, case)
    # A corrected LADO reference and time: one line, at the corrected time.
    actions.allegation_record_lado(
        actor=actor_for(world, "lead"),
        case=case,
        version=version(case),
        reference="LADO-26-0043",
        referred_at=timezone.now() - timedelta(hours=2),
    )
    assert ChronologyItem.objects.filter(title__contains="LADO-26-0042").count() == 0
    assert ChronologyItem.objects.filter(title__contains="LADO-26-0043").count() == 1
    kept = lines()
    ChronologyItem.objects.filter(case__isnull=False).delete()
    assert case_chronology.rebuild(organisation_id=case.organisation_id) == len(kept)
    assert lines() == kept


def test_the_section_holds_the_track_in_order(world: DemoWorld) -> None:
    case = allegation_case(world)
    _everything(world, case)
    section = next(s for s in parts.case_sections(case) if s["key"] == "allegation")
    assert section["title"] == "Allegation"
    headings = [e["heading"] for e in section["entries"]]
    assert "Harm-threshold test: threshold met" in headings
    assert "LADO referral" in headings
    assert "Suspension decision: Suspended" in headings
    assert headings[-1].startswith("Referral to A sport's national governing body")
    assert "Interim suspension" in section["entries"][-1]["body"]
