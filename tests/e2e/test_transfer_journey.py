"""A child's safeguarding file moves school in a real browser, on a phone-sized screen: Riverside's
lead sends it to Oakfield Primary; Oakfield's lead finds it on the home page and in the inbox,
opens it and accepts it onto a new person; the received file is read-only; Riverside's lead sees
receipt confirmed. Every page passes axe-core (no serious or critical issue) and fits 375 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.support import path_of
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
