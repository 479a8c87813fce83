"""Sharing in a real browser, on a phone-sized screen: the lead of the secondary school makes a
chronology extract about a demo child and shares it with the police, consent not sought (the
form first refuses it without a reason); the police practitioner finds it under "Shared with
us" and opens it; the lead revokes the share and it is gone from the police's list at once.
Every page (and the refused form) passes axe-core (no serious or critical issue) and fits
375 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.support import path_of
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
TITLE = "Jamie's attendance, this term (e2e, synthetic)"


def _settled(page: Any, label: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label} is {width}px wide on a 375px screen"
    _assert_no_blocking(label, _axe(page))


def test_a_lead_shares_an_extract_with_the_police_and_revokes_it(
    context_as: Callable[..., Any],
) -> None:
    lead = context_as("lead", viewport=PHONE, bypass_csp=True).new_page()
    lead.goto("/people/?q=Example-Child")
    lead.get_by_role("link", name="EXAMPLE-CHILD, Jamie").first.click()
    lead.get_by_role("link", name="Share part of the chronology").click()
    _settled(lead, "make an extract")
    lead.get_by_label("Title of the extract").fill(TITLE)
    lead.locator("input[name=lines]").first.check()
    lead.get_by_role("button", name="Make the extract").click()
    lead.get_by_text("Extract made. Now choose who to share it with.").wait_for()
    _settled(lead, "share the extract")
    lead.get_by_label("Northshire Police", exact=True).check()
    lead.get_by_label("Purpose").fill("Police enquiry into neglect at home (synthetic).")
    lead.get_by_label("Consent not sought", exact=True).check()
    lead.get_by_role("button", name="Share", exact=True).click()
    lead.get_by_text("say why the information is shared anyway").first.wait_for()
    _settled(lead, "share refused without a reason")
    lead.get_by_label("Consent not sought", exact=True).check()
    lead.get_by_label("If consent was refused or not sought: why you are sharing anyway").fill(
        "Asking the parents could put Jamie at greater risk (synthetic)."
    )
    lead.get_by_role("button", name="Share", exact=True).click()
    lead.get_by_text("Shared with Northshire Police.").wait_for()
    _settled(lead, "the record of the disclosure")
    assert "Consent not sought" in lead.content()

    police = context_as("partner_with_share", viewport=PHONE, bypass_csp=True).new_page()
    police.goto("/sharing/received/")
    _settled(police, "shared with us")
    police.get_by_role("link", name=TITLE).click()
    assert path_of(police.url).startswith("/sharing/received/")
    _settled(police, "the shared extract")
    assert "Chronology lines" in police.content()

    lead.goto("/sharing/given/")
    _settled(lead, "shares we have given")
    lead.get_by_role("link", name=f"Revoke the share of {TITLE}").first.click()
    _settled(lead, "revoke the share")
    lead.get_by_label("Why you are ending this share").fill("The enquiry is closed (synthetic).")
    lead.get_by_role("button", name="Revoke the share").click()
    lead.get_by_text("Share revoked: it ended at once.").wait_for()

    police.goto("/sharing/received/")
    assert TITLE not in police.content()
