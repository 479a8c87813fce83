"""Browser tests: a real Safecase server in a subprocess, driven by Debian's Chromium.

Why a subprocess and not pytest-django's ``live_server``: the audit table has triggers that
refuse DELETE, so the flush pytest-django runs after transactional tests fails on SQLite. The
server here gets a database of its own (a temporary SQLite file, or a new PostgreSQL database
when DATABASE_URL points at PostgreSQL), loads the demo personas, and is thrown away at the
end. The test process never touches a database: these tests must not use the ``db`` fixture.

Chromium is Debian's (/usr/bin/chromium); ``playwright install`` is never needed. Every request
that is not to 127.0.0.1 is aborted, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import CSP_LISTENER, Server, path_of, persona, sign_in

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
STARTUP_TIMEOUT = 30.0


# --- The server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(database_url: str) -> dict[str, str]:
    """The real settings (not settings_test), in demo mode, with nothing from this process.

    pytest-django has set DJANGO_SETTINGS_MODULE=config.settings_test here, and settings_test
    has put SAFECASE_* values in os.environ: none of that may reach the server.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SAFECASE_") and k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SAFECASE_IGNORE_DOTENV": "1",
            "SAFECASE_DEBUG": "1",
            "SAFECASE_DEMO": "1",
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture(scope="session")
def _e2e_database() -> Iterator[str]:
    """A database for this run only: a new PostgreSQL database, or a temporary SQLite file."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        with tempfile.TemporaryDirectory(prefix="safecase-e2e-") as directory:
            yield f"sqlite:///{Path(directory) / 'e2e.sqlite3'}"
        return

    import psycopg
    from psycopg import sql

    name = f"safecase_e2e_{secrets.token_hex(6)}"
    parts = urllib.parse.urlsplit(configured)
    # The named database may not exist (pytest-django makes its own test_ copy): use the
    # server's maintenance database to create and drop ours.
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urllib.parse.urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _manage(args: list[str], env: dict[str, str], log: Any) -> None:
    log.write(f"$ manage.py {' '.join(args)}\n")
    log.flush()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        log.flush()
        tail = "\n".join(Path(log.name).read_text(encoding="utf-8").splitlines()[-40:])
        pytest.fail(f"manage.py {' '.join(args)} exited {result.returncode}:\n{tail}")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own 127.0.0.1
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {STARTUP_TIMEOUT:.0f} s")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, or a skip (locally) / a failure (in CI) when it is not installed."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def server(
    chromium_path: str, _e2e_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real Safecase (runserver) on a free 127.0.0.1 port, with the demo personas loaded."""
    env = _server_env(_e2e_database)
    log_path = tmp_path_factory.mktemp("e2e-server") / "server.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "w", encoding="utf-8") as log:
        _manage(["migrate", "--noinput"], env, log)
        _manage(["demo"], env, log)
        log.write(f"$ manage.py runserver 127.0.0.1:{port} --noreload --nostatic\n")
        log.flush()
        # --nostatic: static files go through WhiteNoise and the middleware, as in production,
        # instead of runserver's own static handler (which adds no security headers).
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--nostatic",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        running = Server(base_url=base_url, database_url=_e2e_database, log_path=log_path)
        try:
            try:
                _wait_healthy(base_url + "/healthz", process, time.monotonic() + STARTUP_TIMEOUT)
            except (RuntimeError, TimeoutError) as exc:
                log.flush()
                pytest.fail(f"Safecase did not start: {exc}\n{running.log_tail()}")
            yield running
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- The browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


def _only_localhost(route: Any) -> None:
    if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def new_context(browser: Any, server: Server) -> Iterator[Callable[..., Any]]:
    """Make browser contexts that can reach 127.0.0.1 only; all are closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("base_url", server.base_url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.route("**/*", _only_localhost)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    return new_context().new_page()


# --- Personas ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _signed_in_states(browser: Any, server: Server) -> dict[str, Any]:
    return {}


@pytest.fixture
def context_as(
    new_context: Callable[..., Any], _signed_in_states: dict[str, Any]
) -> Callable[..., Any]:
    """A browser context signed in as a persona (signed in through the form once per run)."""

    def make(key: str, **options: Any) -> Any:
        state = _signed_in_states.get(key)
        if state is None:
            context = new_context()
            page = context.new_page()
            sign_in(page, persona(key).email)
            assert path_of(page.url) == "/", (
                f"{key} did not reach the home page after signing in: {page.url}"
            )
            state = context.storage_state()
            _signed_in_states[key] = state
            context.close()
        return new_context(storage_state=state, **options)

    return make
