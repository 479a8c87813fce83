"""The permission matrix for the lead's safeguarding settings (issue 3).

Only a lead (concern.configure) opens these screens, and always for the organisation they are
working in: Otto (Westbrook's lead) and Priya (Oakfield's lead) configure their own
organisations, so the organisation-wide pages answer them 200 too. A category that belongs to
Riverside is another organisation's record to them: 404, like a missing one. Deputies and
everyone else get 403. POSTs use stale versions or bad input where a success would change what
the next persona sees, so every persona meets the same state.
"""

from __future__ import annotations

import pytest

from conftest import actor_for
from safecase.concerns import config_actions
from safecase.concerns.models import Category
from safecase.demo.personas import DemoWorld
from tests.matrix import Endpoint, run_matrix

pytestmark = pytest.mark.django_db

LEADS = dict.fromkeys(("lead", "other_org", "primary_lead"), 200)
OTHER_LEADS_404 = {"other_org": 404, "primary_lead": 404}
STALE = {"version": 999}


def _leads(status: int) -> dict[str, int]:
    return dict.fromkeys(LEADS, status)


def _riverside_category(world: DemoWorld, suffix: str = "") -> str:
    category = Category.objects.get(organisation=world.organisations["secondary"])
    return f"/concerns/config/categories/{category.pk}/{suffix}"


def _shipped_category(world: DemoWorld, suffix: str) -> str:
    category = Category.objects.get(organisation__isnull=True, code="physical")
    return f"/concerns/config/categories/{category.pk}/{suffix}"


ENDPOINTS = [
    Endpoint("settings overview", "GET", lambda w: "/concerns/config/", 403, LEADS),
    Endpoint("categories", "GET", lambda w: "/concerns/config/categories/", 403, LEADS),
    Endpoint("triage timings", "GET", lambda w: "/concerns/config/timings/", 403, LEADS),
    Endpoint("level-of-need labels", "GET", lambda w: "/concerns/config/levels/", 403, LEADS),
    Endpoint("pattern rules", "GET", lambda w: "/concerns/config/patterns/", 403, LEADS),
    Endpoint(
        "edit a pattern rule",
        "GET",
        lambda w: "/concerns/config/patterns/same_adult/",
        403,
        LEADS,
    ),
    Endpoint(
        "add a category without a name",
        "POST",
        lambda w: "/concerns/config/categories/add/",
        403,
        _leads(422),
        data={"label": "", "version": 0},
    ),
    Endpoint(
        "rename Riverside's own category (form)",
        "GET",
        lambda w: _riverside_category(w, "rename/"),
        403,
        {"lead": 200, **OTHER_LEADS_404},
    ),
    Endpoint(
        "rename Riverside's own category from a stale form",
        "POST",
        lambda w: _riverside_category(w, "rename/"),
        403,
        {"lead": 409, **OTHER_LEADS_404},
        data={"label": "Renamed", **STALE},
    ),
    Endpoint(
        "retire Riverside's own category from a stale list",
        "POST",
        lambda w: _riverside_category(w, "retire/"),
        403,
        {"lead": 409, **OTHER_LEADS_404},
        data=STALE,
    ),
    Endpoint(
        "reinstate Riverside's own category from a stale list",
        "POST",
        lambda w: _riverside_category(w, "reinstate/"),
        403,
        {"lead": 409, **OTHER_LEADS_404},
        data=STALE,
    ),
    Endpoint(
        "move Riverside's own category from a stale list",
        "POST",
        lambda w: _riverside_category(w, "move/"),
        403,
        {"lead": 409, **OTHER_LEADS_404},
        data={"direction": "up", **STALE},
    ),
    # Shipped categories are in every organisation's list but never renamed.
    Endpoint(
        "rename a shipped category",
        "GET",
        lambda w: _shipped_category(w, "rename/"),
        403,
        _leads(404),
    ),
    Endpoint(
        "retire a shipped category from a stale list",
        "POST",
        lambda w: _shipped_category(w, "retire/"),
        403,
        _leads(409),
        data=STALE,
    ),
    Endpoint(
        "save triage timings",
        "POST",
        lambda w: "/concerns/config/timings/",
        403,
        _leads(302),
        data={"overdue_hours": 12, "escalate_hours": 24, "version": 0},
    ),
    Endpoint(
        "save triage timings out of bounds",
        "POST",
        lambda w: "/concerns/config/timings/",
        403,
        _leads(422),
        data={"overdue_hours": 0, "escalate_hours": 24, "version": 1},
    ),
    Endpoint(
        "save level-of-need labels with one missing",
        "POST",
        lambda w: "/concerns/config/levels/",
        403,
        _leads(422),
        data={"level_1": "Universal", "level_2": "", "level_3": "CIN", "level_4": "CP"},
    ),
    Endpoint(
        "save a pattern rule",
        "POST",
        lambda w: "/concerns/config/patterns/recurring_location/",
        403,
        _leads(302),
        data={"threshold": 4, "window_days": 14, "is_active": "on", "version": 0},
    ),
    Endpoint(
        "save a pattern rule from a stale form",
        "POST",
        lambda w: "/concerns/config/patterns/recurring_location/",
        403,
        _leads(409),
        data={"threshold": 5, "window_days": 14, **STALE},
    ),
]


def test_permission_matrix_for_the_safeguarding_settings(world: DemoWorld) -> None:
    config_actions.category_add(actor=actor_for(world, "lead"), label="Gang activity", version=0)
    assert run_matrix(world, ENDPOINTS) == []
