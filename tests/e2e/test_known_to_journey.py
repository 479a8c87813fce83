"""The known-to check in chromium: Hana Hub (the MASH) asks about a child by NHS number and
reads the answer; both pages, the error state and the contact page have no serious axe-core
issue, and work at 375 px wide.

The demo command builds the known-to demo once the integrator wires build_demo_known_to in;
until then the answer may be "Not known", and the test accepts either heading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.support import path_of
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser


def test_hub_staff_ask_whether_a_child_is_known_to_partners(
    context_as: Callable[..., Any],
) -> None:
    context = context_as("hub", bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto("/known-to/")
    expect(
        page.get_by_role("heading", name="Is this person known to our partners?")
    ).to_be_visible()
    _assert_no_blocking("/known-to/", _axe(page))
    # A mistyped NHS number: the error summary and the field's message, nothing recorded.
    page.get_by_label("NHS number (optional)").fill("943 476 5918")
    page.get_by_label("Why are you asking?").fill("Screening a MASH referral (synthetic).")
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("not a valid NHS number")
    _assert_no_blocking("/known-to/ (with errors)", _axe(page))
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    assert path_of(page.url).startswith("/known-to/checks/")
    answer = page.locator("#known-to-answer")
    expect(answer).to_be_visible()
    text = answer.inner_text()
    assert "Known to" in text or "Not known to any partner organisation" in text
    expect(page.get_by_text("is not proof that no partner knows this person")).to_be_visible()
    # Nothing sticks out sideways on a small phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _assert_no_blocking(path_of(page.url), _axe(page))


def test_the_contact_page_has_no_serious_accessibility_issue(
    context_as: Callable[..., Any],
) -> None:
    page = context_as("lead", bypass_csp=True).new_page()
    response = page.goto("/known-to/contact/")
    assert response is not None and response.status == 200
    _assert_no_blocking("/known-to/contact/", _axe(page))
