"""The allegation track's actions: what they record, and what they refuse (nothing saved)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases.allegations import actions, selectors
from safecase.cases.allegations.models import (
    Allegation,
    BarringReferral,
    HarmTest,
    SuspensionDecision,
    SuspensionReview,
)
from safecase.cases.allegations.tests.helpers import (
    ALL_NO,
    allegation_case,
    harm_test,
    refer,
    suspend,
    version,
)
from safecase.cases.tests.helpers import DemoWorld, open_case
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_yes_to_any_test_meets_the_threshold_and_a_lado_referral_falls_due(
    world: DemoWorld,
) -> None:
    case = allegation_case(world)
    test = harm_test(world, case)
    assert test.threshold_met
    assert [a["answer"] for a in test.answers] == [True, False, False, False]
    assert test.answers[0]["question"].startswith("Behaved in a way that has harmed a child")
    part = selectors.allegation_part(case)
    assert part.lado_due_by == selectors.next_working_day(test.created_at)
    actions.allegation_record_lado(
        actor=actor_for(world, "lead"),
        case=case,
        version=part.version,
        reference="LADO-26-0042",
        referred_at=timezone.now() - timedelta(hours=1),
    )
    part = selectors.allegation_part(case)
    assert part.lado_recorded and part.lado_due_by is None
    assert part.allegation is not None and part.allegation.lado_reference == "LADO-26-0042"
    assert AuditEvent.objects.filter(action=AuditAction.ALLEGATION_LADO_RECORDED).count() == 1


def test_all_no_is_not_met_and_nothing_is_due(world: DemoWorld) -> None:
    case = allegation_case(world)
    assert not harm_test(world, case, met=False).threshold_met
    assert selectors.allegation_part(case).lado_due_by is None


def test_the_next_working_day_skips_the_weekend_and_bank_holidays() -> None:
    friday = timezone.make_aware(timezone.datetime(2026, 12, 4, 16, 0))
    assert selectors.next_working_day(friday).isoformat() == "2026-12-07"
    # Christmas Eve 2026 is a Thursday: Christmas Day and Boxing Day (substitute Monday 28th)
    # are bank holidays.
    christmas_eve = timezone.make_aware(timezone.datetime(2026, 12, 24, 16, 0))
    assert selectors.next_working_day(christmas_eve).isoformat() == "2026-12-29"


def test_every_test_must_be_answered(world: DemoWorld) -> None:
    case = allegation_case(world)
    with pytest.raises(DomainError, match="Answer yes or no") as exc:
        actions.harm_test_record(
            actor=actor_for(world, "lead"),
            case=case,
            version=0,
            answers={"harmed": True, "offence": None},
        )
    assert exc.value.field == "offence"
    assert not HarmTest.objects.exists() and not Allegation.objects.exists()


def test_the_organisation_rewords_its_tests_and_earlier_answers_keep_theirs(
    world: DemoWorld,
) -> None:
    case = allegation_case(world)
    first = harm_test(world, case)
    lead = actor_for(world, "lead")
    questions = [q["question"] for q in selectors.harm_tests_for(case.organisation_id)]
    actions.allegation_settings_update(
        actor=lead, version=0, questions=[questions[0], "Has breached the code of conduct"]
    )
    tests = selectors.harm_tests_for(case.organisation_id)
    assert next(t["code"] for t in tests) == "harmed"
    assert tests[1]["code"].startswith("custom_")
    with pytest.raises(Conflict):
        actions.allegation_settings_update(actor=lead, version=0, questions=["x" * 10])
    with pytest.raises(DomainError, match="at least one"):
        actions.allegation_settings_update(actor=lead, version=1, questions=["", " "])
    with pytest.raises(NotPermitted):
        actions.allegation_settings_update(
            actor=actor_for(world, "deputy"), version=1, questions=["Anything"]
        )
    second = actions.harm_test_record(
        actor=lead,
        case=case,
        version=version(case),
        answers={"harmed": False, tests[1]["code"]: True},
    )
    assert [a["question"] for a in second.answers][1] == "Has breached the code of conduct"
    first.refresh_from_db()
    assert len(first.answers) == 4


def test_not_on_a_case_that_is_not_an_allegation(world: DemoWorld) -> None:
    case = open_case(world)
    with pytest.raises(DomainError, match="only for a case about an allegation"):
        actions.harm_test_record(
            actor=actor_for(world, "lead"), case=case, version=0, answers=ALL_NO
        )
    with pytest.raises(DomainError, match="only for a case about an allegation"):
        suspend(world, case)
    assert not Allegation.objects.exists() and not SuspensionDecision.objects.exists()


def test_another_organisation_cannot_touch_the_allegation(world: DemoWorld) -> None:
    case = allegation_case(world)
    for persona in ("other_org", "primary_lead", "partner_with_share"):
        with pytest.raises(NotPermitted):
            harm_test(world, case, persona)
    assert not HarmTest.objects.exists()


def test_a_stale_version_is_refused_and_nothing_saved(world: DemoWorld) -> None:
    case = allegation_case(world)
    harm_test(world, case)
    with pytest.raises(Conflict):
        actions.harm_test_record(
            actor=actor_for(world, "lead"), case=case, version=0, answers=ALL_NO
        )
    with pytest.raises(Conflict):
        actions.barring_refer(
            actor=actor_for(world, "lead"),
            case=case,
            version=0,
            body="dbs",
            referred_on=TODAY(),
            reason="A duty to refer.",
        )
    assert HarmTest.objects.count() == 1 and not BarringReferral.objects.exists()


def test_a_suspension_needs_its_rationale_and_a_review_date(world: DemoWorld) -> None:
    case = allegation_case(world)
    with pytest.raises(DomainError, match="rationale") as exc:
        suspend(world, case, rationale="  ")
    assert exc.value.field == "rationale"
    with pytest.raises(DomainError, match="next review") as exc:
        suspend(world, case, next_review_on=None)
    with pytest.raises(DomainError, match="before this date"):
        suspend(world, case, next_review_on=TODAY() - timedelta(days=1))
    with pytest.raises(DomainError, match="alternative arrangements are"):
        suspend(world, case, decision="alternative")
    with pytest.raises(DomainError, match="Choose the decision"):
        suspend(world, case, decision="sacked")
    assert not SuspensionDecision.objects.exists() and not Allegation.objects.exists()
    # Not suspended: no review date needed.
    decision = suspend(world, case, decision="not_suspended", next_review_on=None)
    assert decision.is_current


def test_reviews_continue_change_and_lift_and_are_kept(world: DemoWorld) -> None:
    case = allegation_case(world)
    decision = suspend(world, case)
    lead = actor_for(world, "lead")
    with pytest.raises(DomainError, match="current on this case"):
        suspend(world, case)
    actions.suspension_review(
        actor=lead,
        decision=decision,
        version=decision.version,
        reviewed_on=TODAY(),
        outcome="continue",
        rationale="Police enquiries continue.",
        next_review_on=TODAY() + timedelta(days=7),
    )
    with pytest.raises(Conflict):
        actions.suspension_review(
            actor=lead,
            decision=decision,
            version=1,
            reviewed_on=TODAY(),
            outcome="continue",
            rationale="Police enquiries continue.",
            next_review_on=TODAY() + timedelta(days=7),
        )
    actions.suspension_review(
        actor=lead,
        decision=decision,
        version=decision.version,
        reviewed_on=TODAY(),
        outcome="change",
        new_decision="alternative",
        arrangements="Office duties; no contact with pupils.",
        rationale="The police released the coach on bail with conditions.",
        next_review_on=TODAY() + timedelta(days=14),
    )
    decision.refresh_from_db()
    assert decision.decision == "alternative" and decision.initial_decision == "suspended"
    with pytest.raises(DomainError, match="rationale"):
        actions.suspension_review(
            actor=lead,
            decision=decision,
            version=decision.version,
            reviewed_on=TODAY(),
            outcome="lift",
            rationale="",
            next_review_on=None,
        )
    actions.suspension_review(
        actor=lead,
        decision=decision,
        version=decision.version,
        reviewed_on=TODAY(),
        outcome="lift",
        rationale="Allegation unfounded: back to normal duties.",
        next_review_on=None,
    )
    decision.refresh_from_db()
    assert decision.ended_on == TODAY() and decision.next_review_on is None
    assert list(
        SuspensionReview.objects.filter(decision=decision)
        .order_by("created_at")
        .values_list("outcome", "from_decision", "to_decision")
    ) == [
        ("continue", "suspended", "suspended"),
        ("change", "suspended", "alternative"),
        ("lift", "alternative", "alternative"),
    ]
    with pytest.raises(DomainError, match="Only the current"):
        actions.suspension_review(
            actor=lead,
            decision=decision,
            version=decision.version,
            reviewed_on=TODAY(),
            outcome="continue",
            rationale="Again.",
            next_review_on=TODAY(),
        )
    # A new decision may follow once the last one is lifted.
    assert suspend(world, case).is_current


def test_overdue_reviews_are_listed_for_those_who_may_see_the_case(world: DemoWorld) -> None:
    case = allegation_case(world)
    decision = suspend(world, case, starts_on=TODAY() - timedelta(days=30))
    SuspensionDecision.objects.filter(pk=decision.pk).update(
        next_review_on=TODAY() - timedelta(days=2)
    )
    assert list(selectors.overdue_suspension_reviews(actor_for(world, "lead"))) == [decision]
    assert list(selectors.overdue_suspension_reviews(actor_for(world, "other_org"))) == []


def test_barring_referrals_need_a_named_body_a_reason_and_a_past_date(world: DemoWorld) -> None:
    case = allegation_case(world)
    lead = actor_for(world, "lead")
    base = {"actor": lead, "case": case, "version": 0, "reason": "Duty to refer to the DBS."}
    with pytest.raises(DomainError, match="Name the body"):
        actions.barring_refer(body="governing_body", referred_on=TODAY(), **base)
    with pytest.raises(DomainError, match="future"):
        actions.barring_refer(body="dbs", referred_on=TODAY() + timedelta(days=1), **base)
    with pytest.raises(DomainError, match="reason"):
        actions.barring_refer(body="dbs", referred_on=TODAY(), **{**base, "reason": ""})
    assert not BarringReferral.objects.exists()
    referral = refer(world, case)
    assert referral.body_label.endswith("The Football Association (synthetic)")
    with pytest.raises(DomainError, match="before the referral"):
        actions.barring_record_outcome(
            actor=lead,
            referral=referral,
            version=referral.version,
            outcome="No further action.",
            outcome_on=TODAY() - timedelta(days=3),
        )
    actions.barring_record_outcome(
        actor=lead,
        referral=referral,
        version=referral.version,
        outcome="Licence suspended pending a hearing.",
        outcome_on=TODAY(),
    )
    with pytest.raises(Conflict):
        actions.barring_record_outcome(
            actor=lead,
            referral=referral,
            version=1,
            outcome="Changed.",
            outcome_on=TODAY(),
        )
    referral.refresh_from_db()
    assert referral.outcome == "Licence suspended pending a hearing."


def test_a_closed_case_takes_nothing_more(world: DemoWorld) -> None:
    case = allegation_case(world)
    case.status, case.stage, case.closed_at = "closed", "closed", timezone.now()
    case.save()
    with pytest.raises(DomainError, match="Reopen"):
        harm_test(world, case)
