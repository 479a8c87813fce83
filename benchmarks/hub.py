"""The MASH hub at scale (issue 5): a hub with 50 agencies and 100,000 referrals; the hub
queue and a referral page timed in process, with their query counts.

    DATABASE_URL=sqlite:////tmp/hub-bench.sqlite3 .venv/bin/python benchmarks/hub.py \
        [--referrals 100000] [--agencies 50] [--repeat 30]

Use a scratch database: it is migrated and loaded here. The agencies are made through the real
actions; the referrals and their requests (3 a referral, 2 of them answered) are bulk-inserted
(a benchmark's data, not a story: no audit events for them). Prints a table and writes JSON to
benchmarks/results/hub-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SAFECASE_IGNORE_DOTENV", "1")
os.environ.setdefault("SAFECASE_ALLOWED_HOSTS", "testserver")

BATCH = 5000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from conftest import mark_otp_verified
    from safecase.accounts import actions as account_actions
    from safecase.accounts.models import Organisation, PartnershipMember
    from safecase.core.actors import Actor
    from safecase.demo.personas import DEMO_PASSWORD, build_demo_world
    from safecase.partnerships import settings_actions
    from safecase.partnerships.choices import PRIORITY, AgencyKind, Rating, RequestStatus
    from safecase.partnerships.demo import actor_of, build_demo_hub_settings
    from safecase.partnerships.models import HubAgency, HubReferral, InformationRequest

    world = build_demo_world()
    hub = build_demo_hub_settings(world)
    operator = Actor.system("benchmark")
    manager = actor_of(world, "hub_manager")
    have = HubAgency.objects.filter(hub=hub).count()
    for i in range(have, args.agencies):
        org = Organisation.objects.filter(name=f"Bench agency {i}").first()
        if org is None:
            org = account_actions.organisation_create(
                actor=operator, name=f"Bench agency {i}", org_type="other"
            )
        if not PartnershipMember.objects.filter(
            partnership=world.partnership, organisation=org
        ).exists():
            account_actions.partnership_add_member(
                actor=operator, partnership=world.partnership, organisation=org
            )
        settings_actions.hub_agency_save(
            actor=manager, hub=hub, agency_organisation=org, kind=AgencyKind.OTHER
        )
    agencies = list(HubAgency.objects.filter(hub=hub))
    user = world.users["hub"]
    school = world.organisations["secondary"]
    existing = HubReferral.objects.filter(hub=hub).count()
    rng = random.Random(5)
    start = time.perf_counter()
    now = datetime.now(UTC)
    ratings = [Rating.RED, Rating.AMBER, Rating.GREEN, Rating.BLUE, ""]
    for offset in range(existing, args.referrals, BATCH):
        referrals = []
        for i in range(offset, min(offset + BATCH, args.referrals)):
            rating = rng.choice(ratings)
            received = now - timedelta(minutes=rng.randint(1, 60 * 24 * 365))
            referrals.append(
                HubReferral(
                    organisation_id=hub.organisation_id,
                    hub=hub,
                    referring_organisation=school,
                    source="member",
                    subject_name=f"Bench child {i}",
                    summary="Synthetic benchmark referral.",
                    received_at=received,
                    created_by=user,
                    rating=rating,
                    priority=PRIORITY[rating],
                    status="open" if i % 4 else "decided",
                )
            )
        HubReferral.objects.bulk_create(referrals)
        requests = []
        for referral in referrals:
            for n, agency in enumerate(rng.sample(agencies, 3)):
                answered = n < 2
                requests.append(
                    InformationRequest(
                        organisation_id=hub.organisation_id,
                        referral=referral,
                        agency=agency,
                        agency_organisation_id=agency.agency_organisation_id,
                        requested_at=referral.received_at,
                        requested_by=user,
                        due_at=referral.received_at + timedelta(hours=8),
                        status=RequestStatus.RELEASED if answered else RequestStatus.OPEN,
                        answer="Synthetic." if answered else "",
                        answered_at=referral.received_at + timedelta(hours=2) if answered else None,
                        released_at=referral.received_at + timedelta(hours=3) if answered else None,
                    )
                )
        InformationRequest.objects.bulk_create(requests)
    load_seconds = time.perf_counter() - start

    settings.DEBUG = False
    client = Client()
    assert client.post("/login/", {"email": user.email, "password": DEMO_PASSWORD}).status_code
    mark_otp_verified(client, user)
    sample = HubReferral.objects.filter(hub=hub, status="open").order_by("-received_at").first()
    assert sample is not None
    pages = {
        "hub queue": "/hub/",
        "referral page": f"/hub/referrals/{sample.pk}/",
        "timeliness (30 days)": "/hub/timeliness/",
    }
    manager_client = Client()
    manager_client.post(
        "/login/", {"email": world.users["hub_manager"].email, "password": DEMO_PASSWORD}
    )
    mark_otp_verified(manager_client, world.users["hub_manager"])
    results = {}
    for name, url in pages.items():
        who = manager_client if "timeliness" in name else client
        who.get(url)
        timings = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            response = who.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            who.get(url)
        timings.sort()
        results[name] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "queries": len(ctx.captured_queries),
        }
    engine = connection.vendor
    print(f"Hub benchmark: {args.referrals} referrals, {len(agencies)} agencies, {engine}")
    print(f"(loaded in {load_seconds:.1f} s)")
    print(f"{'page':<24}{'p50 ms':>10}{'p95 ms':>10}{'queries':>10}")
    for name, row in results.items():
        print(f"{name:<24}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['queries']:>10}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"hub-{stamp}.json").write_text(
        json.dumps(
            {
                "referrals": args.referrals,
                "agencies": len(agencies),
                "database": engine,
                "load_seconds": round(load_seconds, 1),
                "pages": results,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
