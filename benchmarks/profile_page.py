"""Profile one page in process against a loaded database (``manage.py demo --scale county``).

    DATABASE_URL=... SAFECASE_DEBUG=1 SAFECASE_DEMO=1 .venv/bin/python benchmarks/profile_page.py \
        /concerns/queue/ [--repeat 50] [--top 30] [--queries]

Signs in as the county's benchmark lead (session made directly, MFA marked done), turns DEBUG
off once Django has loaded (as production runs), renders the page ``--repeat`` times and prints
the mean time per request, the query count, and the cProfile functions with the most cumulative
time. ``{person}`` in the path is replaced by the child with the longest chronology, ``{name}`` by
the commonest family name in the lead's organisation. ``--as bench.hub@demo.safecase.invalid``
signs in as the hub's benchmark practitioner instead (``safecase.demo.scale_hub``), and
``{referral}`` is the hub's benchmark referral. ``--queries`` prints the first 300
characters of each query (``PROFILE_SQL_CHARS=N`` for more). A tool for finding where time goes; the
figures that count are ``benchmarks/concerns.py``'s.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SAFECASE_IGNORE_DOTENV", "1")
os.environ.setdefault("SAFECASE_ALLOWED_HOSTS", "testserver")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--queries", action="store_true", help="print each query and its time")
    parser.add_argument("--callers", help="also print who calls the functions matching this")
    parser.add_argument(
        "--as",
        dest="email",
        help="sign in as this benchmark user (default the county's lead; the hub's: "
        "bench.hub@demo.safecase.invalid, with {referral} the hub's benchmark referral)",
    )
    parser.add_argument(
        "--post-concern",
        action="store_true",
        help="POST the recording form to the path (draft + submit), as benchmarks/concerns.py does",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safecase.accounts.models import User
    from safecase.concerns.models import ConcernPerson
    from safecase.demo.personas import DEMO_PASSWORD
    from safecase.demo.scale import BENCH_LEAD_EMAIL
    from safecase.demo.scale_hub import BENCH_REFERRAL_SUBJECT
    from safecase.partnerships.models import HubReferral
    from safecase.people.models import Person

    settings.DEBUG = False
    lead = User.objects.get(email=args.email or BENCH_LEAD_EMAIL)
    org = lead.memberships.get().organisation
    person = (
        ConcernPerson.objects.filter(organisation=org, person__isnull=False)
        .values("person")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    name = (
        Person.objects.filter(organisation=org)
        .values("family_name")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    referral = HubReferral.objects.filter(subject_name=BENCH_REFERRAL_SUBJECT).first()
    path = args.path.format(
        person=person["person"] if person else "",
        name=name["family_name"] if name else "",
        referral=referral.pk if referral else "",
    )
    client = Client()
    # Through the real sign-in form, so the session carries what the middleware expects.
    signed_in = client.post("/login/", {"email": lead.email, "password": DEMO_PASSWORD})
    if signed_in.status_code != 302:
        print(
            "Could not sign in as the benchmark user (is this a demo county or hub?)",
            file=sys.stderr,
        )
        return 1
    device, _ = TOTPDevice.objects.get_or_create(user=lead, name="profile", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    sent = iter(range(10**9))

    def fetch() -> Any:
        if args.post_concern:
            from benchmarks.concerns import concern_form

            return client.post(path, concern_form("", next(sent)))
        return client.get(path)

    first = fetch()
    if first.status_code != (302 if args.post_concern else 200):
        print(f"{path}: {first.status_code} {first.get('Location', '')}", file=sys.stderr)
        return 1
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    print(f"{path}: {len(first.content)} bytes, {len(ctx.captured_queries)} queries")
    if args.queries:
        for q in ctx.captured_queries:
            print(f"  {q['time']}s  {q['sql'][: int(os.environ.get('PROFILE_SQL_CHARS', '300'))]}")
    reset_queries()
    started = time.perf_counter()
    for _ in range(args.repeat):
        fetch()
    mean = (time.perf_counter() - started) / args.repeat * 1000
    print(f"mean {mean:.1f} ms per request over {args.repeat}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.repeat):
        fetch()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    _print_by_area(stats)
    if args.callers:
        stats.print_callers(args.callers)
    return 0


def _print_by_area(stats: pstats.Stats) -> None:
    """Own time summed by where the code lives (Django's ORM, its templates, the driver, ours)."""
    areas: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        tottime = row[2]
        if "django/db/" in filename:
            area = "django.db (ORM)"
        elif "django/template" in filename:
            area = "django.template"
        elif "psycopg" in filename or "sqlite3" in filename:
            area = "database driver"
        elif "/safecase/" in filename:
            area = "safecase"
        elif "site-packages/" in filename:
            area = filename.split("site-packages/")[1].split("/")[0]
        else:
            area = "python / builtins"
        areas[area] = areas.get(area, 0.0) + tottime
    total = sum(areas.values()) or 1.0
    print("own time by area:")
    for area, seconds in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {area:<24} {seconds:7.3f} s  {seconds / total:5.1%}")


if __name__ == "__main__":
    raise SystemExit(main())
