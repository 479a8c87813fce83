"""The demo's investigation on the allegation against the coach: built through the actions,
idempotent, with interviews, an evidence file whose SHA-256 matches, custody and findings of
every kind; the audit chain still verifies."""

from __future__ import annotations

import hashlib
from importlib import import_module
from typing import Any

import pytest

from conftest import actor_for, build_demo_world
from safecase.audit.verify import verify_all
from safecase.cases.investigations import evidence_actions
from safecase.cases.investigations.demo import REGISTER, build_demo_investigations
from safecase.cases.investigations.models import Finding, Interview, Investigation

pytestmark = pytest.mark.django_db

# The demo's builders, looked up by name: the layering contract lets an app's tests use the
# demo (safecase.*.tests.**), but its pattern does not reach a nested app's tests.
build_demo_concerns = import_module("safecase.demo.concerns").build_demo_concerns
build_demo_cases = import_module("safecase.demo.cases").build_demo_cases


def test_the_demo_investigation_on_the_coachs_case(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world = build_demo_world()
        assert build_demo_investigations(world) is None  # no case yet: nothing to hang it on
        build_demo_concerns(world)
        build_demo_cases(world)
        built = build_demo_investigations(world)
        assert build_demo_investigations(world) is None  # idempotent
    assert built is not None
    inv = Investigation.objects.get()
    assert inv.case.title.endswith("football coach (synthetic)")
    assert inv.status == "in_progress" and inv.investigator == world.users["case_worker"]
    assert sorted(Interview.objects.values_list("role", flat=True)) == [
        "adult_concerned",
        "child",
        "witness",
    ]
    assert Interview.objects.filter(person__isnull=False).count() == 2
    assert sorted(Finding.objects.values_list("kind", flat=True)) == [
        "allegation_not_established",
        "established_fact",
        "opinion",
    ]
    item = inv.evidence.get()
    assert item.sha256 == hashlib.sha256(REGISTER).hexdigest()
    assert evidence_actions.evidence_read_file(actor=actor_for(world, "lead"), evidence=item) == (
        REGISTER
    )
    assert item.custody.count() == 1
    assert verify_all().ok
