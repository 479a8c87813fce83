"""The daily loop in a real browser: a reporter records a concern on a phone-sized screen with a
body-map mark and a file; the lead triages it, links the child's record and sees the chronology.
axe-core checks each page of the journey."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from safecase.core.tests.test_files import png
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

CHILD = "Jamie Journey-Child"


def test_reporter_records_lead_triages_and_the_chronology_shows_it(
    context_as: Callable[..., Any],
) -> None:
    reporter = context_as(
        "reporter", viewport={"width": 375, "height": 800}, bypass_csp=True
    ).new_page()
    reporter.goto("/concerns/new/")
    _assert_no_blocking("/concerns/new/", _axe(reporter))
    reporter.get_by_label("Person 1: full name").fill(CHILD)
    reporter.get_by_label("Person 1: class, team or date of birth").fill("Year 8")
    reporter.get_by_label("Date it happened").fill("2026-11-20")
    reporter.get_by_label("Time (if known)").fill("10:15")
    reporter.get_by_label("Where it happened").fill("Playground by the bike shed")
    reporter.get_by_label("Physical abuse").check()
    reporter.get_by_label("What I saw or heard (facts only)").fill(
        "A purple bruise about 3 cm across on the left forearm."
    )
    reporter.get_by_label("Their own words, exactly as said").fill(
        "My step-dad grabbed me when I dropped the plate."
    )
    reporter.get_by_label("Mark 1: side").select_option("front")
    reporter.get_by_label("Mark 1: place on the body").select_option("left_forearm")
    reporter.get_by_label("Mark 1: what you saw (size, colour, shape)").fill("Purple, oval, 3 cm")
    reporter.get_by_label("Attach a file (optional)").set_input_files(
        {"name": "note.png", "mimeType": "image/png", "buffer": png(4, 4)}
    )
    width = reporter.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the form is {width}px wide on a 375px screen"
    reporter.get_by_role("button", name="Submit to the safeguarding lead").click()
    reporter.get_by_text("Your concern has been sent to the safeguarding lead").wait_for()
    assert reporter.get_by_text("Left forearm, front").is_visible()
    assert reporter.get_by_role("link", name="note.png").is_visible()

    lead = context_as("lead", bypass_csp=True).new_page()
    lead.goto("/concerns/queue/")
    _assert_no_blocking("/concerns/queue/", _axe(lead))
    lead.get_by_role("link", name=CHILD).first.click()
    _assert_no_blocking("triage form", _axe(lead))
    lead.get_by_label("Level of need").select_option("3")
    lead.get_by_label("Urgency (RAG)").select_option("amber")
    lead.get_by_label("Initial assessment of risk").fill("Possible physical harm at home.")
    lead.get_by_label("Refer externally").check()
    lead.get_by_label("Rationale (required)").fill(
        "Disclosure of physical harm by a parent: refer to children's social care today."
    )
    lead.get_by_role("button", name="Record decision").click()
    lead.get_by_text("Triage recorded.").wait_for()

    lead.goto("/people/new/")
    lead.get_by_label("Legal given names").fill("Jamie")
    lead.get_by_label("Legal family name").fill("Journey-Child")
    lead.get_by_role("button", name="Add person").click()
    lead.get_by_text("has been added").wait_for()
    lead.goto("/concerns/queue/")
    assert lead.get_by_role("link", name=CHILD).count() == 0  # triaged: off the queue
    lead.goto("/people/?q=Journey")
    lead.get_by_role("link", name="JOURNEY-CHILD, Jamie").click()
    person_url = lead.url
    # Link the name in the concern to the record, from the concern page.
    concern_link = reporter.url
    lead.goto(concern_link)
    lead.get_by_label(f"Person record for {CHILD}").select_option(label="JOURNEY-CHILD, Jamie")
    lead.get_by_role("button", name="Link").click()
    lead.get_by_text("Linked.").wait_for()
    lead.goto(person_url)
    _assert_no_blocking("person page", _axe(lead))
    assert lead.get_by_text("Triage decision", exact=True).is_visible()
    assert lead.locator("table").get_by_text("Physical abuse").first.is_visible()
