"""A child's safeguarding file moves school in a real browser, on a phone-sized screen: Riverside's
lead sends it to Oakfield Primary; Oakfield's lead finds it on the home page and in the inbox,
opens it and accepts it onto a new person; the received file is read-only; Riverside's lead sees
receipt confirmed. Every page passes axe-core (no serious or critical issue) and fits 375 px.

Issue 5's "Done means" walks the same from Riverside's person page (its "Send their file" link)
for a child whose file was not sent yet, and checks both sides' lists and the sender's receipt."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import REPO_ROOT, _server_env
from tests.e2e.support import Server, path_of
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
REASON = "Joined Oakfield Primary School this week: an in-year move (synthetic)."
UUID = r"[0-9a-f-]{36}"


def _settled(page: Any, label: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label} is {width}px wide on a 375px screen"
    _assert_no_blocking(label, _axe(page))


def test_a_file_moves_school_with_receipt_confirmed(context_as: Callable[..., Any]) -> None:
    lead = context_as("lead", viewport=PHONE, bypass_csp=True).new_page()
    lead.goto("/people/")
    link = lead.locator("main a[href^='/people/']").filter(has_not_text="Add").first
    href = link.get_attribute("href")
    assert href and re.fullmatch(rf"/people/{UUID}/", href), href
    person_id = href.split("/")[2]

    lead.goto(f"/transfers/send/{person_id}/")
    _settled(lead, "send page")
    lead.get_by_role("button", name="Send the file").click()
    lead.get_by_text("There is a problem").wait_for()
    _settled(lead, "send page with errors")
    lead.get_by_label("The organisation the person is moving to").select_option(
        label="Oakfield Primary School"
    )
    lead.get_by_label("Why the file is going").fill(REASON)
    lead.get_by_role("button", name="Send the file").click()
    lead.get_by_text("The file was sent to Oakfield Primary School.").wait_for()
    assert re.fullmatch(rf"/transfers/sent/{UUID}/", path_of(lead.url)), lead.url
    sent_url = path_of(lead.url)
    assert lead.get_by_text("Waiting for the receiver").count() >= 1
    _settled(lead, "sent file page")

    primary = context_as("primary_lead", viewport=PHONE, bypass_csp=True).new_page()
    primary.goto("/")
    primary.get_by_text("Safeguarding files sent to you").wait_for()
    primary.goto("/transfers/received/")
    _settled(primary, "inbox")
    primary.locator("main table a").first.click()
    primary.get_by_role("heading", name="Accept the file").wait_for()
    _settled(primary, "received file page")
    primary.get_by_label("Add them as a new person from the file").check()
    primary.get_by_role("button", name="Accept and confirm receipt").click()
    primary.get_by_text("receipt is confirmed to the sender").wait_for()
    assert re.fullmatch(rf"/transfers/files/{UUID}/", path_of(primary.url)), primary.url
    assert primary.get_by_text("read-only").count() >= 1
    _settled(primary, "received file")

    lead.goto(sent_url)
    assert lead.get_by_text("Accepted: receipt confirmed").count() >= 1
    _settled(lead, "sent file, receipt confirmed")


def test_the_one_time_download_page_is_accessible(new_context: Callable[..., Any]) -> None:
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    page.goto("/transfers/download/not-a-real-token/")
    page.get_by_text("This link does not work").wait_for()
    _settled(page, "dead download link")


# --- Issue 5's "Done means", the transfer half, from the person page ---------------------------

MOVER = ("Casey", "E2e-Mover")
MOVER_SETUP = f"""
from safecase.demo.personas import build_demo_world
from safecase.partnerships.demo import actor_of
from safecase.people import actions
from safecase.people.models import Person
world = build_demo_world()
if not Person.objects.filter(family_name={MOVER[1]!r}).exists():
    actions.person_create(actor=actor_of(world, "lead"), kind="child",
                          given_names={MOVER[0]!r}, family_name={MOVER[1]!r})
"""


@pytest.fixture
def mover(server: Server) -> str:
    """A child of Riverside's whose file has not been sent, made in the server's database."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", MOVER_SETUP],
        cwd=REPO_ROOT,
        env=_server_env(server.database_url),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return " ".join(MOVER)


def test_the_child_moves_school_from_the_person_page(
    mover: str, context_as: Callable[..., Any]
) -> None:
    lead = context_as("lead", viewport=PHONE, bypass_csp=True).new_page()
    lead.goto(f"/people/?q={MOVER[1]}")
    lead.locator("main a", has_text=f"{MOVER[1].upper()}, {MOVER[0]}").first.click()
    lead.get_by_role("heading", name=mover).wait_for()
    person_url = path_of(lead.url)
    _settled(lead, "person page")
    lead.get_by_role("link", name="Send their file to a new school or organisation").click()
    assert path_of(lead.url) == person_url.replace("/people/", "/transfers/send/"), lead.url
    lead.get_by_label("The organisation the person is moving to").select_option(
        label="Oakfield Primary School"
    )
    lead.get_by_label("Why the file is going").fill(f"{mover} joined Oakfield Primary (synthetic).")
    lead.get_by_role("button", name="Send the file").click()
    lead.get_by_text("The file was sent to Oakfield Primary School.").wait_for()
    sent_url = path_of(lead.url)
    assert re.fullmatch(rf"/transfers/sent/{UUID}/", sent_url), lead.url
    assert lead.get_by_text("Waiting for the receiver").count() >= 1

    primary = context_as("primary_lead", viewport=PHONE, bypass_csp=True).new_page()
    primary.goto("/transfers/received/")
    _settled(primary, "received files (inbox)")
    row = primary.locator("main table tr", has_text=mover)
    assert row.count() == 1, row.all_inner_texts()
    assert "Waiting for the receiver" in row.inner_text()
    row.get_by_role("link", name=mover).click()
    primary.get_by_role("heading", name="Accept the file").wait_for()
    _settled(primary, "received file, opened")
    primary.get_by_label("Add them as a new person from the file").check()
    primary.get_by_role("button", name="Accept and confirm receipt").click()
    primary.get_by_text("receipt is confirmed to the sender").wait_for()
    _settled(primary, "received file, accepted")
    primary.goto("/transfers/received/")
    assert "Accepted" in primary.locator("main table tr", has_text=mover).inner_text()

    lead.goto(sent_url)
    rows = lead.locator("dl .govuk-summary-list__row")
    status = rows.filter(has=lead.locator("dt", has_text="Status")).inner_text()
    assert "Accepted: receipt confirmed" in status, status
    receipt = rows.filter(has=lead.locator("dt", has_text="Receipt confirmed")).inner_text()
    assert re.search(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}", receipt), receipt
    _settled(lead, "sent file, accepted with receipt")
    lead.goto("/transfers/sent/")
    assert "Accepted" in lead.locator("main table tr", has_text=mover).inner_text()
    _settled(lead, "sent files (outbox)")
