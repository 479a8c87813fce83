"""The organisation administrator's webhook pages in a real browser at phone width: add an
endpoint (an error first), see the secret once, open the endpoint, send a test event and see it
in the delivery log; axe-core finds no serious or critical issue on any of those states and the
pages never scroll sideways at 375 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.support import path_of
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def _check(page: Any, label: str) -> None:
    _assert_no_blocking(label, _axe(page))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label}: {width}px wide at {PHONE['width']}px"


def test_an_administrator_adds_an_endpoint_and_sends_a_test_event(
    context_as: Callable[..., Any],
) -> None:
    page = context_as("org_admin", bypass_csp=True, viewport=PHONE).new_page()
    page.goto("/webhooks/")
    _check(page, "/webhooks/")
    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_label("URL").fill("http://hooks.riverside.example.org/safecase")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("https://")
    _check(page, "/webhooks/new/ (with errors)")
    page.get_by_label("URL").fill("https://hooks.riverside.example.org/safecase")
    page.get_by_label("The hub decides a referral (referral.decided)").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("code.sc-secret")
    expect(secret).to_contain_text("whsec_")
    shown = secret.inner_text()
    _check(page, "endpoint added (secret shown once)")
    page.get_by_role("link", name="Go to the endpoint and its delivery log").click()
    assert path_of(page.url).startswith("/webhooks/")
    assert shown not in page.content()
    _check(page, "endpoint page")
    page.get_by_role("button", name="Send a test event").click()
    expect(page.locator("table")).to_contain_text("webhook.ping")
    _check(page, "endpoint page with a delivery")
