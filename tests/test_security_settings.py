"""Headers, cookies and production settings (security bar I6, S4, C1, C2)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import mark_otp_verified
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFECASE_")}
    env.update(
        SAFECASE_IGNORE_DOTENV="1",
        SAFECASE_DEBUG="0",
        SAFECASE_ALLOWED_HOSTS="safecase.example.org",
        DJANGO_SETTINGS_MODULE="config.settings",
        SAFECASE_FILE_KEYS="k1:" + base64.b64encode(os.urandom(32)).decode(),
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_on_production_settings() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production_env(SAFECASE_SECRET_KEY=secrets.token_urlsafe(64)),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("key", ["", "short", "dev-only-" + "x" * 60, "a" * 80])
def test_production_refuses_to_start_without_a_real_secret_key(key: str) -> None:
    result = _manage("check", env=_production_env(SAFECASE_SECRET_KEY=key))
    assert result.returncode != 0
    assert "SAFECASE_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("keys", ["", "k1:short", "k1:" + "A" * 44 + ",k2:" + "B" * 44])
def test_production_refuses_to_start_without_usable_file_keys(keys: str) -> None:
    result = _manage(
        "check",
        env=_production_env(SAFECASE_SECRET_KEY=secrets.token_urlsafe(64), SAFECASE_FILE_KEYS=keys),
    )
    assert result.returncode != 0
    assert "SAFECASE_FILE_KEYS" in result.stderr


def test_the_demo_never_runs_in_production() -> None:
    result = _manage(
        "demo",
        env=_production_env(SAFECASE_SECRET_KEY=secrets.token_urlsafe(64), SAFECASE_DEMO="1"),
    )
    assert result.returncode != 0
    assert "never in production" in result.stderr


REQUIRED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _assert_secure_headers(response: Any, url: str) -> None:
    for name, value in REQUIRED_HEADERS.items():
        assert response.get(name) == value, (url, name, response.get(name))
    csp = response["Content-Security-Policy"]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp, (url, directive)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(world: DemoWorld) -> None:
    anonymous = Client()
    for url in ("/login/", "/password/reset/", "/", "/no-such-page/"):
        _assert_secure_headers(anonymous.get(url, secure=True), url)
    lead = Client()
    lead.post("/login/", {"email": world.users["lead"].email, "password": DEMO_PASSWORD})
    mark_otp_verified(lead, world.users["lead"])
    for url in ("/", "/account/", "/api-tokens/", "/api/v1/me", "/api/v1/tokens"):
        _assert_secure_headers(lead.get(url, secure=True), url)


@pytest.mark.django_db
def test_cookies_are_host_prefixed_secure_httponly_and_samesite(world: DemoWorld) -> None:
    client = Client()
    client.get("/login/", secure=True)
    client.post(
        "/login/",
        {"email": world.users["reporter"].email, "password": DEMO_PASSWORD},
        secure=True,
    )
    assert set(client.cookies) >= {"__Host-safecase-session", "__Host-safecase-csrf"}
    for morsel in client.cookies.values():
        assert morsel.key.startswith("__Host-")
        assert morsel["secure"] and morsel["path"] == "/" and not morsel["domain"]
        assert morsel["samesite"] in {"Lax", "Strict"}
        assert morsel["httponly"]


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PROPFIND"])
def test_unsupported_methods_are_refused(method: str) -> None:
    assert Client().generic(method, "/login/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/admin/", "/.git/config", "/.env", "/static/../config/settings.py", "/api/v1/"]
)
def test_nothing_unintended_is_exposed(path: str) -> None:
    response = Client().get(path)
    assert response.status_code in {302, 404}, path
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_is_not_recorded_without_a_trusted_proxy() -> None:
    from safecase.audit.models import AuditEvent

    Client().post(
        "/login/",
        {"email": "someone@example.invalid", "password": "wrong password here"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    event = AuditEvent.objects.get()
    assert event.ip == "127.0.0.1"


@pytest.mark.django_db
def test_a_fresh_database_has_no_users() -> None:
    from safecase.accounts.models import User

    assert User.objects.count() == 0
