"""Reading the allegation track: always from the case, which the caller found through
``cases_visible_to`` (a restricted case is absent for everyone not named), and the lists
across cases (overdue suspension reviews) start from ``cases_visible_to`` themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from safecase.cases.allegations.choices import DEFAULT_HARM_TESTS
from safecase.cases.allegations.models import (
    Allegation,
    AllegationSettings,
    BarringReferral,
    HarmTest,
    SuspensionDecision,
    SuspensionReview,
)
from safecase.cases.choices import Workflow
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor
from safecase.core.calendar import add_working_days

NOT_AN_ALLEGATION = (
    "The allegation track (harm-threshold test, LADO, suspension, barring referrals) is only "
    "for a case about an allegation against a person in a position of trust; this case is of "
    "another type."
)
# The most a list on the allegation page shows (a case has a handful of each).
LIMIT = 100


def is_allegation_case(case: Case) -> bool:
    return case.case_type.workflow == Workflow.ALLEGATION


def harm_tests_for(organisation_id: Any) -> list[dict[str, str]]:
    """The organisation's harm tests, in order: [{"code", "question"}]; the four KCSIE tests
    unless the lead changed them."""
    row = AllegationSettings.objects.filter(organisation_id=organisation_id).first()
    if row is not None and row.harm_tests:
        return list(row.harm_tests)
    return [{"code": code, "question": question} for code, question in DEFAULT_HARM_TESTS]


def settings_version(organisation_id: Any) -> int:
    """The version of the organisation's harm tests (0: still the shipped ones)."""
    row = AllegationSettings.objects.filter(organisation_id=organisation_id).first()
    return row.version if row is not None else 0


def next_working_day(moment: datetime) -> date:
    """The working day after ``moment``'s day (weekends and bank holidays skipped, as for a
    LADO referral's deadline, core.calendar): when a LADO referral is due at the latest."""
    return add_working_days(timezone.localtime(moment).date(), 1)


@dataclass
class AllegationPart:
    """All of the allegation track of one case, read in a fixed number of queries."""

    case: Case
    allegation: Allegation | None
    harm_tests: list[HarmTest]
    decisions: list[SuspensionDecision]
    referrals: list[BarringReferral]
    questions: list[dict[str, str]] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.allegation.version if self.allegation is not None else 0

    @property
    def current_test(self) -> HarmTest | None:
        return self.harm_tests[0] if self.harm_tests else None

    @property
    def current_decision(self) -> SuspensionDecision | None:
        return next((d for d in self.decisions if d.is_current), None)

    @property
    def lado_recorded(self) -> bool:
        return self.allegation is not None and bool(self.allegation.lado_reference)

    @property
    def lado_due_by(self) -> date | None:
        """When the harm threshold is met and no LADO referral is recorded yet: the day by
        which it is due (one working day)."""
        test = self.current_test
        if test is None or not test.threshold_met or self.lado_recorded:
            return None
        met_at = next(
            (t.created_at for t in reversed(self.harm_tests) if t.threshold_met), test.created_at
        )
        return next_working_day(met_at)


def allegation_part(case: Case) -> AllegationPart:
    """The allegation track of a case the caller may see (found through case_or_404)."""
    return AllegationPart(
        case=case,
        allegation=Allegation.objects.filter(case=case).first(),
        harm_tests=list(
            HarmTest.objects.filter(case=case)
            .select_related("recorded_by")
            .order_by("-created_at", "-id")[:LIMIT]
        ),
        decisions=list(
            SuspensionDecision.objects.filter(case=case)
            .select_related("decided_by")
            .prefetch_related(
                Prefetch(
                    "reviews",
                    queryset=SuspensionReview.objects.select_related("reviewed_by").order_by(
                        "created_at", "id"
                    ),
                )
            )
            .order_by("-created_at", "-id")[:LIMIT]
        ),
        referrals=list(
            BarringReferral.objects.filter(case=case)
            .select_related("recorded_by")
            .order_by("-referred_on", "-created_at")[:LIMIT]
        ),
        questions=harm_tests_for(case.organisation_id),
    )


def overdue_suspension_reviews(actor: Actor, *, today: date | None = None) -> QuerySet[Any]:
    """Current suspension decisions whose review date has passed, on the cases the actor may
    see (a restricted case only for those named), the most overdue first."""
    today = today or timezone.localdate()
    return (
        SuspensionDecision.objects.filter(
            case__in=cases_visible_to(actor).filter(organisation=actor.organisation),
            ended_on__isnull=True,
            next_review_on__lt=today,
        )
        .select_related("case")
        .order_by("next_review_on", "id")
    )


def decision_on(case: Case, decision_id: Any) -> SuspensionDecision | None:
    return SuspensionDecision.objects.filter(case=case, pk=decision_id).first()


def referral_on(case: Case, referral_id: Any) -> BarringReferral | None:
    return BarringReferral.objects.filter(case=case, pk=referral_id).first()
