"""Helpers for the browser tests: personas, signing in, and what a page reported."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecase.demo.personas import DEMO_PASSWORD, ORGANISATIONS, PERSONAS, persona_email


@dataclass
class Server:
    """The Safecase server the tests talk to (started by the ``server`` fixture)."""

    base_url: str
    database_url: str
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


PERSONA_NAMES = [p[0] for p in PERSONAS]
_ORG_NAMES = {key: name for key, name, _, _ in ORGANISATIONS}


@dataclass(frozen=True)
class Persona:
    key: str
    full_name: str
    organisation: str
    roles: tuple[str, ...]

    @property
    def email(self) -> str:
        return persona_email(self.key)


def persona(key: str) -> Persona:
    for name, full_name, org_key, roles in PERSONAS:
        if name == key:
            return Persona(name, full_name, _ORG_NAMES[org_key], tuple(str(r) for r in roles))
    raise KeyError(key)


def path_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> Any:
    """Use the real sign-in form, as a person would."""
    page.goto("/login/")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    return page


# Records CSP violations as the browser reports them to the page, in addition to the console.
# Playwright injects init scripts itself, so the CSP does not block this one.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' +
    e.sourceFile + ':' + e.lineNumber);
});
"""


@dataclass
class PageLog:
    """What the browser reported while a page was open."""

    console: list[Any] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)

    def csp_console_messages(self) -> list[str]:
        return [
            m.text
            for m in self.console
            if "Content Security Policy" in m.text or "Refused to" in m.text
        ]

    def errors(self) -> list[str]:
        return [m.text for m in self.console if m.type == "error"] + self.page_errors


def watch(page: Any) -> PageLog:
    log = PageLog()
    # Playwright needs real functions here, not bound builtins such as list.append.
    page.on("console", lambda message: log.console.append(message))
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    page.on("response", lambda response: log.responses.append(response))
    return log
