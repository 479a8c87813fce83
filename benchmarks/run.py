#!/usr/bin/env python
"""Safecase benchmarks: audit append, concurrent append, chain verification and page timings.

    .venv/bin/python benchmarks/run.py [--db sqlite|postgres|both] [--events N]

For each database this makes a scratch database (SQLite: a temporary file with Safecase's own
PRAGMAs; PostgreSQL: ``CREATE DATABASE safecase_bench_<hex>``, dropped at the end), runs
``migrate`` and the measurements in a separate process whose DATABASE_URL is set before Django
loads, then prints a table and writes JSON to ``benchmarks/results/<timestamp>.json``.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

DEFAULT_EVENTS = 20_000
CONCURRENT_PROCESSES = 4
PAGE_REQUESTS = 300
PAGE_WARMUP = 10
AUDIT_PAGE_MIN_EVENTS = 20_000
DEFAULT_PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"

# The environment every benchmark process runs with. SAFECASE_DEBUG=1 is what lets demo
# personas skip MFA (with SAFECASE_DEMO=1) and keeps cookies usable over the test Client's plain
# HTTP; the measuring process then turns DEBUG off in-process (see _setup_django).
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SAFECASE_IGNORE_DOTENV": "1",
    "SAFECASE_DEBUG": "1",
    "SAFECASE_DEMO": "1",
    "SAFECASE_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "SAFECASE_LOG_LEVEL": "WARNING",
}


# --- Small helpers (no Django) ---------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine measured on, and how busy it was as the run began."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def percentile(sorted_values: list[float], pct: float) -> float:
    """Linear-interpolated percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = (len(sorted_values) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def latency_summary(latencies_s: list[float], wall_s: float, count: int) -> dict[str, Any]:
    ordered = sorted(latencies_s)
    return {
        "count": count,
        "seconds": round(wall_s, 3),
        "per_second": round(count / wall_s, 1) if wall_s > 0 else None,
        "p50_ms": round(percentile(ordered, 50) * 1000, 3),
        "p95_ms": round(percentile(ordered, 95) * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3) if ordered else None,
    }


# --- Scratch databases (parent process, no Django) --------------------------------------------


@contextmanager
def scratch_sqlite() -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="safecase-bench-")
    try:
        yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def scratch_postgres(admin_url: str, prefix: str = "safecase_bench") -> Iterator[str]:
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_database(db: str, events: int, admin_url: str, django_debug: bool) -> dict[str, Any]:
    scratch = scratch_sqlite() if db == "sqlite" else scratch_postgres(admin_url)
    with scratch as database_url, tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**os.environ, **BENCH_ENV, "DATABASE_URL": database_url}
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--_measure",
            db,
            "--events",
            str(events),
            "--_out",
            out.name,
        ]
        if django_debug:
            command.append("--django-debug")
        print(f"\n== {db}: scratch database {redact(database_url)}", flush=True)
        subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603 - our own script
        result: dict[str, Any] = json.loads(Path(out.name).read_text(encoding="utf-8"))
        return result


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# --- Measuring (child process, Django loaded) --------------------------------------------------


def _setup_django(django_debug: bool) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import warnings

    import django

    # WhiteNoise warns that STATIC_ROOT is missing (no collectstatic here); static files are
    # not part of these measurements.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    if not django_debug:
        from django.conf import settings

        # As in production: no per-query logging into connection.queries, no template debug
        # mode. Done before the first query and the first template is loaded.
        settings.DEBUG = False


def _append(actor: Any, i: int) -> None:
    from django.db import transaction

    from safecase.audit import recorder
    from safecase.audit.events import AuditAction

    with transaction.atomic():
        recorder.record(
            actor=actor,
            action=AuditAction.RECORD_VIEWED,
            subject_type="cases.concern",
            subject_id=uuid.UUID(int=i).hex,
            reason="Benchmark: reviewing the concern before the strategy meeting",
            changes={"field": "status", "n": i},
        )


def _append_many(actor: Any, count: int, start: int = 0) -> tuple[list[float], float, float]:
    from time import perf_counter

    latencies = []
    began = perf_counter()
    for i in range(start, start + count):
        t0 = perf_counter()
        _append(actor, i)
        latencies.append(perf_counter() - t0)
    return latencies, began, perf_counter()


def bench_append(organisation: Any, events: int) -> dict[str, Any]:
    from safecase.core.actors import Actor

    actor = Actor.system("benchmark", organisation=organisation)
    latencies, began, ended = _append_many(actor, events)
    return latency_summary(latencies, ended - began, events)


def _concurrent_child(
    index: int, org_id: str, count: int, django_debug: bool, barrier: Any, queue: Any
) -> None:
    _setup_django(django_debug)
    from django.db import connection

    from safecase.accounts.models import Organisation
    from safecase.core.actors import Actor

    organisation = Organisation.objects.get(pk=org_id)
    actor = Actor.system(f"benchmark-{index}", organisation=organisation)
    connection.ensure_connection()
    barrier.wait()
    latencies, began, ended = _append_many(actor, count, start=index * count)
    connection.close()
    queue.put({"index": index, "latencies": latencies, "began": began, "ended": ended})


def bench_concurrent(organisation: Any, events: int, django_debug: bool) -> dict[str, Any]:
    from django.db import connection

    from safecase.audit.models import AuditEvent
    from safecase.audit.verify import verify_chain

    per_process = events // CONCURRENT_PROCESSES
    chain = str(organisation.pk)
    before = AuditEvent.objects.filter(chain=chain).count()
    connection.close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(CONCURRENT_PROCESSES)
    queue = ctx.Queue()
    processes = [
        ctx.Process(
            target=_concurrent_child,
            args=(i, chain, per_process, django_debug, barrier, queue),
        )
        for i in range(CONCURRENT_PROCESSES)
    ]
    for process in processes:
        process.start()
    reports = [queue.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"concurrent append process exited with {process.exitcode}")
    # perf_counter is CLOCK_MONOTONIC on Linux: comparable across processes.
    began = min(r["began"] for r in reports)
    ended = max(r["ended"] for r in reports)
    latencies = [lat for r in reports for lat in r["latencies"]]
    total = per_process * CONCURRENT_PROCESSES
    summary = latency_summary(latencies, ended - began, total)
    summary["processes"] = CONCURRENT_PROCESSES
    checked, problem = verify_chain(chain)
    after = AuditEvent.objects.filter(chain=chain).count()
    summary["chain_events"] = checked
    summary["events_added"] = after - before
    summary["chain_verifies"] = problem is None and after - before == total
    summary["chain_problem"] = str(problem) if problem else None
    return summary


def top_up(organisation: Any, minimum: int) -> int:
    from safecase.audit.models import AuditEvent
    from safecase.core.actors import Actor

    chain = str(organisation.pk)
    have = AuditEvent.objects.filter(chain=chain).count()
    if have < minimum:
        actor = Actor.system("benchmark-top-up", organisation=organisation)
        _append_many(actor, minimum - have, start=10_000_000)
    return AuditEvent.objects.filter(chain=chain).count()


def bench_verify() -> dict[str, Any]:
    from time import perf_counter

    from safecase.audit.verify import verify_all

    began = perf_counter()
    result = verify_all()
    seconds = perf_counter() - began
    if not result.ok:
        raise RuntimeError(f"verify_all found a break: {result.first_break}")
    return {
        "events": result.events_checked,
        "chains": result.chains_checked,
        "seconds": round(seconds, 3),
        "events_per_second": round(result.events_checked / seconds, 1),
        "ok": result.ok,
    }


def _time_page(client: Any, path: str, check: Any) -> dict[str, Any]:
    from time import perf_counter

    from django.db import close_old_connections

    def get() -> None:
        response = client.get(path)
        # The real request handler does this at the end of every request (CONN_MAX_AGE:
        # SQLite reconnects per request, PostgreSQL keeps the connection and health-checks it).
        # Django's test Client skips it, so it is done here.
        close_old_connections()
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {path} answered {response.status_code} "
                f"{response.get('Location', '')} {response.content[:300]!r}"
            )
        check(response)

    for _ in range(PAGE_WARMUP):
        get()
    latencies = []
    began = perf_counter()
    for _ in range(PAGE_REQUESTS):
        t0 = perf_counter()
        get()
        latencies.append(perf_counter() - t0)
    return latency_summary(latencies, perf_counter() - began, PAGE_REQUESTS)


def _signed_in_client(user: Any) -> Any:
    from django.test import Client

    from safecase.demo.personas import DEMO_PASSWORD

    client = Client()
    response = client.post("/login/", {"email": user.email, "password": DEMO_PASSWORD})
    if response.status_code != 302 or response["Location"] != "/":
        raise RuntimeError(
            f"signing in {user.email} answered {response.status_code} "
            f"{response.get('Location', '')} (is SAFECASE_DEMO=1 honoured?)"
        )
    return client


def _audit_page_check(response: Any) -> None:
    body = response.content
    # A full first page of 50 events (plus the header row) and a link to the next one.
    assert body.count(b'<tr class="govuk-table__row">') == 51, "audit page is not full"
    assert b"Older events" in body


def bench_pages(world: Any, audit_chain_events: int) -> dict[str, Any]:
    from django.test import Client

    def login_page(response: Any) -> None:
        assert b'name="password"' in response.content

    def home_page(response: Any) -> None:
        assert world.users["lead"].full_name.encode() in response.content

    pages = {}
    pages["GET /login/ (anonymous)"] = _time_page(Client(), "/login/", login_page)
    pages["GET / (lead)"] = _time_page(_signed_in_client(world.users["lead"]), "/", home_page)
    audit = _time_page(_signed_in_client(world.users["auditor"]), "/audit/", _audit_page_check)
    audit["chain_events"] = audit_chain_events
    pages["GET /audit/ (auditor)"] = audit
    return pages


def measure(db: str, events: int, out: str, django_debug: bool) -> None:
    from time import perf_counter

    _setup_django(django_debug)
    import django
    from django.core.management import call_command
    from django.db import connection

    from safecase.demo.personas import build_demo_world

    result: dict[str, Any] = {"database": db, "events": events}
    began = perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    result["migrate_seconds"] = round(perf_counter() - began, 2)
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if db == "sqlite" else "show server_version")
        result["server_version"] = cursor.fetchone()[0]
    result["django_version"] = django.get_version()
    result["django_debug"] = django_debug
    world = build_demo_world()
    secondary = world.organisations["secondary"]  # the lead's and the auditor's organisation

    print(f"  1. appending {events} events, one transaction each ...", flush=True)
    result["append"] = bench_append(secondary, events)
    if db == "postgres":
        print(
            f"  2. {CONCURRENT_PROCESSES} processes appending {events // CONCURRENT_PROCESSES}"
            " events each to one chain ...",
            flush=True,
        )
        # Another organisation's chain, so the audit page reads the same data on both databases.
        result["concurrent_append"] = bench_concurrent(
            world.organisations["primary"], events, django_debug
        )
    audit_chain_events = top_up(secondary, AUDIT_PAGE_MIN_EVENTS)
    if db == "postgres":
        # Autovacuum may not have analysed the freshly filled table yet (on the development
        # machine it is off): time the audit page on stale statistics, then ANALYZE, as a
        # running server's autovacuum would, before the real measurements.
        print("     audit page before ANALYZE ...", flush=True)
        result["audit_page_before_analyze"] = _time_page(
            _signed_in_client(world.users["auditor"]), "/audit/", _audit_page_check
        )
        result["audit_page_before_analyze"]["chain_events"] = audit_chain_events
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        result["analyzed_before_pages"] = True
    print("  3. verify_all() ...", flush=True)
    result["verify"] = bench_verify()
    print(f"  4. pages, {PAGE_REQUESTS} requests each ...", flush=True)
    result["pages"] = bench_pages(world, audit_chain_events)
    connection.close()
    Path(out).write_text(json.dumps(result, indent=2), encoding="utf-8")


# --- Report -----------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str, str]] = []
    for db, r in results["databases"].items():
        a = r["append"]
        rows.append(
            (
                db,
                f"audit append x{a['count']} (1 process)",
                f"{a['per_second']:,.0f} events/s",
                f"{a['p50_ms']:.2f}",
                f"{a['p95_ms']:.2f}",
            )
        )
        c = r.get("concurrent_append")
        if c:
            ok = "verifies" if c["chain_verifies"] else "BROKEN"
            rows.append(
                (
                    db,
                    f"audit append x{c['count']} ({c['processes']} processes, chain {ok})",
                    f"{c['per_second']:,.0f} events/s",
                    f"{c['p50_ms']:.2f}",
                    f"{c['p95_ms']:.2f}",
                )
            )
        v = r["verify"]
        rows.append(
            (
                db,
                f"verify_all() {v['events']:,} events, {v['chains']} chains",
                f"{v['events_per_second']:,.0f} events/s",
                f"({v['seconds']:.2f} s)",
                "",
            )
        )
        stale = r.get("audit_page_before_analyze")
        if stale:
            rows.append(
                (
                    db,
                    f"GET /audit/ (auditor) BEFORE ANALYZE x{stale['count']}",
                    f"{stale['per_second']:,.0f} req/s",
                    f"{stale['p50_ms']:.2f}",
                    f"{stale['p95_ms']:.2f}",
                )
            )
        for name, p in r["pages"].items():
            label = name + (f", {p['chain_events']:,} events" if "chain_events" in p else "")
            rows.append(
                (
                    db,
                    f"{label} x{p['count']}",
                    f"{p['per_second']:,.0f} req/s",
                    f"{p['p50_ms']:.2f}",
                    f"{p['p95_ms']:.2f}",
                )
            )
    header = ("database", "measurement", "throughput", "p50 ms", "p95 ms")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [row[i].rjust(widths[i]) for i in (2, 3, 4)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(row) for row in rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--events",
        type=int,
        default=DEFAULT_EVENTS,
        help=f"audit events to append (default {DEFAULT_EVENTS:,})",
    )
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("SAFECASE_BENCH_PG_URL", DEFAULT_PG_ADMIN_URL),
        help="a PostgreSQL URL allowed to CREATE and DROP databases "
        f"(default $SAFECASE_BENCH_PG_URL or {DEFAULT_PG_ADMIN_URL})",
    )
    parser.add_argument(
        "--django-debug",
        action="store_true",
        help="keep DEBUG on while measuring (query logging, template debug)",
    )
    parser.add_argument("--_measure", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--_out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.events < CONCURRENT_PROCESSES:
        parser.error(f"--events must be at least {CONCURRENT_PROCESSES}")

    if args._measure:
        measure(args._measure, args.events, args._out, args.django_debug)
        return 0

    started = datetime.now(UTC)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "settings": {
            "events": args.events,
            "concurrent_processes": CONCURRENT_PROCESSES,
            "page_requests": PAGE_REQUESTS,
            "page_warmup": PAGE_WARMUP,
            "django_debug": args.django_debug,
        },
        "databases": {},
    }
    for db in databases:
        began = time.perf_counter()
        results["databases"][db] = run_database(
            db, args.events, args.pg_admin_url, args.django_debug
        )
        results["databases"][db]["total_seconds"] = round(time.perf_counter() - began, 1)
    results["total_seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)

    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nTotal {results['total_seconds']} s. JSON: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
