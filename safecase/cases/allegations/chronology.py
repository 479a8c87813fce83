"""The allegation track's lines in the chronology: the titles the actions write, and the
source that reads them again (a person joining the case, a rebuild). The case's chronology
rules apply (cases/chronology.py): on an allegation's case these lines reach the adult
concerned only; a child on the case keeps the one restricted link line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from safecase.cases.allegations.choices import ReviewOutcome, SuspensionChoice
from safecase.cases.allegations.models import (
    Allegation,
    BarringReferral,
    HarmTest,
    SuspensionDecision,
    SuspensionReview,
)
from safecase.cases.chronology import CaseFacts, Event


def harm_test(met: bool) -> str:
    return "Harm-threshold test: " + (
        "threshold met, a LADO referral is due within one working day" if met else "not met"
    )


def lado(reference: str) -> str:
    return f"LADO referral recorded (LADO reference {reference})"


def decision(value: str) -> str:
    return f"Suspension decision: {SuspensionChoice(value).label}"


def review(outcome: str, to: str) -> str:
    title = f"Suspension reviewed: {ReviewOutcome(outcome).label.lower()}"
    return title + (f" ({SuspensionChoice(to).label})" if outcome == ReviewOutcome.CHANGE else "")


def referral(row: BarringReferral) -> str:
    title = f"Referred to {row.body_label}"
    return title + (": outcome recorded" if row.outcome else "")


def allegation_events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    ids = list(cases)
    for t in HarmTest.objects.filter(case_id__in=ids):
        yield Event(t.case_id, t.pk, t.created_at, harm_test(t.threshold_met), t.summary)
    for a in Allegation.objects.filter(case_id__in=ids, lado_referred_at__isnull=False):
        assert a.lado_referred_at is not None
        yield Event(a.case_id, a.pk, a.lado_referred_at, lado(a.lado_reference))
    for d in SuspensionDecision.objects.filter(case_id__in=ids):
        # The decision as first made: a review that changes it has its own line.
        yield Event(d.case_id, d.pk, d.created_at, decision(d.initial_decision), d.rationale)
    for r in SuspensionReview.objects.filter(case_id__in=ids):
        yield Event(r.case_id, r.pk, r.created_at, review(r.outcome, r.to_decision), r.rationale)
    for b in BarringReferral.objects.filter(case_id__in=ids):
        yield Event(b.case_id, b.pk, b.created_at, referral(b), b.reason)
