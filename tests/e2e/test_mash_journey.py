"""The MASH in a real browser (issue 5): the school's lead refers a child to the hub, sending
the child's record; hub staff rate the referral red and request information from the police
and health; a police user and a health user each answer their own section; hub staff see both
and decide; the school's lead sees the decision. Every page passes axe-core (no serious or
critical issue).

The demo command does not build the hub yet (the integrator wires build_demo_hub into it), so
the hub's settings and the child are made here, in the server's database, through the real
actions."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import REPO_ROOT, _server_env
from tests.e2e.support import Server
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
CHILD = ("Alex", "E2e-Hubchild")
SETUP = f"""
from safecase.demo.personas import build_demo_world
from safecase.partnerships.demo import actor_of, build_demo_hub_settings
from safecase.people import actions
from safecase.people.models import Person
world = build_demo_world()
build_demo_hub_settings(world)
if not Person.objects.filter(family_name={CHILD[1]!r}).exists():
    actions.person_create(actor=actor_of(world, "lead"), kind="child",
                          given_names={CHILD[0]!r}, family_name={CHILD[1]!r})
"""


@pytest.fixture
def hub_ready(server: Server) -> Server:
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=REPO_ROOT,
        env=_server_env(server.database_url),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return server


def _checked(page: Any, label: str) -> None:
    page.wait_for_load_state("networkidle")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label} is {width}px wide on a 375px screen"
    _assert_no_blocking(label, _axe(page))


def test_mash_journey(hub_ready: Server, context_as: Callable[..., Any]) -> None:
    lead = context_as("lead", viewport=PHONE, bypass_csp=True).new_page()
    lead.goto("/hub/refer/")
    _checked(lead, "refer form")
    lead.get_by_label("Who the referral is about").fill(" ".join(CHILD))
    lead.get_by_label("What the hub needs to know").fill(
        "Alex (synthetic) has bruises and says an adult at home hurt them."
    )
    lead.get_by_label("Person to send").select_option(label=" ".join(CHILD))
    lead.get_by_label("Consent not sought").check()
    lead.get_by_label("If consent was refused or not sought: why share anyway").fill(
        "Seeking consent could increase the risk to the child."
    )
    lead.get_by_role("button", name="Send the referral").click()
    lead.get_by_text("Referral sent to the hub.").wait_for()
    _checked(lead, "referral page (referrer)")

    hub = context_as("hub", viewport=PHONE, bypass_csp=True).new_page()
    hub.goto("/hub/")
    _checked(hub, "hub queue")
    hub.get_by_role("link", name=" ".join(CHILD)).first.click()
    hub.get_by_role("link", name="Rate").click()
    _checked(hub, "rate form")
    hub.get_by_label("Red", exact=True).check()
    hub.get_by_label("Why this rating").fill("Disclosure of physical harm at home.")
    hub.get_by_role("button", name="Save the rating").click()
    hub.get_by_text("Rating recorded.").wait_for()
    hub.get_by_role("link", name="Request information").click()
    _checked(hub, "request form")
    hub.get_by_label("Northshire Police (Police)").check()
    hub.get_by_label("Northshire Health Trust (Health)").check()
    hub.get_by_label("What the hub asks").fill("What do you know of Alex and the household?")
    hub.get_by_role("button", name="Send the requests").click()
    hub.get_by_text("2 request(s) sent.").wait_for()
    _checked(hub, "referral page (hub, waiting)")
    referral_url = hub.url

    for persona, answer in (
        ("partner_with_share", "Police: a caution for the mother's partner (synthetic)."),
        ("partner_without", "Health: missed immunisations (synthetic)."),
    ):
        agency = context_as(persona, viewport=PHONE, bypass_csp=True).new_page()
        agency.goto("/")
        agency.get_by_role("link", name=" ".join(CHILD)).first.click()
        _checked(agency, f"answer form ({persona})")
        agency.get_by_label("What your agency knows").fill(answer)
        agency.get_by_role("button", name="Send our answer").click()
        agency.get_by_text("Answer sent to the hub.").wait_for()
        _checked(agency, f"section answered ({persona})")

    hub.goto(referral_url)
    hub.get_by_text("Police: a caution").wait_for()
    hub.get_by_text("Health: missed immunisations").wait_for()
    hub.get_by_role("link", name="Decide").click()
    _checked(hub, "decision form")
    hub.get_by_label("Strategy discussion / child protection enquiry (s47)").check()
    hub.get_by_label("Rationale").fill("Harm disclosed; police information: strategy discussion.")
    hub.get_by_role("button", name="Record the decision").click()
    hub.get_by_text("Decision recorded").wait_for()
    _checked(hub, "referral page (hub, decided)")

    lead.goto("/hub/our-referrals/")
    _checked(lead, "our referrals")
    row = lead.get_by_role("row").filter(has_text=" ".join(CHILD))
    row.get_by_text("Strategy discussion").wait_for()
    row.get_by_role("link", name=" ".join(CHILD)).click()
    lead.get_by_text("Harm disclosed; police information").wait_for()
    assert lead.get_by_text("Police: a caution").count() == 0
    _checked(lead, "referral page (referrer, decided)")
