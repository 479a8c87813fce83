"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the main pages: no serious or critical issue.

axe.min.js is vendored by scripts/vendor_static.sh (pinned; sha256 in
safecase/web/static/vendor/VERSIONS.txt). Playwright injects it as an inline script, which our
CSP rightly refuses, so these contexts bypass the CSP; test_headers_and_csp.py checks the CSP.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.support import path_of

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}

# (persona or None for signed out, path)
PAGES: list[tuple[str | None, str]] = [
    (None, "/login/"),
    (None, "/password/reset/"),
    ("lead", "/"),
    ("lead", "/account/"),
    ("lead", "/api-tokens/"),
    ("org_admin", "/organisation/members/"),
    ("org_admin", "/organisation/members/invite/"),
    ("org_admin", "/organisation/settings/"),
    ("auditor", "/audit/"),
    ("reporter", "/concerns/new/"),
    ("reporter", "/concerns/mine/"),
    ("lead", "/concerns/queue/"),
    ("lead", "/people/"),
    ("lead", "/people/new/"),
    ("lead", "/search/"),
]


def _axe(page: Any) -> list[dict[str, Any]]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run bash scripts/vendor_static.sh")
    # After a click that navigates, the new page's DOM can be there before its stylesheet and
    # fonts: axe would then measure unstyled links (a false target-size failure under load).
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                       resultTypes: ['violations']})
             .then((r) => r.violations.map((v) => ({
               id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
               targets: v.nodes.map((n) => n.target.join(' ')),
             })))""",
        AXE_TAGS,
    )
    return list(result)


def _report(path: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe on {path}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines += [f"      {target}" for target in v["targets"]]
    return "\n".join(lines)


def _assert_no_blocking(path: str, violations: list[dict[str, Any]]) -> None:
    if violations:
        print(_report(path, violations))  # minor/moderate ones too, for the record
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, _report(path, blocking)


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{w or 'anonymous'}:{p}" for w, p in PAGES])
def test_page_has_no_serious_accessibility_issue(
    who: str | None,
    path: str,
    new_context: Callable[..., Any],
    context_as: Callable[..., Any],
) -> None:
    context = context_as(who, bypass_csp=True) if who else new_context(bypass_csp=True)
    page = context.new_page()
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response}"
    assert path_of(page.url) == path
    _assert_no_blocking(path, _axe(page))


def test_sign_in_error_state_has_no_serious_accessibility_issue(
    new_context: Callable[..., Any],
) -> None:
    """The error summary and field errors, as a person who mistyped sees them."""
    page = new_context(bypass_csp=True).new_page()
    page.goto("/login/")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _assert_no_blocking("/login/ (with errors)", _axe(page))
