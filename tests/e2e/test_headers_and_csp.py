"""Crawl every GET page in a real browser: security headers and zero CSP violations (I6).

Each page is opened as the persona who may see it (or signed out for the public pages). Every
response the page causes is checked, not only the HTML: static files too, which in this server
(runserver --nostatic) go through WhiteNoise and the middleware, as in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.support import Server, path_of, watch

pytestmark = pytest.mark.browser

SWAGGER_DOCS = "/api/v1/docs/"

# (persona or None for signed out, path)
PAGES: list[tuple[str | None, str]] = [
    (None, "/login/"),
    (None, "/password/reset/"),
    ("lead", "/"),
    ("lead", "/account/"),
    ("lead", "/api-tokens/"),
    ("lead", SWAGGER_DOCS),
    ("org_admin", "/organisation/members/"),
    ("org_admin", "/organisation/settings/"),
    ("org_admin", "/organisation/members/invite/"),
    ("auditor", "/audit/"),
]


def _context(
    who: str | None, new_context: Callable[..., Any], context_as: Callable[..., Any], **options: Any
) -> Any:
    return context_as(who, **options) if who else new_context(**options)


def _header_problems(response: Any, *, document: bool) -> list[str]:
    url = path_of(response.url)
    headers = response.all_headers()
    problems = []
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        problems.append(f"{url}: X-Content-Type-Options is not nosniff")
    if not headers.get("referrer-policy"):
        problems.append(f"{url}: no Referrer-Policy")
    if not url.startswith("/static/") and "no-store" not in headers.get("cache-control", ""):
        problems.append(f"{url}: Cache-Control {headers.get('cache-control')!r} lacks no-store")
    if document:
        csp = headers.get("content-security-policy", "")
        for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
            if directive not in csp:
                problems.append(f"{url}: Content-Security-Policy lacks {directive}: {csp!r}")
        if headers.get("cross-origin-opener-policy") != "same-origin":
            problems.append(f"{url}: Cross-Origin-Opener-Policy is not same-origin")
    return problems


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{w or 'anonymous'}:{p}" for w, p in PAGES])
def test_page_has_security_headers_and_no_csp_violation(
    who: str | None,
    path: str,
    new_context: Callable[..., Any],
    context_as: Callable[..., Any],
    server: Server,
) -> None:
    page = _context(who, new_context, context_as).new_page()
    log = watch(page)

    response = page.goto(path)
    if path == SWAGGER_DOCS:
        page.wait_for_load_state("networkidle")  # Swagger UI fetches the schema, then renders

    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    assert path_of(page.url) == path, f"{path} ended at {page.url}"

    ours = [r for r in log.responses if r.url.startswith(server.base_url + "/")]
    problems = _header_problems(response, document=True)
    for sub in ours:
        if sub is not response:
            problems += _header_problems(sub, document=False)
    assert not problems, "\n".join(problems)

    failed = [f"{r.status} {path_of(r.url)}" for r in ours if r.status >= 400]
    assert not failed, f"{path}: failed requests {failed}"

    violations = log.csp_console_messages() + page.evaluate("() => window.__cspViolations")
    assert not violations, f"{path}: CSP violations:\n" + "\n".join(violations)
    assert not log.errors(), f"{path}: console errors / page errors:\n" + "\n".join(log.errors())


FIT_320 = [
    (None, "/login/"),
    ("lead", "/"),
    ("lead", "/account/"),
    ("lead", "/api-tokens/"),
    ("org_admin", "/organisation/members/"),
    ("auditor", "/audit/"),
]


@pytest.mark.parametrize(("who", "path"), FIT_320, ids=[p for _, p in FIT_320])
def test_page_fits_320_css_pixels(
    who: str | None,
    path: str,
    new_context: Callable[..., Any],
    context_as: Callable[..., Any],
) -> None:
    """WCAG 1.4.10 reflow: no horizontal scrolling at 320 CSS px."""
    page = _context(who, new_context, context_as, viewport={"width": 320, "height": 640}).new_page()
    page.goto(path)
    assert path_of(page.url) == path
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width}px wide at a 320px viewport"
