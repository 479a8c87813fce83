"""The lead's safeguarding settings, notifications, step-up before a download and the sign-in
lockout page, in a real browser, with axe-core on every state a person can reach (no serious or
critical issue), error states included.

Everything is made through the pages, as a person would, except the one account a step-up needs:
demo personas skip MFA while SAFECASE_DEMO=1 (so they are never asked to step up), and an
invitation e-mail needs a task worker, so that account is made with the real actions
(``member_invite``, ``auth_password_set``) by ``manage.py shell`` against the server's database.
Its authenticator is then set up through the enrolment page, and every code is computed from the
key that page shows.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from safecase.demo.personas import persona_email
from tests.e2e.conftest import REPO_ROOT, _server_env
from tests.e2e.support import Server, path_of, persona, sign_in
from tests.e2e.test_accessibility import _assert_no_blocking, _axe

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
ORGANISATION = persona("lead").organisation  # Riverside Academy, where the demo children are
LOGIN_FAILURE_LIMIT = 5  # the server runs with the default SAFECASE_LOGIN_FAILURE_LIMIT


# --- Helpers ----------------------------------------------------------------------------------


def _check(page: Any, label: str) -> None:
    """axe on the page as it is now."""
    _assert_no_blocking(label, _axe(page))


def _fits(page: Any, width: int, label: str) -> None:
    # Measured once the page has settled (styles, fonts and scripts loaded). Two of four full
    # PostgreSQL e2e runs found the person page 7 px too wide here, two did not, and a run that
    # listed the elements past the edge found none: a mid-load measurement is the suspect.
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{label} is {scroll}px wide on a {width}px screen"


def _submit(page: Any, button: str) -> int:
    """Press a form's button and return the status the server answered the POST with."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    return int(posted.value.status)


def _expect_error_summary(page: Any, errors: dict[str, str]) -> None:
    """The GOV.UK error summary: shown, focused when the page opens (GOV.UK Frontend does it),
    one link per field error to that field, and the first link moves focus to its field."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: "), page.title()
    for field_id, message in errors.items():
        link = summary.locator(f'a[href="#{field_id}"]')
        expect(link).to_have_count(1)
        expect(link).to_contain_text(message)
        expect(page.locator(f"#{field_id}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field_id}_error")).to_contain_text(message)
    first = next(iter(errors))
    summary.locator(f'a[href="#{first}"]').click()
    expect(page.locator(f"#{first}")).to_be_focused()


def _values(page: Any, ids: list[str]) -> dict[str, str]:
    return {field_id: page.locator(f"#{field_id}").input_value() for field_id in ids}


def _lead(context_as: Callable[..., Any], **options: Any) -> Any:
    return context_as("lead", bypass_csp=True, **options).new_page()


# --- 1. The lead's safeguarding settings --------------------------------------------------------

SETTINGS_PAGES = [
    "/concerns/config/",
    "/concerns/config/categories/",
    "/concerns/config/timings/",
    "/concerns/config/levels/",
    "/concerns/config/patterns/",
    "/concerns/config/patterns/repeated_person/",
    "/concerns/config/patterns/rising_severity/",
    "/concerns/config/patterns/same_adult/",
    "/concerns/config/patterns/recurring_location/",
]


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_settings_page_has_no_serious_accessibility_issue(
    path: str, context_as: Callable[..., Any]
) -> None:
    page = _lead(context_as)
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response}"
    assert path_of(page.url) == path
    _check(page, path)


def test_the_settings_page_leads_to_each_setting(context_as: Callable[..., Any]) -> None:
    page = _lead(context_as)
    page.goto("/")
    page.get_by_role("link", name="Safeguarding settings", exact=True).click()
    assert path_of(page.url) == "/concerns/config/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding settings")
    for link, path, heading in (
        ("Change concern categories", "/concerns/config/categories/", "Concern categories"),
        ("Change triage timings", "/concerns/config/timings/", "Triage timings"),
        ("Change level-of-need labels", "/concerns/config/levels/", "Levels of need"),
        ("Change pattern alerts", "/concerns/config/patterns/", "Pattern alerts"),
    ):
        page.get_by_role("link", name=link, exact=True).click()
        assert path_of(page.url) == path
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.go_back()
        assert path_of(page.url) == "/concerns/config/"


def test_timings_with_a_missing_and_a_fractional_number_save_nothing(
    context_as: Callable[..., Any],
) -> None:
    page = _lead(context_as)
    fields = ["id_overdue_hours", "id_escalate_hours"]
    page.goto("/concerns/config/timings/")
    before = _values(page, fields)
    assert all(v.isdigit() for v in before.values()), before
    page.goto("/concerns/config/")
    summary_before = page.locator("main dl").inner_text()

    page.goto("/concerns/config/timings/")
    page.get_by_label("Overdue after (hours)").fill("")
    page.get_by_label("Escalated to the deputies after (hours)").fill("1.5")
    assert _submit(page, "Save timings") == 422
    _expect_error_summary(
        page,
        {"id_overdue_hours": "Enter a number of hours.", "id_escalate_hours": "Enter a whole"},
    )
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)
    _check(page, "/concerns/config/timings/ (with errors)")

    page.goto("/concerns/config/timings/")
    assert _values(page, fields) == before
    page.goto("/concerns/config/")
    assert page.locator("main dl").inner_text() == summary_before


def test_level_labels_with_one_left_empty_save_nothing(context_as: Callable[..., Any]) -> None:
    page = _lead(context_as)
    fields = [f"id_level_{level}" for level in (1, 2, 3, 4)]
    page.goto("/concerns/config/levels/")
    before = _values(page, fields)
    assert all(before.values()), before

    page.get_by_label("Level 1", exact=True).fill("Universal: needs met by everyday services")
    page.get_by_label("Level 2", exact=True).fill("")
    assert _submit(page, "Save labels") == 422
    _expect_error_summary(page, {"id_level_2": "Give level 2 a label"})
    # What was typed is kept, so nothing has to be typed again.
    assert page.locator("#id_level_1").input_value() == "Universal: needs met by everyday services"
    _check(page, "/concerns/config/levels/ (with errors)")

    page.goto("/concerns/config/levels/")
    assert _values(page, fields) == before


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "375px"])
def test_a_pattern_rule_with_bad_numbers_saves_nothing(
    viewport: dict[str, int] | None, context_as: Callable[..., Any]
) -> None:
    page = _lead(context_as, **({"viewport": viewport} if viewport else {}))
    fields = ["id_threshold", "id_window_days"]
    path = "/concerns/config/patterns/same_adult/"
    page.goto("/concerns/config/patterns/")
    rules_before = page.locator("table").inner_text()
    page.goto(path)
    before = _values(page, fields)
    active_before = page.get_by_label("Watch for this pattern").is_checked()

    page.get_by_label("How many make a pattern").fill("")
    page.get_by_label("Within how many days").fill("2.5")
    assert _submit(page, "Save rule") == 422
    _expect_error_summary(
        page,
        {"id_threshold": "Enter how many make a pattern.", "id_window_days": "Enter a whole"},
    )
    _check(page, f"{path} (with errors)")
    if viewport:
        _fits(page, viewport["width"], f"{path} with errors")

    page.goto(path)
    assert _values(page, fields) == before
    assert page.get_by_label("Watch for this pattern").is_checked() == active_before
    page.goto("/concerns/config/patterns/")
    assert page.locator("table").inner_text() == rules_before


def test_a_pattern_rule_out_of_bounds_saves_nothing(context_as: Callable[..., Any]) -> None:
    """A whole number the rule does not allow: the action's own message, on its field."""
    page = _lead(context_as)
    path = "/concerns/config/patterns/rising_severity/"
    page.goto(path)
    before = _values(page, ["id_threshold", "id_window_days"])
    page.get_by_label("How many make a pattern").fill("9")
    assert _submit(page, "Save rule") == 422
    _expect_error_summary(page, {"id_threshold": "Enter how many make a pattern: a whole number"})
    _check(page, f"{path} (out of bounds)")
    page.goto(path)
    assert _values(page, ["id_threshold", "id_window_days"]) == before


def _category_rows(page: Any) -> list[str]:
    return [
        " ".join(row.split())
        for row in page.locator("table tbody tr td:first-child").all_inner_texts()
    ]


def test_categories_add_and_rename_errors_save_nothing(context_as: Callable[..., Any]) -> None:
    page = _lead(context_as)
    page.goto("/concerns/config/categories/")
    rows_before = _category_rows(page)
    assert rows_before, "no categories listed"

    # Adding one without a name.
    assert _submit(page, "Add category") == 422
    _expect_error_summary(page, {"id_label": "Give the new category a name."})
    _check(page, "/concerns/config/categories/ (add, with errors)")
    page.goto("/concerns/config/categories/")
    assert _category_rows(page) == rows_before

    # An own category (only those can be renamed), renamed to nothing, then retired again so
    # that recorders' list is as it was.
    label = f"Online safety e2e {secrets.token_hex(3)}"
    page.get_by_label("Add a category of your own").fill(label)
    page.get_by_role("button", name="Add category", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"“{label}” added.")
    rows_with_own = _category_rows(page)
    assert rows_with_own == [*rows_before, f"{label} Your own"]

    page.get_by_role("link", name=f"Rename {label}", exact=True).click()
    _check(page, "rename a category")
    page.get_by_label("New name").fill("  ")
    assert _submit(page, "Save name") == 422
    _expect_error_summary(page, {"id_label": "Give the category a name"})
    _check(page, "rename a category (with errors)")
    page.goto("/concerns/config/categories/")
    assert _category_rows(page) == rows_with_own

    page.get_by_role("button", name=f"Retire {label}", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"“{label}” retired")
    row = page.locator("table tbody tr").filter(has_text=label)
    expect(row.locator(".govuk-tag")).to_have_text("Retired")


# --- 2. Notifications ---------------------------------------------------------------------------

RECIPIENT = "case_worker"  # told of nothing by the demo data or by the other browser tests
RECIPIENT_NAME = "Cass Worker"


def _badge(page: Any) -> Any:
    return page.locator("header").get_by_role("link", name=re.compile(r"^Notifications \("))


def _set_action_for_recipient(lead: Any, concern_url: str, description: str) -> None:
    lead.goto(concern_url)
    lead.get_by_label("What needs doing").fill(description)
    lead.get_by_label("Who will do it").select_option(label=RECIPIENT_NAME)
    lead.get_by_label("By when").fill((datetime.now(UTC).date() + timedelta(days=7)).isoformat())
    lead.get_by_role("button", name="Set action", exact=True).click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Action set.")


def test_notifications_list_mark_one_and_all_read(context_as: Callable[..., Any]) -> None:
    page = context_as(RECIPIENT, bypass_csp=True).new_page()
    page.goto("/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("main")).to_contain_text("You have no notifications.")
    expect(_badge(page)).to_have_text("Notifications (0 unread)")
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    _check(page, "/notifications/ (none)")

    # The lead sets two actions for them: each tells them, through notify().
    lead = _lead(context_as)
    lead.goto("/concerns/queue/")
    triage = lead.get_by_role("link", name="Jamie Example-Child").first.get_attribute("href")
    assert triage and triage.endswith("/triage/"), triage
    concern_url = triage.removesuffix("triage/")
    _set_action_for_recipient(lead, concern_url, "Speak to Jamie's form tutor")
    _set_action_for_recipient(lead, concern_url, "Check Jamie's attendance this term")

    page.goto("/")
    expect(_badge(page)).to_have_text("Notifications (2 unread)")
    _badge(page).click()
    assert path_of(page.url) == "/notifications/"
    cards = page.locator("main li.govuk-summary-card")
    expect(cards).to_have_count(2)
    expect(cards.locator(".govuk-tag")).to_have_text(["Unread", "Unread"])
    expect(cards.locator(".govuk-summary-card__title")).to_contain_text(
        ["Action set for you", "Action set for you"]
    )
    # They say that something waits, never what it is.
    main_text = page.locator("main").inner_text()
    assert "Jamie" not in main_text and "attendance" not in main_text
    _check(page, "/notifications/ (two unread)")

    # Mark the newest read.
    cards.first.get_by_role("button", name=re.compile(r"^Mark as read")).click()
    assert path_of(page.url) == "/notifications/"
    expect(_badge(page)).to_have_text("Notifications (1 unread)")
    expect(cards.locator(".govuk-tag")).to_have_text(["Read", "Unread"])
    expect(cards.first.get_by_role("button", name=re.compile(r"^Mark as read"))).to_have_count(0)
    _check(page, "/notifications/ (one read)")

    page.get_by_role("link", name="Unread only", exact=True).click()
    expect(cards).to_have_count(1)
    expect(cards.locator(".govuk-tag")).to_have_text(["Unread"])
    _check(page, "/notifications/?show=unread (one unread)")

    # Mark all read, from the unread view: it stays there, and is empty.
    page.get_by_role("button", name="Mark all as read", exact=True).click()
    assert page.url.endswith("/notifications/?show=unread"), page.url
    expect(page.locator("main")).to_contain_text("You have no unread notifications.")
    expect(_badge(page)).to_have_text("Notifications (0 unread)")
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    _check(page, "/notifications/?show=unread (all read)")

    page.get_by_role("link", name="All notifications", exact=True).click()
    expect(cards.locator(".govuk-tag")).to_have_text(["Read", "Read"])
    _check(page, "/notifications/ (all read)")


# --- 3. Step-up before a chronology download ----------------------------------------------------

STEP_UP_HEADING = "Confirm it is you before downloading"
WRONG_CODE_MESSAGE = "That code did not work, so nothing has been downloaded"
CHILD_LINK = "EXAMPLE-CHILD, Jamie"  # a demo child at Riverside Academy

_MAKE_LEAD = """
import json, os
from safecase.access.roles import Role
from safecase.accounts import actions, auth_actions
from safecase.accounts.models import Membership, Organisation, User
from safecase.core.actors import Actor

organisation = Organisation.objects.get(name=os.environ["E2E_ORGANISATION"])
actions.member_invite(
    actor=Actor.system("e2e", organisation=organisation),
    email=os.environ["E2E_EMAIL"],
    full_name=os.environ["E2E_NAME"],
    roles=[Role.LEAD],
    base_url="http://127.0.0.1/",
)
user = User.objects.get(email=os.environ["E2E_EMAIL"])
membership = Membership.objects.get(user=user, organisation=organisation)
auth_actions.auth_password_set(
    actor=Actor(user=user, organisation=organisation, roles=frozenset(membership.role_names())),
    user=user,
    new_password=os.environ["E2E_PASSWORD"],
    keep_session_key=None,
    reset=True,
)
print("E2E-RESULT " + json.dumps({"is_demo": user.is_demo}))
"""


def _make_lead(server: Server, email: str, name: str, password: str) -> None:
    """A lead at Riverside who is not a demo persona, so must use MFA (no authenticator yet)."""
    env = _server_env(server.database_url)
    env.update(
        {
            "E2E_ORGANISATION": ORGANISATION,
            "E2E_EMAIL": email,
            "E2E_NAME": name,
            "E2E_PASSWORD": password,
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", _MAKE_LEAD],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [row for row in result.stdout.splitlines() if row.startswith("E2E-RESULT ")]
    assert json.loads(line.removeprefix("E2E-RESULT ")) == {"is_demo": False}


def _key(shown: str) -> bytes:
    """The authenticator key from the base32 the enrolment page shows (in groups of four)."""
    raw = "".join(shown.split()).upper()
    return base64.b32decode(raw + "=" * (-len(raw) % 8))


def _code(key: bytes, at: float) -> str:
    """The code an authenticator app shows at ``at`` (30-second steps, 6 digits, as enrolled)."""
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = at
    return f"{totp.token():06d}"


def _wrong_code(key: bytes) -> str:
    """A code that matches no step the server could accept now or shortly."""
    now = time.time()
    near = {_code(key, now + 30 * offset) for offset in range(-2, 4)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "375px"])
def test_step_up_asks_for_a_fresh_code_before_a_chronology_download(
    viewport: dict[str, int] | None, server: Server, new_context: Callable[..., Any]
) -> None:
    email = f"e2e.step-up.{secrets.token_hex(4)}@demo.safecase.invalid"
    password = f"Stepping-up-{secrets.token_urlsafe(12)}"
    _make_lead(server, email, "Sam Stepper", password)
    options: dict[str, Any] = {"bypass_csp": True}
    if viewport:
        options["viewport"] = viewport

    # First sign-in: they must set up an authenticator app, and get recovery codes.
    first = new_context(**options).new_page()
    sign_in(first, email, password)
    assert path_of(first.url) == "/mfa/enrol/", first.url
    key = _key(first.locator(".sc-secret").inner_text())
    enrolled_at = time.time()
    first.get_by_label("Code", exact=True).fill(_code(key, enrolled_at))
    first.get_by_role("button", name="Confirm", exact=True).click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    recovery_code = first.locator(".sc-codes code").first.inner_text()
    first.context.close()

    # Later, on another computer, they sign in with a recovery code. That proves no
    # authenticator, so this session has not stepped up.
    page = new_context(**options).new_page()
    sign_in(page, email, password)
    assert path_of(page.url) == "/mfa/verify/", page.url
    page.get_by_label("Code", exact=True).fill(recovery_code)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(lambda url: path_of(url) == "/")
    # The recovery code was tried against the authenticator first: one throttled failure (1 s).
    throttled_until = time.time() + 1.2

    downloads: list[Any] = []
    page.on("download", lambda download: downloads.append(download))
    page.goto("/people/?q=Example-Child")
    page.get_by_role("link", name=CHILD_LINK, exact=True).click()
    person_path = path_of(page.url)
    assert re.fullmatch(r"/people/[0-9a-f-]{36}/", person_path), page.url
    if viewport:
        _fits(page, viewport["width"], "the person page")

    page.get_by_role("link", name="spreadsheet (CSV) of the chronology").click()
    page.wait_for_url(lambda url: path_of(url) == "/account/step-up/")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query == {"next": [f"{person_path}chronology.csv"]}, page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(STEP_UP_HEADING)
    _check(page, "/account/step-up/")
    if viewport:
        _fits(page, viewport["width"], "the step-up page")

    # A wrong code: refused, said plainly, nothing downloaded.
    _sleep_until(throttled_until)
    page.get_by_label("Code", exact=True).fill(_wrong_code(key))
    assert _submit(page, "Continue to the download") == 422
    refused_at = time.time()
    assert path_of(page.url) == "/account/step-up/"
    _expect_error_summary(page, {"id_token": WRONG_CODE_MESSAGE})
    _check(page, "/account/step-up/ (wrong code)")
    if viewport:
        _fits(page, viewport["width"], "the step-up page with an error")
    assert downloads == []

    # The right code: what the app shows once the throttle has passed (2 s after a second
    # failure) and in a later 30-second step than the enrolment code (each code works once).
    _sleep_until(max(refused_at + 2.5, (int(enrolled_at) // 30 + 1) * 30 + 0.5))
    page.get_by_label("Code", exact=True).fill(_code(key, time.time()))
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Continue to the download", exact=True).click()
    csv = csv_download.value
    assert csv.failure() is None, csv.failure()
    assert re.fullmatch(r"chronology-example-child-\d{4}-\d{2}-\d{2}\.csv", csv.suggested_filename)
    content = Path(csv.path()).read_text(encoding="utf-8-sig")
    assert "Jamie" in content, content[:500]

    # Stepped up: the PDF comes straight away, without asking again.
    page.goto(person_path)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF of the chronology").click()
    pdf = pdf_download.value
    assert pdf.failure() is None, pdf.failure()
    assert re.fullmatch(r"chronology-example-child-\d{4}-\d{2}-\d{2}\.pdf", pdf.suggested_filename)
    assert Path(pdf.path()).read_bytes().startswith(b"%PDF-")
    assert path_of(page.url) == person_path


# --- 4. The sign-in lockout page ----------------------------------------------------------------


def test_the_lockout_page_is_true_for_either_lock_and_accessible(
    new_context: Callable[..., Any],
) -> None:
    page = new_context(bypass_csp=True).new_page()
    email = persona_email(f"e2e_locked_{secrets.token_hex(3)}")  # an address with no account
    statuses = []
    for _ in range(LOGIN_FAILURE_LIMIT + 1):
        page.goto("/login/")
        page.get_by_label("E-mail address", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill("not the password, again")
        statuses.append(_submit(page, "Sign in"))
    assert statuses[0] == 200 and statuses[-1] == 429, statuses

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many sign-in attempts")
    main = page.locator("main").inner_text()
    assert "Signing in to this account is paused" in main, main
    # Neither "from here" (the account-wide lock applies from everywhere) nor a password reset
    # (which lifts neither lock).
    assert "from here" not in main and "reset" not in main.lower(), main
    expect(page.locator('main a[href*="password"]')).to_have_count(0)
    _check(page, "the lockout page")
