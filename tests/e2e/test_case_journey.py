"""Cases in a real browser, on a phone-sized screen: the lead opens a case from the list, moves
it on and allocates it; the demo allegation against the coach is on its way to the LADO; every
page and error state passes axe-core (no serious or critical issue) and fits 375 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def _settled(page: Any, label: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label} is {width}px wide on a 375px screen"
    _assert_no_blocking(label, _axe(page))


def test_the_lead_opens_moves_and_allocates_a_case(context_as: Callable[..., Any]) -> None:
    page = context_as("lead", viewport=PHONE, bypass_csp=True).new_page()
    page.goto("/cases/")
    _settled(page, "/cases/")
    expect(page.get_by_text("Allegation against the after-school football coach")).to_be_visible()

    page.get_by_role("link", name="Open a case").click()
    _settled(page, "/cases/new/")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _settled(page, "/cases/new/ (with errors)")

    page.get_by_label("Early help").check()
    page.get_by_label("Title").fill("Riley Sample-Pupil: young carer support (synthetic)")
    page.get_by_label("Why are you opening a case?").fill(
        "Riley is caring for Mum most nights; early help agreed with the family."
    )
    page.get_by_role("button", name="Open the case").click()
    page.get_by_text("opened. You are its lead.").wait_for()
    _settled(page, "case page")

    page.get_by_role("link", name="Move the case on").click()
    _settled(page, "stage form")
    page.get_by_role("button", name="Record the move").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _settled(page, "stage form (with errors)")
    page.get_by_label("Close the case").check()
    page.get_by_label("Reason for the move").fill("Support in place; young carers service.")
    page.get_by_role("button", name="Record the move").click()
    page.get_by_text("Case moved to closed.").wait_for()
    expect(page.get_by_text("Reporting to closed")).to_be_visible()

    # The page's own back link (at 375 px the header's "Cases" is behind the menu button).
    page.locator(".govuk-back-link", has_text="Cases").click()
    allegation = page.get_by_role("row").filter(has_text="after-school football coach")
    allegation.get_by_role("link").click()
    page.get_by_role("link", name="Allocate").click()
    _settled(page, "allocate form")
    page.get_by_label("Who").select_option(label="Dev Deputy")
    page.get_by_label("Case management group").check()
    page.get_by_label("Reason").fill("Dev sits on the case management group for staff cases.")
    page.get_by_role("button", name="Record the allocation").click()
    page.get_by_text("Allocation recorded.").wait_for()
    expect(page.get_by_text("Dev Deputy", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mark Example-Coach")).to_be_visible()


def test_the_caseload_page_is_accessible(context_as: Callable[..., Any]) -> None:
    page = context_as("lead", viewport=PHONE, bypass_csp=True).new_page()
    page.goto("/cases/caseload/")
    _settled(page, "/cases/caseload/")
    expect(page.get_by_role("cell", name="Lena Lead")).to_be_visible()
