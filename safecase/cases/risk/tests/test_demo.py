"""The demo's risk: the allegation against the coach is high risk with provisional suspension,
its first version kept; the school's other open cases get a first assessment; building again
changes nothing. (The demo package itself is out of this app's imports: the case is opened
here as build_demo_cases opens it.)"""

from __future__ import annotations

import pytest

from safecase.cases.models import Case
from safecase.cases.risk.demo import build_demo_risk
from safecase.cases.risk.models import RiskAssessmentVersion
from safecase.cases.risk.selectors import current_risk
from safecase.cases.risk.tests.helpers import DemoWorld
from safecase.cases.tests.helpers import open_case

pytestmark = pytest.mark.django_db


def test_the_coach_case_is_high_risk_with_provisional_suspension(world: DemoWorld) -> None:
    coach = open_case(
        world,
        code="allegation",
        title="Allegation against the after-school football coach (synthetic)",
    )
    other = open_case(world)
    build_demo_risk(world)
    build_demo_risk(world)
    current = current_risk(coach)
    assert current is not None
    assert (current.number, current.level) == (2, "high")
    assert current.interim_measures == ["provisional_suspension"]
    assert RiskAssessmentVersion.objects.filter(case=coach).count() == 2
    assert RiskAssessmentVersion.objects.filter(case=other).count() == 1
    assert RiskAssessmentVersion.objects.filter(case__in=Case.objects.all()).count() == 3
