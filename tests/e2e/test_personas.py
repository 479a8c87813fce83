"""Every demo persona signs in through the real form, sees their home page, and signs out (D4)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from safecase.access.roles import Role
from tests.e2e.support import PERSONA_NAMES, path_of, persona, sign_in, watch

pytestmark = pytest.mark.browser

GENERIC_LOGIN_ERROR = "Enter a correct e-mail address and password."

# Everything a page can keep in the browser (security bar D4).
_CLIENT_STATE = """
async () => {
  const databases = indexedDB.databases ? await indexedDB.databases() : [];
  const cacheNames = (typeof caches !== 'undefined') ? await caches.keys() : [];
  return {
    localStorage: Object.keys(localStorage).sort(),
    sessionStorage: Object.keys(sessionStorage).sort(),
    indexedDB: databases.map((d) => d.name).sort(),
    cacheStorage: [...cacheNames].sort(),
  };
}
"""

_EMPTY_STATE: dict[str, list[str]] = {
    "localStorage": [],
    "sessionStorage": [],
    "indexedDB": [],
    "cacheStorage": [],
}


def _path(page: Any) -> str:
    return path_of(page.url)


def _sign_out(page: Any) -> Any:
    with page.expect_response(lambda r: path_of(r.url) == "/logout/") as logout:
        page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_load_state()
    return logout.value


@pytest.mark.parametrize("key", PERSONA_NAMES)
def test_persona_signs_in_sees_home_and_signs_out(key: str, page: Any) -> None:
    who = persona(key)
    log = watch(page)

    sign_in(page, who.email)

    assert _path(page) == "/", f"{key} landed on {page.url}"
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {who.full_name}")
    expect(main).to_contain_text(who.organisation)

    sections = {
        "Administration": Role.ORG_ADMIN in who.roles,
        "Audit": Role.AUDITOR in who.roles,
        "Safeguarding lead": Role.LEAD in who.roles or Role.DEPUTY_LEAD in who.roles,
    }
    for heading, expected in sections.items():
        locator = main.get_by_role("heading", name=heading, exact=True)
        if expected:
            expect(locator, f"{key} should see the {heading} section").to_be_visible()
        else:
            expect(locator, f"{key} must not see the {heading} section").to_have_count(0)

    logout = _sign_out(page)
    assert _path(page) == "/login/", f"after signing out {key} is at {page.url}"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Safecase")
    expect(page.locator("main")).to_contain_text("You have signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    headers = logout.all_headers()
    assert "storage" in headers.get("clear-site-data", ""), headers
    assert not [c for c in page.context.cookies() if "session" in c["name"]]
    assert not log.errors(), log.errors()
    client_state = page.evaluate(_CLIENT_STATE)

    # The session is over on the server too: the home page asks for a sign-in again.
    page.goto("/")
    assert _path(page) == "/login/"

    assert client_state == _EMPTY_STATE, "client state left after sign-out (D4)"


def test_sign_out_clears_what_a_page_left_in_the_browser(page: Any) -> None:
    """Clear-Site-Data on sign-out removes storage a page (or a future script) wrote."""
    sign_in(page, persona("case_worker").email)
    assert _path(page) == "/"
    page.evaluate(
        """async () => {
          localStorage.setItem('sc-probe', 'case data');
          sessionStorage.setItem('sc-probe', 'case data');
          await new Promise((resolve, reject) => {
            const request = indexedDB.open('sc-probe', 1);
            request.onupgradeneeded = () => request.result.createObjectStore('s');
            request.onsuccess = () => { request.result.close(); resolve(); };
            request.onerror = () => reject(request.error);
          });
          const cache = await caches.open('sc-probe');
          await cache.put('/sc-probe', new Response('case data'));
        }"""
    )
    state = page.evaluate(_CLIENT_STATE)
    for kind in ("localStorage", "sessionStorage", "indexedDB", "cacheStorage"):
        assert "sc-probe" in state[kind], state

    _sign_out(page)

    assert _path(page) == "/login/"
    assert page.evaluate(_CLIENT_STATE) == _EMPTY_STATE, "client state left after sign-out (D4)"


def _failed_sign_in(page: Any, email: str, password: str) -> tuple[int, str, str]:
    page.goto("/login/")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert _path(page) == "/login/"
    expect(page.locator(".govuk-error-summary")).to_contain_text(GENERIC_LOGIN_ERROR)
    return posted.value.status, page.title(), page.locator("main").inner_text()


def test_wrong_password_and_unknown_address_get_the_same_answer(page: Any) -> None:
    wrong_password = _failed_sign_in(page, persona("reporter").email, "not-the-password-123")
    unknown = _failed_sign_in(page, "nobody@demo.safecase.invalid", "not-the-password-123")
    assert wrong_password == unknown
    assert GENERIC_LOGIN_ERROR in wrong_password[2]
    # Nothing signed in.
    page.goto("/")
    assert _path(page) == "/login/"
