#!/usr/bin/env python
"""Safecase at county scale: the lead's queue, a 500-entry chronology, recording a concern,
search, the case list and a case page, under gunicorn with 16 concurrent clients, next to a bare
50-row page (the baseline).

    .venv/bin/python benchmarks/concerns.py [--db sqlite|postgres|both] [--concerns N]

For each database: a scratch database (as benchmarks/run.py makes them), ``migrate``,
``collectstatic`` into a temporary directory, the county loaded in bulk
(safecase.demo.scale.load_county), then ``gunicorn config.wsgi --workers 2`` with production
settings (DEBUG off, real MFA: see benchmarks/README.md), a real sign-in of the benchmark lead
(password and authenticator code, CSRF tokens from the forms), and ``wrk`` (or, for the POST,
a Python client) for ``--duration`` seconds per page. Prints a table and writes JSON to
``benchmarks/results/concerns-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from run import (
    DEFAULT_PG_ADMIN_URL,
    machine,
    percentile,
    redact,
    scratch_postgres,
    scratch_sqlite,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
VENV_BIN = ROOT / ".venv" / "bin"

# The county is 1,000,000 concerns; loading it (about 8 minutes per database here) and indexing it
# for search (about 5) would take the default run past 20 minutes on the 2-core development
# machine, so the default is a smaller county. --concerns 1000000 for the full one.
DEFAULT_CONCERNS = 300_000
DURATION = 20
WARMUP = 3
CONNECTIONS = 16
WORKERS = 2
TARGET_RATIO = 0.40
TARGET_P95_MS = 150.0

# Production settings, except what plain HTTP on the loopback needs (no TLS redirect, cookies
# without the Secure flag). DEBUG is off from the start, so the demo's MFA skip is off too: the
# benchmark lead signs in with a password and a TOTP code, as a real lead does.
SETTINGS_MODULE = """
from pathlib import Path
from config.settings import *  # noqa: F403

ROOT_URLCONF = "safecase_bench_urls"
STATIC_ROOT = Path(__file__).resolve().parent / "static"
"""

# The baseline: a bare Django view, one query, 50 rows through a Django template, outside the
# project's URLconf (this module wraps it; config/urls.py is untouched).
URLS_MODULE = """
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from safecase.people.models import Person

PAGE = engines["django"].from_string(
    "<!doctype html><html lang=en><head><title>Baseline</title></head><body><table>"
    "{% for p in rows %}<tr><td>{{ p.family_name }}</td><td>{{ p.given_names }}</td>"
    "<td>{{ p.date_of_birth|date:'j M Y' }}</td><td>{{ p.get_gender_display }}</td></tr>"
    "{% endfor %}</table></body></html>"
)


@login_not_required
def fifty_rows(request):
    rows = list(Person.objects.order_by("organisation_id", "family_name", "given_names")[:50])
    return HttpResponse(PAGE.render({"rows": rows}))


urlpatterns = [path("bench/baseline/", fifty_rows), path("", include("config.urls"))]
"""

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= 200 then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "not_200": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


# --- Loading (child process, Django loaded, production settings) -------------------------------


def prepare() -> dict[str, Any]:
    """``migrate`` and ``collectstatic`` on the scratch database (Django set up): the start of
    every loading process, with the versions measured."""
    import django
    from django.core.management import call_command
    from django.db import connection

    result: dict[str, Any] = {"django_version": django.get_version()}
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    result["migrate_seconds"] = round(time.perf_counter() - began, 2)
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        vendor = connection.vendor
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "show server_version")
        result["server_version"] = cursor.fetchone()[0]
    return result


def load(concerns: int, people: int, organisations: int, out: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command, get_commands
    from django.db import connection
    from django.db.models import Count

    from safecase.core import statistics
    from safecase.demo.scale import load_county
    from safecase.people.models import Person

    result = prepare()
    print(f"  loading {concerns:,} concerns, {people:,} people ...", flush=True)
    began = time.perf_counter()
    summary = load_county(
        organisations=organisations, people=people, concerns=concerns, progress=print
    )
    result["load_seconds"] = round(time.perf_counter() - began, 1)
    result["load"] = {k: (str(v) if k.endswith("_id") else v) for k, v in vars(summary).items()}
    if "search_reindex" in get_commands():
        began = time.perf_counter()
        call_command("search_reindex", verbosity=0)
        statistics.analyze()  # the index was filled after the loader's ANALYZE
        result["search_reindex_seconds"] = round(time.perf_counter() - began, 1)
    result["database_bytes"] = _database_bytes()
    common = (
        Person.objects.filter(organisation_id=summary.bench_organisation_id)
        .values("family_name")
        .annotate(n=Count("*"))
        .order_by("-n")
        .first()
    )
    result["common_name"] = common["family_name"] if common else "Ashford"
    result["_login"] = _ordinary_bench_lead(summary.bench_lead_id)
    result["queries"] = _page_queries(summary, result["common_name"])
    connection.close()
    Path(out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


def _database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("select pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    name = str(connection.settings_dict["NAME"])
    return sum(p.stat().st_size for p in Path(name).parent.glob(Path(name).name + "*"))


def _ordinary_bench_lead(user_id: Any) -> dict[str, Any]:
    """Make the benchmark lead an ordinary account that signs in as a production lead does.

    Demo accounts are refused outside a demo installation (DEBUG and SAFECASE_DEMO on), and
    these settings are production's. So: ``is_demo`` off, a random password for this run
    (auth_password_set) and an authenticator (mfa_enrol_confirm), through the real actions.
    """
    from safecase.accounts import auth_actions
    from safecase.accounts.models import Membership, User
    from safecase.core.actors import Actor

    User.objects.filter(pk=user_id).update(is_demo=False)  # benchmark set-up only
    membership = Membership.objects.select_related("user", "organisation").get(user_id=user_id)
    actor = Actor(
        user=membership.user,
        organisation=membership.organisation,
        roles=frozenset(membership.role_names()),
    )
    password = secrets.token_urlsafe(24)
    auth_actions.auth_password_set(
        actor=actor, user=membership.user, new_password=password, keep_session_key=None, reset=False
    )
    key = auth_actions.new_totp_secret()
    # Enrolled with the previous step's code (inside django-otp's tolerance of one step), so the
    # sign-in can use the current code at once: a step is accepted only once.
    step = int(time.time()) // 30 - 1
    codes = auth_actions.mfa_enrol_confirm(actor=actor, key_hex=key, token=totp(key, step))
    assert codes is not None, "the authenticator was not accepted"
    return {"email": membership.user.email, "password": password, "key_hex": key, "step": step}


def _page_queries(summary: Any, common_name: str) -> dict[str, Any]:
    return page_queries(
        summary.bench_lead_id,
        {
            "queue": "/concerns/queue/",
            "person": f"/people/{summary.chronology_person_id}/",
            "search": f"/search/?q={common_name}",
            "cases": "/cases/",
            "case": f"/cases/{summary.bench_case_id}/",
        },
    )


def page_queries(user_id: Any, pages: dict[str, str]) -> dict[str, Any]:
    """Each page once through Django's test client as the user (signed in, MFA done): its
    queries, the slowest, and the plan of the slowest SELECT (EXPLAIN ANALYZE on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safecase.accounts.models import User

    user = User.objects.get(pk=user_id)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session["sc_started"] = session["sc_seen"] = int(time.time())
    session.save()
    report: dict[str, Any] = {}
    for name, path in pages.items():
        client.get(path)  # warm caches (content types, templates)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        slowest = sorted(queries, reverse=True)[:3]
        entry: dict[str, Any] = {
            "status": status,
            "queries": len(queries),
            "sql_ms": round(sum(ms for ms, _ in queries), 2),
            "slowest": [{"ms": round(ms, 2), "sql": sql[:3000]} for ms, sql in slowest],
        }
        selects = [sql for _, sql in slowest if sql.lstrip("( ").upper().startswith("SELECT")]
        entry["plans"] = [_explain(sql) for sql in selects[:2]]
        report[name] = entry
    return report


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


# --- HTTP clients (parent process, no Django) --------------------------------------------------


def totp(key_hex: str, step: int) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as django-otp checks it."""
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Browser:
    """One HTTP/1.1 connection with a cookie jar; redirects are not followed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(
        self, method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()  # gunicorn's sync workers close after each response
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", content

    def csrf_from(self, path: str) -> str:
        status, _, content = self.request("GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or not found:
            raise RuntimeError(f"GET {path}: {status}, no CSRF token")
        return found.group(1)


def sign_in(port: int, login: dict[str, Any]) -> Browser:
    """The benchmark lead signs in as a person would: password, then authenticator code."""
    browser = Browser(port)
    token = browser.csrf_from("/login/")
    form = {"csrfmiddlewaretoken": token, "email": login["email"], "password": login["password"]}
    status, location, _ = browser.request("POST", "/login/", form)
    if status != 302:
        raise RuntimeError(f"sign-in answered {status} {location}")
    # django-otp refuses a code from a time step already used (the enrolment's).
    while int(time.time()) // 30 <= login["step"]:
        time.sleep(1)
    token = browser.csrf_from("/mfa/verify/")
    code = totp(login["key_hex"], int(time.time()) // 30)
    status, location, _ = browser.request(
        "POST", "/mfa/verify/", {"csrfmiddlewaretoken": token, "token": code}
    )
    if status != 302 or "mfa" in location:
        raise RuntimeError(f"second factor answered {status} {location}")
    return browser


def run_wrk(url: str, cookie: str, seconds: int, script: Path) -> dict[str, Any]:
    threads = str(min(2, CONNECTIONS))
    command = [
        "wrk",
        "-t",
        threads,
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
    ]
    command += ["-s", str(script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    raw = json.loads(line[len("WRKJSON ") :])
    seconds_run = raw["duration_us"] / 1e6
    return {
        "client": "wrk",
        "requests": raw["requests"],
        "seconds": round(seconds_run, 2),
        "per_second": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": raw["not_200"] + raw["socket_errors"] + raw["timeouts"],
    }


def concern_form(token: str, i: int) -> dict[str, Any]:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    return {
        "csrfmiddlewaretoken": token,
        "kind": "child",
        "recorder_role": "Form tutor",
        "happened_on": yesterday,
        "happened_time": "10:30",
        "location": "Playground",
        "categories": ["neglect", "emotional"],
        "fact": f"Benchmark concern {i}: arrived without a coat and said they had not eaten.",
        "own_words": "There wasn't any food.",
        "person_0_name": f"Bench Child {i % 97}",
        "person_0_details": "Year 8",
        "person_0_role": "subject",
        "person_1_role": "subject",
        "person_2_role": "subject",
        "version": "",
        "submit": "Submit",
    }


def run_submissions(port: int, cookies: dict[str, str], token: str, seconds: int) -> dict[str, Any]:
    """16 threads, each with its own connection, POSTing the recording form (draft + submit)
    as fast as answers come; only answers finished inside the timed window count."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter() + WARMUP
    stop = start + seconds
    counter = iter(range(10**9))

    def client() -> None:
        browser = Browser(port)
        browser.cookies = dict(cookies)
        while True:
            began = time.perf_counter()
            if began >= stop:
                return
            status, location, content = browser.request(
                "POST", "/concerns/new/", concern_form(token, next(counter))
            )
            ended = time.perf_counter()
            ok = status == 302 and location.startswith("/concerns/") and "edit" not in location
            with lock:
                if not ok and len(failures) < 3:
                    failures.append(f"{status} {location} {content[:200]}")
                if began >= start and ended <= stop:
                    latencies.append(ended - began) if ok else failures.append("counted")

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"concern submission failed: {failures[:3]}")
    ordered = sorted(latencies)
    return {
        "client": "python threads",
        "requests": len(ordered),
        "seconds": seconds,
        "per_second": round(len(ordered) / seconds, 1),
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
        "errors": 0,
    }


def count_rows(html: str) -> int:
    """Table rows with cells (not header rows)."""
    return len(re.findall(r"<tr[^>]*>\s*<td", html))


# --- One database ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_env(tmp: Path, database_url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SAFECASE_", "DJANGO_"))}
    return {
        **keep,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "safecase_bench_settings",
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "SAFECASE_IGNORE_DOTENV": "1",
        "SAFECASE_DEBUG": "0",
        "SAFECASE_SECRET_KEY": secrets.token_urlsafe(64),
        "SAFECASE_FILE_KEYS": "bench:" + base64.b64encode(os.urandom(32)).decode(),
        "SAFECASE_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SAFECASE_SSL_REDIRECT": "0",
        "SAFECASE_SECURE_COOKIES": "0",
        "SAFECASE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SAFECASE_LOG_LEVEL": "WARNING",
    }


def run_database(
    db: str,
    args: argparse.Namespace,
    *,
    script: Path | None = None,
    load_args: list[str] | None = None,
    pages: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None,
    db_prefix: str = "safecase_bench",
) -> dict[str, Any]:
    """Scratch database (PostgreSQL: ``<db_prefix>_<hex>``), the loading process (``script
    --_load OUT`` with ``load_args``; this county by default), gunicorn and the timings: the
    county's pages, or ``pages(loaded)``."""
    pg = db != "sqlite"
    scratch = scratch_postgres(args.pg_admin_url, db_prefix) if pg else scratch_sqlite()
    with scratch as database_url, tempfile.TemporaryDirectory(prefix="safecase-http-") as t:
        tmp = Path(t)
        (tmp / "safecase_bench_settings.py").write_text(SETTINGS_MODULE, encoding="utf-8")
        (tmp / "safecase_bench_urls.py").write_text(URLS_MODULE, encoding="utf-8")
        (tmp / "report.lua").write_text(WRK_SCRIPT, encoding="utf-8")
        env = bench_env(tmp, database_url)
        print(f"\n== {db}: scratch database {redact(database_url)}", flush=True)
        out = tmp / "load.json"
        command = [sys.executable, str(script or Path(__file__).resolve()), "--_load", str(out)]
        if load_args is None:
            load_args = ["--concerns", str(args.concerns), "--people", str(args.people)]
            load_args += ["--organisations", str(args.organisations)]
        subprocess.run([*command, *load_args], env=env, cwd=ROOT, check=True)  # noqa: S603 - our own script
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        print(f"  loaded in {result['load_seconds']} s; starting gunicorn", flush=True)
        chosen = pages(result) if pages is not None else None
        result["pages"] = measure(tmp, env, result, args.duration, chosen)
        return result


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            status, _, _ = Browser(port).request("GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def measure(
    tmp: Path,
    env: dict[str, str],
    loaded: dict[str, Any],
    seconds: int,
    chosen: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """gunicorn, a real sign-in, then each page under wrk next to the baseline (before and
    after): the county's pages and the submission, or the ``chosen`` (name, path) pages."""
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "config.wsgi", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    log_path = tmp / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)  # noqa: S603
    pages: dict[str, Any] = {}
    try:
        wait_until_up(port, server)
        browser = sign_in(port, loaded.pop("_login"))
        cookie = browser.cookie_header()
        script = tmp / "report.lua"

        def baseline() -> None:
            """The bare page again, just before the next page: on a shared machine the speed
            drifts within a run, so each page is compared with the baselines beside it."""
            if order and not order[-1].startswith("baseline"):
                timed(f"baseline ({len(order)})", "/bench/baseline/", signed_in=False)

        def timed(name: str, path: str, *, signed_in: bool = True) -> dict[str, Any] | None:
            if not name.startswith("baseline"):
                baseline()
            alone = []
            for _ in range(3):  # the first answer of a worker includes compiling templates
                began = time.perf_counter()
                status, location, html = browser.request("GET", path)
                alone.append(time.perf_counter() - began)
            alone_ms = round(min(alone[1:]) * 1000, 1)
            if status == 404 and name == "search":
                return None
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status} {location}")
            print(f"  {name}: GET {path[:60]} for {seconds} s ...", flush=True)
            url = f"http://127.0.0.1:{port}{path}"
            run_wrk(url, cookie if signed_in else "", WARMUP, script)
            load_before = os.getloadavg()[0]
            result = run_wrk(url, cookie if signed_in else "", seconds, script)
            result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
            result.update(path=path, rows=count_rows(html), bytes=len(html), alone_ms=alone_ms)
            if result["errors"]:
                raise RuntimeError(f"GET {path}: {result['errors']} answers were not 200")
            pages[name] = result
            order.append(name)
            return result

        order: list[str] = []
        timed("baseline (before)", "/bench/baseline/", signed_in=False)
        if chosen is not None:
            for name, path in chosen:
                timed(name, path)
        else:
            county_pages(timed, baseline, loaded, browser, port, seconds, pages, order)
        timed("baseline (after)", "/bench/baseline/", signed_in=False)
    except Exception:
        print(log_path.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=60)
    runs = [pages[name] for name in order if name.startswith("baseline")]
    pages["baseline"] = {
        key: round(sum(run[key] for run in runs) / len(runs), 2)
        for key in ("per_second", "p50_ms", "p95_ms")
    }
    pages["baseline"]["note"] = f"mean of the {len(runs)} baseline runs, one before each page"
    for i, name in enumerate(order):
        page = pages[name]
        if name.startswith("baseline"):
            continue
        # The baseline runs just before and just after this page, in time.
        beside = [pages[order[i - 1]], pages[order[i + 1]]]
        page["baseline_per_second"] = round(sum(b["per_second"] for b in beside) / 2, 1)
        page["ratio"] = round(page["per_second"] / page["baseline_per_second"], 3)
        page["meets_targets"] = page["ratio"] >= TARGET_RATIO and page["p95_ms"] < TARGET_P95_MS
    return pages


def county_pages(
    timed: Callable[[str, str], dict[str, Any] | None],
    baseline: Callable[[], None],
    loaded: dict[str, Any],
    browser: Browser,
    port: int,
    seconds: int,
    pages: dict[str, Any],
    order: list[str],
) -> None:
    """The county's pages and the recording form's submission."""
    timed("queue", "/concerns/queue/")
    timed("person", f"/people/{loaded['load']['chronology_person_id']}/")
    timed("cases", "/cases/")
    timed("case", f"/cases/{loaded['load']['bench_case_id']}/")
    query = urlencode({"q": loaded["common_name"]})
    if timed("search", f"/search/?{query}") is None:
        pages["search"] = {"skipped": "GET /search/ answers 404: no search route installed"}
    baseline()
    print(f"  submission: POST /concerns/new/ for {seconds} s ...", flush=True)
    token = browser.csrf_from("/concerns/new/")
    load_before = os.getloadavg()[0]
    pages["submit"] = run_submissions(port, browser.cookies, token, seconds)
    pages["submit"]["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    pages["submit"]["path"] = "/concerns/new/"
    order.append("submit")


# --- Report ------------------------------------------------------------------------------------

LABELS = {
    "baseline": "baseline: bare view, 50 rows, 1 query",
    "queue": "GET /concerns/queue/ (lead's queue)",
    "person": "GET /people/<id>/ (chronology)",
    "search": "GET /search/?q=<common name>",
    "cases": "GET /cases/ (case list)",
    "case": "GET /cases/<id>/ (case page)",
    "submit": "POST /concerns/new/ (draft + submit)",
}


def table(results: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    rows: list[tuple[str, ...]] = []
    for db, r in results["databases"].items():
        for name, label in (labels or LABELS).items():
            page = r["pages"].get(name)
            if page is None:
                continue
            if "skipped" in page:
                rows.append((db, label, "skipped", "", "", "", page["skipped"]))
                continue
            if name == "person":
                label += f", {r['load']['chronology_concerns']} concerns"
            ratio = f"{page['ratio'] * 100:.0f}%" if "ratio" in page else "100%"
            verdict = "" if name == "baseline" else ("yes" if page["meets_targets"] else "NO")
            rows.append(
                (
                    db,
                    label,
                    f"{page['per_second']:,.1f}",
                    f"{page['p50_ms']:.1f}",
                    f"{page['p95_ms']:.1f}",
                    ratio,
                    verdict,
                )
            )
    header = ("database", "page", "req/s", "p50 ms", "p95 ms", "of baseline", "targets met")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [row[i].rjust(widths[i]) for i in range(2, 6)]
        cells.append(row[6])
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(row) for row in rows)])


def git_state() -> dict[str, Any]:
    """The commit measured, and the files that differed from it (others may be editing)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)  # noqa: S603, S607
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "changed": git("status", "--porcelain").splitlines(),
    }


def results_header(
    started: datetime, args: argparse.Namespace, sizes: dict[str, Any]
) -> dict[str, Any]:
    """The run's JSON before the figures: when, the command, the machine, the settings (the
    data's ``sizes`` among them), the commit measured."""
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "settings": {
            **sizes,
            "duration_s": args.duration,
            "warmup_s": WARMUP,
            "connections": CONNECTIONS,
            "gunicorn_workers": WORKERS,
            "targets": {"ratio_at_least": TARGET_RATIO, "p95_ms_under": TARGET_P95_MS},
        },
        "git": git_state(),
        "databases": {},
    }


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """--db, --duration, --pg-admin-url and the loading process's hidden --_load."""
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--duration", type=int, default=DURATION, help="seconds per page")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("SAFECASE_BENCH_PG_URL", DEFAULT_PG_ADMIN_URL),
        help="a PostgreSQL URL allowed to CREATE and DROP databases",
    )
    parser.add_argument("--_load", help=argparse.SUPPRESS)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--concerns", type=int, default=DEFAULT_CONCERNS)
    parser.add_argument(
        "--people", type=int, help="default 15%% of --concerns (150,000 for a million)"
    )
    parser.add_argument("--organisations", type=int, default=250)
    add_common_arguments(parser)
    args = parser.parse_args()
    args.people = args.people or max(args.organisations, round(args.concerns * 0.15))

    if args._load:
        load(args.concerns, args.people, args.organisations, args._load)
        return 0
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")

    started = datetime.now(UTC)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    sizes = {"concerns": args.concerns, "people": args.people}
    results = results_header(started, args, {**sizes, "organisations": args.organisations})
    for db in databases:
        began = time.perf_counter()
        results["databases"][db] = run_database(db, args)
        results["databases"][db]["total_seconds"] = round(time.perf_counter() - began, 1)
    results["total_seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)

    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"concerns-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results))
    for db, r in results["databases"].items():
        reindex = r.get("search_reindex_seconds")
        print(
            f"{db}: {r['load']['concerns']:,} concerns loaded in {r['load_seconds']} s"
            + (f", search index built in {reindex} s" if reindex is not None else "")
            + f"; whole database run {r['total_seconds']} s"
        )
    print(f"\nTotal {results['total_seconds']} s. JSON: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
