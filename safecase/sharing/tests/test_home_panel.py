"""The home page shows the police practitioner what was shared with them (Integration,
model 1), and costs nothing where nothing was ever shared in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import DemoWorld, actor_for, client_for
from safecase.sharing import selectors
from safecase.sharing.tests.helpers import SHARED_FACT, build_scene, share

pytestmark = pytest.mark.django_db


def test_the_police_home_lists_what_was_shared(world: DemoWorld) -> None:
    scene = build_scene(world)
    grant = share(world, scene.note, "case_note")
    home = client_for(world.users["partner_with_share"]).get("/").content.decode()
    assert f"/sharing/received/{grant.pk}/" in home
    assert SHARED_FACT not in home  # the title only, never the narrative
    health = client_for(world.users["partner_without"]).get("/").content.decode()
    # The navigation always links to the (empty) list; the panel, and its items, only when
    # something was shared in.
    assert (
        "/sharing/received/" in health
        and '<h2 class="govuk-heading-m">Shared with us' not in health
    )


def test_no_query_where_nothing_was_shared_in(world: DemoWorld) -> None:
    actor = actor_for(world, "partner_without")
    with CaptureQueriesContext(connection) as captured:
        assert selectors.home_panel(actor)["rows"] == []
    assert len(captured.captured_queries) == 0
