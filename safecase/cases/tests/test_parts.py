"""The seam the case parts plug into (cases/parts.py): a stage check refuses a move and
nothing is written; sections and home panels appear by registration and permission."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import actor_for
from safecase.access.permissions import Permission
from safecase.cases import actions, parts
from safecase.cases.choices import Stage
from safecase.cases.models import Case, StageChange
from safecase.cases.tests.helpers import open_case
from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.demo.personas import DemoWorld


@pytest.fixture
def clean_registries() -> Iterator[None]:
    saved = (dict(parts._SECTIONS), dict(parts._STAGE_CHECKS), dict(parts._PANELS))
    yield
    for registry, old in zip(
        (parts._SECTIONS, parts._STAGE_CHECKS, parts._PANELS), saved, strict=True
    ):
        registry.clear()
        registry.update(old)


@pytest.mark.django_db
def test_a_stage_check_refuses_the_move_and_nothing_is_written(
    world: DemoWorld, clean_registries: None
) -> None:
    case = open_case(world)
    moves_before = StageChange.objects.filter(case=case).count()

    def no_leaving_reporting(actor: Actor, case: Any, from_stage: str, to_stage: str) -> None:
        if from_stage == Stage.REPORTING:
            raise DomainError("Record the test condition first.")

    parts.register_stage_check("test", no_leaving_reporting)
    with pytest.raises(DomainError, match="test condition"):
        actions.case_advance_stage(
            actor=actor_for(world, "lead"),
            case=case,
            version=case.version,
            to_stage=Stage.EXTERNAL_REFERRAL,
            reason="Referral to children's social care made.",
        )
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.REPORTING
    assert StageChange.objects.filter(case=case).count() == moves_before


def test_sections_come_in_order_and_empty_ones_are_left_out(clean_registries: None) -> None:
    parts._SECTIONS.clear()  # the parts' own sections read the database; these need none
    parts.register_section(
        parts.Section("b", "Second", 20, lambda case: [{"heading": "x", "when": "", "body": "y"}])
    )
    parts.register_section(
        parts.Section("a", "First", 10, lambda case: [{"heading": "p", "when": "", "body": "q"}])
    )
    parts.register_section(parts.Section("c", "Empty", 5, lambda case: []))
    got = [s["key"] for s in parts.case_sections(object()) if s["key"] in {"a", "b", "c"}]
    assert got == ["a", "b"]


@pytest.mark.django_db
def test_a_home_panel_shows_only_to_holders_of_its_permission(
    world: DemoWorld, clean_registries: None
) -> None:
    parts.register_home_panel(
        parts.HomePanel(
            "test", "web/home.html", Permission.CASE_SUPERVISE, 1, lambda actor: {"n": 1}
        )
    )
    supervisor = [p["data"] for p in parts.home_panels(actor_for(world, "supervisor"))]
    reporter = [p["data"] for p in parts.home_panels(actor_for(world, "reporter"))]
    assert {"n": 1} in supervisor
    assert {"n": 1} not in reporter
