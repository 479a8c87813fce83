"""The shared-with-us list, the shares-given list, the break-glass report and the read API cost
the same number of queries whatever the number of items on them."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import DemoWorld, actor_for, client_for
from safecase.accounts import auth_actions
from safecase.cases.tests.helpers import restricted_case
from safecase.sharing import actions
from safecase.sharing.tests.helpers import build_scene, share

pytestmark = pytest.mark.django_db

KINDS_SHARED = ("case_note", "risk_version", "chronology_extract", "person", "attachment")


def _share_scenes(world: DemoWorld, count: int) -> None:
    for n in range(count):
        scene = build_scene(world, given=f"Kid{n}")
        for kind in KINDS_SHARED:
            share(world, scene.item(kind), kind)


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session reads what later ones keep
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("partner_with_share", "/sharing/received/"),
        ("lead", "/sharing/given/"),
    ],
)
def test_the_sharing_lists_are_bounded(world: DemoWorld, persona: str, url: str) -> None:
    _share_scenes(world, 1)
    client = client_for(world.users[persona])
    small = _queries(client, url)
    _share_scenes(world, 4)
    assert _queries(client, url) == small


def test_the_read_api_is_bounded(world: DemoWorld) -> None:
    _share_scenes(world, 1)
    _, secret = auth_actions.api_token_create(
        actor=actor_for(world, "partner_with_share"), name="linked", days=30, with_mfa=True
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    # One query per extract on the page reads its lines: with one extract per scene the count
    # grows by that only.
    small = _queries(client, "/api/v1/sharing/shared")
    _share_scenes(world, 4)
    assert _queries(client, "/api/v1/sharing/shared") <= small + 4


def test_the_break_glass_report_is_bounded(world: DemoWorld) -> None:
    def open_some(n: int) -> None:
        for _ in range(n):
            actions.break_glass_open(
                actor=actor_for(world, "lead"),
                record=restricted_case(world),
                reason="The named people are away today (synthetic).",
                code_checked_at=time.time(),
            )

    open_some(1)
    client = client_for(world.users["auditor"])
    small = _queries(client, "/sharing/break-glass/")
    open_some(5)
    assert _queries(client, "/sharing/break-glass/") == small
