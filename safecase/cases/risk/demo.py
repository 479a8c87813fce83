"""Risk assessments for the demo's cases (all synthetic), made through the real actions.

The allegation against the after-school football coach gets two versions: high risk when the
disclosure came in (the coach not to be alone with children), then high risk with provisional
suspension after the LADO's advice. Every other open case of the demo school without an
assessment gets a first one, so the header and the reviews page have something to show.
The lead wires ``build_demo_risk`` in after ``build_demo_cases``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.cases.choices import CaseStatus
from safecase.cases.models import Case
from safecase.cases.risk import actions, selectors
from safecase.cases.risk.choices import InterimMeasure, RiskLevel
from safecase.cases.risk.models import RiskAssessment
from safecase.core.actors import Actor

# The title of the demo allegation (safecase/demo/cases.py ALLEGATION_TITLE, read by its
# words: the cases app may not import the demo package).
COACH_CASE_WORDS = "after-school football coach"
OTHER_CASES_LIMIT = 20


def _lead(world: Any) -> Actor:
    user = world.users["lead"]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def _coach(lead: Actor, case: Case) -> None:
    today = timezone.localdate()
    actions.risk_assess(
        actor=lead,
        case=case,
        version=0,
        risk_factors="A pupil (Year 7) alleges the coach grabbed their arm and pushed them "
        "against the lockers after practice; bruising seen by the PE teacher. The coach runs "
        "sessions with the U12s, often alone.",
        protective_factors="The disclosure was made promptly to a trusted teacher; the child's "
        "parent is supportive; other staff are on site during sessions.",
        likelihood=3,
        impact=4,
        level=RiskLevel.HIGH,
        interim_measures=[InterimMeasure.NO_UNSUPERVISED_ACCESS],
        next_review_on=today + timedelta(days=2),
        reason="Allegation received from the PE teacher; the harm threshold may be met.",
    )
    actions.risk_assess(
        actor=lead,
        case=case,
        version=1,
        risk_factors="As before. The LADO advises that the allegation meets the harm threshold "
        "and that a police check is under way.",
        protective_factors="The coach is not in school while suspended; the child is supported "
        "by their head of year.",
        likelihood=3,
        impact=4,
        level=RiskLevel.HIGH,
        interim_measures=[InterimMeasure.PROVISIONAL_SUSPENSION],
        next_review_on=today + timedelta(days=7),
        reason="LADO advice: provisional suspension, pending the strategy discussion.",
    )


def build_demo_risk(world: Any) -> None:
    """Idempotent: a case that has an assessment is left as it is. Runs after
    build_demo_cases."""
    school = world.organisations["secondary"]
    lead = _lead(world)
    cases = list(
        Case.objects.filter(organisation=school, status=CaseStatus.OPEN)
        .exclude(pk__in=RiskAssessment.objects.values("case_id"))
        .select_related("case_type")
        .order_by("opened_at")[: OTHER_CASES_LIMIT + 1]
    )
    for case in cases:
        if COACH_CASE_WORDS in case.title:
            _coach(lead, case)
            continue
        actions.risk_assess(
            actor=lead,
            case=case,
            version=selectors.assessment_version(case),
            risk_factors="Concerns recorded by staff (synthetic); see the case's concerns.",
            protective_factors="Engaged parent; a trusted adult in school.",
            likelihood=2,
            impact=3,
            level=RiskLevel.MEDIUM,
            next_review_on=timezone.localdate() + timedelta(days=14),
            reason="First assessment when the case was opened.",
        )
