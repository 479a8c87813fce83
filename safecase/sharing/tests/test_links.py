"""The small "Share" links on the items' own pages: shown to those who may share, only."""

from __future__ import annotations

import pytest

from conftest import DemoWorld, client_for
from safecase.sharing.tests.helpers import build_scene

pytestmark = pytest.mark.django_db


def test_the_share_links_show_to_those_who_may_share(world: DemoWorld) -> None:
    scene = build_scene(world)
    pages = {
        f"/cases/{scene.case.pk}/": f"/sharing/share/case/{scene.case.pk}/",
        f"/cases/{scene.case.pk}/notes/": f"/sharing/share/case_note/{scene.note.pk}/",
        f"/cases/{scene.case.pk}/risk/history/": f"/sharing/share/risk_version/{scene.risk.pk}/",
        f"/concerns/{scene.concern.pk}/": f"/sharing/share/attachment/{scene.attachment.pk}/",
        f"/people/{scene.person.pk}/": f"/sharing/extracts/new/{scene.person.pk}/",
    }
    lead = client_for(world.users["lead"])
    worker = client_for(world.users["case_worker"])
    for page, link in pages.items():
        assert link in lead.get(page).content.decode(), page
        response = worker.get(page)
        assert response.status_code == 200, page
        assert "/sharing/share/" not in response.content.decode(), page
    concern_page = lead.get(f"/concerns/{scene.concern.pk}/").content.decode()
    assert f"/sharing/share/concern/{scene.concern.pk}/" in concern_page
    assert (
        f"/sharing/share/person/{scene.person.pk}/"
        in lead.get(f"/people/{scene.person.pk}/").content.decode()
    )
