#!/usr/bin/env python
"""The MASH hub at scale: the hub queue and a referral page with many agencies' sections,
under gunicorn with 16 concurrent clients, next to a bare 50-row page (the baseline).

    .venv/bin/python benchmarks/hub_http.py [--db sqlite|postgres|both] [--referrals N]

For each database, as benchmarks/concerns.py does it (its functions, imported): a scratch
database, ``migrate``, ``collectstatic``, the hub loaded in bulk
(safecase.demo.scale_hub.load_hub), gunicorn with production settings, a real sign-in of the
benchmark hub practitioner (password and TOTP), and wrk for ``--duration`` seconds per page.
Prints a table and writes JSON to ``benchmarks/results/hub-http-<timestamp>.json``.
(benchmarks/hub.py times the same pages in process, without gunicorn.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from concerns import (
    RESULTS_DIR,
    ROOT,
    _database_bytes,
    _ordinary_bench_lead,
    add_common_arguments,
    page_queries,
    prepare,
    results_header,
    run_database,
    table,
)

LABELS = {
    "baseline": "baseline: bare view, 50 rows, 1 query",
    "hub_queue": "GET /hub/ (hub queue, open referrals)",
    "referral": "GET /hub/referrals/<id>/ (hub's view)",
}


def hub_pages(loaded: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("hub_queue", "/hub/"),
        ("referral", f"/hub/referrals/{loaded['load']['bench_referral_id']}/"),
    ]


def load(agencies: int, referrals: int, out: str) -> None:
    """The loading process (Django set up by ``prepare``'s caller): migrate, the hub, the
    benchmark hub practitioner made an ordinary account, each page's queries and plans."""
    import django

    django.setup()
    from django.db import connection

    from safecase.demo.scale_hub import load_hub

    result = prepare()
    print(f"  loading {agencies} agencies, {referrals:,} referrals ...", flush=True)
    began = time.perf_counter()
    summary = load_hub(agencies=agencies, referrals=referrals, progress=print)
    result["load_seconds"] = round(time.perf_counter() - began, 1)
    result["load"] = {k: (str(v) if k.endswith("_id") else v) for k, v in vars(summary).items()}
    result["database_bytes"] = _database_bytes()
    result["_login"] = _ordinary_bench_lead(summary.bench_hub_user_id)
    result["queries"] = page_queries(summary.bench_hub_user_id, dict(hub_pages(result)))
    connection.close()
    Path(out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=50)
    add_common_arguments(parser)
    args = parser.parse_args()
    if args._load:
        load(args.agencies, args.referrals, args._load)
        return 0
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")

    started = datetime.now(UTC)
    sizes = {"agencies": args.agencies, "referrals": args.referrals}
    results = results_header(started, args, sizes)
    load_args = ["--agencies", str(args.agencies), "--referrals", str(args.referrals)]
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        began = time.perf_counter()
        results["databases"][db] = run_database(
            db,
            args,
            script=Path(__file__).resolve(),
            load_args=load_args,
            pages=hub_pages,
            db_prefix="safecase_hubbench",
        )
        results["databases"][db]["total_seconds"] = round(time.perf_counter() - began, 1)
    results["total_seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)

    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"hub-http-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results, LABELS))
    for db, r in results["databases"].items():
        queries = {name: q["queries"] for name, q in r["queries"].items()}
        print(
            f"{db}: {r['load']['referrals']:,} referrals ({r['load']['open_referrals']:,} open), "
            f"{r['load']['requests']:,} requests loaded in {r['load_seconds']} s; "
            f"queries per page {queries}; whole database run {r['total_seconds']} s"
        )
    print(f"\nTotal {results['total_seconds']} s. JSON: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
