"""The demo builders add the allegation track and the learning review to the demo's coach
case, through the actions, once."""

from __future__ import annotations

import importlib

import pytest

from safecase.cases.allegations.demo import build_demo_allegations, coach_case
from safecase.cases.allegations.models import BarringReferral, HarmTest, SuspensionReview
from safecase.cases.allegations.selectors import allegation_part
from safecase.cases.learning.demo import build_demo_learning
from safecase.cases.learning.models import Recommendation, ReviewTheme
from safecase.cases.tests.helpers import DemoWorld

pytestmark = pytest.mark.django_db


def _demo(module: str, builder: str, world: DemoWorld) -> None:
    """Tests may use the demo (pyproject's import contract ignores safecase.*.tests), but its
    pattern does not reach a nested part's tests (safecase.cases.<part>.tests): imported by
    name until the lead widens it."""
    getattr(importlib.import_module(f"safecase.demo.{module}"), builder)(world)


def test_the_demo_coach_case_gets_its_allegation_track_and_learning_once(
    world: DemoWorld,
) -> None:
    build_demo_allegations(world)  # no case yet: nothing
    assert not HarmTest.objects.exists()
    _demo("concerns", "build_demo_concerns", world)
    _demo("cases", "build_demo_cases", world)
    for _ in range(2):
        build_demo_allegations(world)
        build_demo_learning(world)
    case = coach_case(world)
    assert case is not None
    part = allegation_part(case)
    assert part.current_test is not None and part.current_test.threshold_met
    assert part.lado_recorded
    assert part.current_decision is not None and part.current_decision.decision == "suspended"
    assert SuspensionReview.objects.count() == 1
    assert BarringReferral.objects.get().body == "governing_body"
    assert Recommendation.objects.filter(case=case).count() == 3
    assert ReviewTheme.objects.filter(case=case).count() == 3
