"""The demo builder: the coach's allegation gets a police and a LADO referral (with its
reference), tasks, a child-protection case a children's social care referral; and it runs
twice without adding anything."""

from __future__ import annotations

import importlib

import pytest

from conftest import DemoWorld  # the demo world, as the fixtures build it
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.models import Case
from safecase.cases.referrals.demo import ALLEGATION_TITLE, build_demo_referrals
from safecase.cases.referrals.models import ExternalReferral
from safecase.cases.tests.helpers import open_case

pytestmark = pytest.mark.django_db


def test_the_builder_finds_the_demo_allegation_by_its_title() -> None:
    # Looked up at run time: lint-imports exempts tests from "cases never imports demo" only
    # for safecase.*.tests, not for the nested parts' tests (safecase.cases.*.tests).
    demo_cases = importlib.import_module("safecase.demo.cases")
    assert demo_cases.ALLEGATION_TITLE == ALLEGATION_TITLE


def test_the_demo_referrals(world: DemoWorld) -> None:
    allegation = open_case(world, code="allegation", title=ALLEGATION_TITLE)
    protection = open_case(world, title="Demo child protection case (synthetic)")
    build_demo_referrals(world)
    build_demo_referrals(world)  # idempotent
    codes = sorted(r.agency.code for r in ExternalReferral.objects.filter(case=allegation))
    assert codes == ["lado", "police"]
    lado = ExternalReferral.objects.get(case=allegation, agency__code="lado")
    assert lado.their_reference == "LADO-NS-2026-0117" and lado.status == "responded"
    tasks = CaseTask.objects.filter(case=allegation)
    assert tasks.count() == 4  # the two follow-ups (the LADO's done) and two set by the lead
    assert tasks.filter(status="done").count() == 1
    csc = ExternalReferral.objects.get(case=protection)
    assert csc.agency.code == "childrens_social_care"
    assert Case.objects.filter(pk=allegation.pk).exists()


def test_without_the_demo_cases_it_does_nothing(world: DemoWorld) -> None:
    build_demo_referrals(world)
    assert not ExternalReferral.objects.exists()
