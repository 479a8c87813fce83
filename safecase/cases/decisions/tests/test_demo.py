"""The demo builder: on the demo allegation, a substantiated decision with training and a
written warning, the coach's appeal heard by two governors, varied; run twice, the same."""

from __future__ import annotations

import pytest

from conftest import DemoWorld
from safecase.cases.choices import Stage
from safecase.cases.decisions import selectors
from safecase.cases.decisions.demo import ALLEGATION_TITLE, build_demo_decisions
from safecase.cases.decisions.models import Appeal, Decision
from safecase.cases.decisions.tests.helpers import case_at_decision, move
from safecase.cases.models import Case

pytestmark = pytest.mark.django_db


def test_the_demo_allegation_gets_a_decision_and_a_varied_appeal(world: DemoWorld) -> None:
    build_demo_decisions(world)  # no demo case yet: nothing happens
    assert Decision.objects.count() == 0
    case = case_at_decision(world, title=ALLEGATION_TITLE)
    Case.objects.filter(pk=case.pk).update(stage=Stage.EXTERNAL_REFERRAL)
    build_demo_decisions(world)
    build_demo_decisions(world)
    case.refresh_from_db()
    assert case.stage == Stage.APPEAL
    first, current = sorted(Decision.objects.filter(case=case), key=lambda d: d.number)
    assert sorted(s.code for s in (x.option for x in first.sanctions.all())) == [
        "training",
        "warning",
    ]
    assert {u.full_name for u in first.decision_makers.all()} == {
        "Lena Lead",
        "Helen Head-Example",
    }
    appeal = Appeal.objects.get()
    assert appeal.outcome == "varied" and appeal.appellant_name == "Mark Example-Coach"
    panel = {u.pk for u in appeal.panel.all()}
    assert not panel & {u.pk for u in first.decision_makers.all()}
    assert selectors.current_decision(case) == current and current.appeal == appeal
    move(world, case, Stage.LEARNING)  # the appeal is decided: the case may move on
