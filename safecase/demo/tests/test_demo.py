"""The demo: idempotent, made through the real actions, and gives the lead something to do."""

from __future__ import annotations

from typing import Any

import pytest

from safecase.audit.verify import verify_all
from safecase.concerns.models import Concern, PatternAlert
from safecase.demo.concerns import build_demo_concerns
from safecase.demo.personas import build_demo_world

pytestmark = pytest.mark.django_db


def test_the_demo_builds_once_and_raises_a_pattern_alert(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world = build_demo_world()
        build_demo_concerns(world)
    with django_capture_on_commit_callbacks(execute=True):
        build_demo_concerns(build_demo_world())
    assert Concern.objects.count() == 4
    assert [a.summary for a in PatternAlert.objects.all()] == [
        "3 concerns about Jamie Example-Child in 30 days"
    ]
    assert verify_all().ok


def test_the_demo_holds_an_allegation_against_a_coach_at_the_lado_referral(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from safecase.cases.models import Case, CaseSubject
    from safecase.demo.cases import ALLEGATION_TITLE, build_demo_cases

    with django_capture_on_commit_callbacks(execute=True):
        world = build_demo_world()
        build_demo_concerns(world)
        build_demo_cases(world)
        build_demo_cases(world)
    case = Case.objects.get()
    assert (case.title, case.stage, case.case_type.code) == (
        ALLEGATION_TITLE,
        "external_referral",
        "allegation",
    )
    assert sorted(CaseSubject.objects.values_list("role", flat=True)) == [
        "adult_concerned",
        "subject",
    ]
    assert verify_all().ok


def test_the_case_parts_add_to_the_demo_allegation_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Every part's builder runs (twice, changing nothing the second time)."""
    from safecase.cases.models import Case
    from safecase.cases.risk.models import RiskAssessmentVersion
    from safecase.demo.cases import ALLEGATION_TITLE, build_demo_case_parts, build_demo_cases

    with django_capture_on_commit_callbacks(execute=True):
        world = build_demo_world()
        build_demo_concerns(world)
        build_demo_cases(world)
        build_demo_case_parts(world)
        counts = {"risk": RiskAssessmentVersion.objects.count()}
        build_demo_case_parts(world)
    case = Case.objects.get(title=ALLEGATION_TITLE)
    assert RiskAssessmentVersion.objects.filter(assessment__case=case).exists()
    assert counts == {"risk": RiskAssessmentVersion.objects.count()}
