"""A case's whole cycle in a real browser, on a phone-sized screen: a reporter records a concern
about a teaching assistant; the lead triages it from the queue and opens an allegation case
from it; records a risk assessment, a police referral, an investigation with an interview, and
a decision with sanctions; the assistant appeals, the lead names an independent panel, and the
panel's chair varies the decision; the lead moves the case to learning and records the review.
Each step's result is checked on the page, and every page (and the decision's error state)
passes axe-core (no serious or critical issue) and fits 375 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.support import path_of, sign_in
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
CHILD = "Casey Cycle-Pupil"
ADULT = "Terry Example-Assistant"
TITLE = "Allegation against a teaching assistant (synthetic)"
# A demo member with the decision maker role who made no decision here (cases/decisions/demo.py):
# the appeal panel's chair records its outcome.
PANEL_CHAIR = ("governor.chair@demo.safecase.invalid", "Gwen Governor-Example")
PANEL_MEMBER = "Tariq Trustee-Example"


def _settled(page: Any, label: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label} is {width}px wide on a 375px screen"
    _assert_no_blocking(label, _axe(page))


def _tab(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Parts of the case").get_by_role(
        "link", name=name, exact=True
    ).click()


def _move(page: Any, to: str, reason: str, done: str) -> None:
    _tab(page, "Overview")
    page.get_by_role("link", name="Move the case on").click()
    _settled(page, f"stage form ({to})")
    page.get_by_label(to, exact=True).check()
    page.get_by_label("Reason for the move").fill(reason)
    page.get_by_role("button", name="Record the move").click()
    page.get_by_text(f"Case moved to {done}.").wait_for()
    _settled(page, f"case page (at {done})")


def _report_concern(context_as: Callable[..., Any]) -> None:
    reporter = context_as("reporter", viewport=PHONE, bypass_csp=True).new_page()
    reporter.goto("/concerns/new/")
    _settled(reporter, "/concerns/new/")
    reporter.get_by_label("Person 1: full name").fill(CHILD)
    reporter.get_by_label("Person 1: class, team or date of birth").fill("Year 9")
    reporter.get_by_label("Person 2: full name").fill(ADULT)
    reporter.get_by_label("Person 2: class, team or date of birth").fill("Teaching assistant")
    reporter.get_by_label("Person 2: involvement").select_option("alleged")
    reporter.get_by_label("Date it happened").fill(timezone.localdate().isoformat())
    reporter.get_by_label("Where it happened").fill("Science corridor")
    reporter.get_by_label("Physical abuse").check()
    reporter.get_by_label("What I saw or heard (facts only)").fill(
        "Casey came to me holding their wrist, red marks on it, after leaving the science lab."
    )
    reporter.get_by_label("Their own words, exactly as said").fill(
        "Mr Example-Assistant twisted my wrist when I wouldn't give him my phone."
    )
    reporter.get_by_role("button", name="Submit to the safeguarding lead").click()
    reporter.get_by_text("Your concern has been sent to the safeguarding lead").wait_for()
    _settled(reporter, "the reporter's concern page")


def test_the_lead_takes_a_case_from_concern_to_learning(
    context_as: Callable[..., Any], new_context: Callable[..., Any]
) -> None:
    _report_concern(context_as)
    page = context_as("lead", viewport=PHONE, bypass_csp=True).new_page()

    # Triage, and on to opening the case from the concern.
    page.goto("/concerns/queue/")
    _settled(page, "/concerns/queue/")
    page.get_by_role("link", name=CHILD).first.click()
    _settled(page, "triage form")
    page.get_by_label("Level of need").select_option("4")
    page.get_by_label("Urgency (RAG)").select_option("red")
    page.get_by_label("Initial assessment of risk").fill("A member of staff may have hurt Casey.")
    page.get_by_label("Open a case", exact=True).check()
    page.get_by_label("Rationale (required)").fill(
        "An allegation against a member of staff that may meet the harm threshold."
    )
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Triage recorded. Now open the case.").wait_for()
    assert path_of(page.url) == "/cases/new/"
    expect(page.get_by_text("It becomes the case's first concern.")).to_be_visible()
    _settled(page, "/cases/new/?concern=")
    page.get_by_label("Allegation against a person in a position of trust").check()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Why are you opening a case?").fill(
        "A pupil alleges a teaching assistant twisted their wrist: KCSIE Part 4 applies."
    )
    page.get_by_role("button", name="Open the case").click()
    page.get_by_text("opened. You are its lead.").wait_for()
    _settled(page, "case page")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Reporting")).to_be_visible()

    # Risk: the assessment, then its level in the case header on the next tab.
    _tab(page, "Risk")
    _settled(page, "risk tab")
    page.get_by_role("link", name="Record the risk assessment").click()
    _settled(page, "risk form")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _settled(page, "risk form (with errors)")
    page.get_by_label("Risk factors").fill("The assistant works with Casey's class every day.")
    page.get_by_label("Protective factors").fill("Casey told a teacher straight away.")
    page.get_by_role("group", name="Likelihood of harm").get_by_label("3 – moderate").check()
    page.get_by_role("group", name="Impact if it happens").get_by_label("4 – high").check()
    page.get_by_role("group", name="Overall level of risk").get_by_label("High").check()
    page.get_by_label("No unsupervised access to children").check()
    page.get_by_label("Next review").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_label("Why you are assessing the risk now").fill("A new allegation.")
    page.get_by_role("button", name="Record the assessment").click()
    page.get_by_text("Risk assessment recorded.").wait_for()
    _settled(page, "risk tab (assessed)")
    expect(page.get_by_text("High (likelihood 3 of 5, impact 4 of 5)")).to_be_visible()

    # Referral to the police, at the external referral stage.
    _move(
        page,
        "Move to external referral",
        "Reported to the police and the LADO.",
        "external referral",
    )
    current_risk = page.get_by_label("Current risk")
    expect(current_risk).to_contain_text("High")
    expect(current_risk).to_contain_text("No unsupervised access to children")
    _tab(page, "Referrals")
    _settled(page, "referrals tab")
    page.get_by_role("link", name="Record a referral").click()
    _settled(page, "referral form")
    page.get_by_label(re.compile(r"^\s*Police \(")).check()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Who you spoke to or wrote to").fill("PC Example-Officer")
    page.get_by_label("What you shared and asked").fill("Casey's account; is a crime alleged?")
    page.get_by_role("button", name="Record the referral").click()
    page.get_by_text("Referral recorded, with a follow-up task for you.").wait_for()
    _settled(page, "referrals tab (with a referral)")
    expect(page.get_by_role("heading", name=re.compile(r"^\s*Police – "))).to_be_visible()
    expect(page.get_by_text("PC Example-Officer")).to_be_visible()

    # The investigation and an interview.
    _move(
        page,
        "Move to internal investigation",
        "Police: no crime; school to investigate.",
        "internal investigation",
    )
    _tab(page, "Investigation")
    _settled(page, "investigation tab")
    page.get_by_role("link", name="Open the investigation").click()
    _settled(page, "investigation form")
    page.get_by_label("Terms of reference").fill("Did the assistant take hold of Casey's wrist?")
    page.get_by_label("Plan").fill("Interview Casey, the assistant and the lab technician.")
    page.get_by_label("Investigator").select_option(label="Cass Worker")
    page.get_by_label("Why is an investigation needed?").fill("The police will not act.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Investigation opened.").wait_for()
    _settled(page, "investigation tab (opened)")
    page.get_by_role("link", name="Record an interview").click()
    _settled(page, "interview form")
    page.get_by_label("Name of the person interviewed").fill("Lab technician (synthetic)")
    page.get_by_label("Witness", exact=True).check()
    page.get_by_label("When the interview was held").fill(
        timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Interviewed by").select_option(label="Cass Worker")
    page.get_by_label("Summary of what was said (fact)").fill(
        "Saw the assistant hold Casey's wrist while taking the phone."
    )
    page.get_by_role("button", name="Record the interview").click()
    page.get_by_text("Interview recorded.").wait_for()
    _settled(page, "investigation tab (with an interview)")
    expect(
        page.get_by_role("heading", name=re.compile(r"^\s*Lab technician \(synthetic\)"))
    ).to_be_visible()

    # The decision, with sanctions; first without a rationale.
    _move(
        page,
        "Move to decision and sanctions",
        "The investigation is complete.",
        "decision and sanctions",
    )
    _tab(page, "Decision and appeal")
    _settled(page, "decision tab")
    page.get_by_role("link", name="Record the decision").click()
    _settled(page, "decision form")
    page.get_by_label(re.compile(r"^\s*Substantiated")).check()
    page.get_by_label("Warning", exact=True).check()
    page.get_by_label("Detail of warning (optional)").fill("Final written warning, 12 months")
    page.get_by_label("Training", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _settled(page, "decision form (no rationale)")
    page.get_by_label("Rationale", exact=True).fill(
        "The technician saw it and the assistant accepts taking the phone: substantiated."
    )
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision 1 recorded.").wait_for()
    _settled(page, "decision tab (decided)")
    expect(page.get_by_text("Warning: Final written warning, 12 months")).to_be_visible()

    # The appeal: lodged, and an independent panel named.
    _move(page, "Move to appeal", "The assistant has appealed the warning.", "appeal")
    _tab(page, "Decision and appeal")
    page.get_by_role("link", name="Lodge an appeal").click()
    _settled(page, "appeal form")
    page.get_by_label("Or the appellant's name").fill(ADULT)
    page.get_by_label("Their role or relationship (optional)").fill("The teaching assistant")
    page.get_by_label("Grounds of appeal").fill(
        "A final warning is too harsh for a first incident."
    )
    page.get_by_role("button", name="Lodge the appeal").click()
    page.get_by_text("Appeal lodged. Next: set the panel and hearing.").wait_for()
    _settled(page, "decision tab (appeal lodged)")
    page.get_by_role("link", name="Set the panel and hearing").click()
    _settled(page, "panel form")
    expect(
        page.get_by_label("Lena Lead (made the decision under appeal: cannot sit)")
    ).to_be_visible()
    page.get_by_label(PANEL_CHAIR[1], exact=True).check()
    page.get_by_label(PANEL_MEMBER, exact=True).check()
    page.get_by_role("button", name="Save the panel and hearing").click()
    page.get_by_text("Appeal panel and hearing recorded.").wait_for()
    _settled(page, "decision tab (panel set)")
    panel = page.locator(".govuk-summary-list__row").filter(
        has=page.get_by_text("Panel", exact=True)
    )
    expect(panel).to_contain_text(PANEL_CHAIR[1])
    expect(panel).to_contain_text(PANEL_MEMBER)
    case_url = page.url

    # The panel's chair varies the decision.
    chair = new_context(viewport=PHONE, bypass_csp=True).new_page()
    sign_in(chair, PANEL_CHAIR[0])
    chair.goto(case_url)
    _settled(chair, "decision tab (the panel's chair)")
    chair.get_by_role("link", name="Record the appeal outcome").click()
    _settled(chair, "appeal outcome form")
    chair.get_by_role("radio", name=re.compile(r"^Varied:")).check()
    chair.get_by_label("The panel's reasons").fill("No earlier concern: a first warning is enough.")
    chair.get_by_label(re.compile(r"^\s*Substantiated")).check()
    chair.get_by_label("Warning", exact=True).check()
    chair.get_by_label("Detail of warning (optional)").fill("First written warning, 6 months")
    chair.get_by_label("Training", exact=True).check()
    chair.get_by_label("Varied decision: its rationale").fill(
        "Substantiated on the same evidence; a first written warning is proportionate."
    )
    chair.get_by_role("button", name="Record the outcome").click()
    chair.get_by_text("Appeal outcome recorded.").wait_for()
    _settled(chair, "decision tab (appeal varied)")
    expect(chair.get_by_text("Varied: the panel records a new decision")).to_be_visible()
    expect(chair.get_by_text("Warning: First written warning, 6 months")).to_be_visible()

    # Learning: the lead moves the case on and records the review.
    page.reload()
    expect(page.get_by_text("Decision 2 (made by the appeal panel)")).to_be_visible()
    _move(page, "Move to learning", "The appeal is decided.", "learning")
    _tab(page, "Learning")
    _settled(page, "learning tab")
    page.get_by_label("What went well").fill("Casey told a teacher, who recorded it at once.")
    page.get_by_label("What could be done better").fill("Phones were confiscated without a policy.")
    page.get_by_label("Why it happened").fill("No written rule on taking pupils' phones.")
    page.get_by_label("Facilitated by").fill("Lena Lead")
    page.get_by_label("Date held").fill(timezone.localdate().isoformat())
    page.get_by_label("Policy and procedure").check()
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("Learning review saved.").wait_for()
    _settled(page, "learning tab (reviewed)")
    expect(
        page.get_by_role("definition").filter(has_text="No written rule on taking pupils' phones.")
    ).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Policy and procedure")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Learning")).to_be_visible()
