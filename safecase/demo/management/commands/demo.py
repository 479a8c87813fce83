"""manage.py demo: load the synthetic demo (development only).

``--scale small`` (the default) makes the demo organisations and personas through the real
actions. ``--scale county`` loads a synthetic county in bulk for benchmarks and large tests
(safecase.demo.scale: 250 organisations, 150,000 people, 1,000,000 concerns; benchmark data
without audit events).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.demo.cases import build_demo_case_parts, build_demo_cases
from safecase.demo.concerns import build_demo_concerns
from safecase.demo.multi_agency import build_demo_multi_agency
from safecase.demo.personas import DEMO_PASSWORD, PERSONAS, build_demo_world, persona_email
from safecase.demo.scale import BENCH_LEAD_EMAIL, CountySummary, load_county

# Share of people per concern when only --concerns is given (150,000 per 1,000,000).
PEOPLE_PER_CONCERN = 0.15


class Command(BaseCommand):
    help = "Create the synthetic demo: the personas (small, idempotent) or a county in bulk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=("small", "county"), default="small")
        parser.add_argument("--organisations", type=int, default=250, help="county only")
        parser.add_argument(
            "--people", type=int, help="county only; default 15%% of --concerns (150,000)"
        )
        parser.add_argument("--concerns", type=int, default=1_000_000, help="county only")
        parser.add_argument("--seed", type=int, default=7, help="county only")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG or not settings.SAFECASE_DEMO:
            raise CommandError(
                "The demo runs only with SAFECASE_DEBUG=1 and SAFECASE_DEMO=1, never in production."
            )
        if options["scale"] == "county":
            self.county(options)
            return
        world = build_demo_world()
        build_demo_concerns(world)
        build_demo_cases(world)
        build_demo_case_parts(world)
        build_demo_multi_agency(world)
        with transaction.atomic():
            recorder.record(actor=Actor.system("demo"), action=AuditAction.DEMO_LOADED)
        self.stdout.write("\nSafecase demo is ready. Sign in at http://127.0.0.1:8000 as:\n")
        width = max(len(persona_email(p[0])) for p in PERSONAS)
        for persona, full_name, org_key, roles in PERSONAS:
            org = world.organisations[org_key].name
            self.stdout.write(
                f"  {persona_email(persona):<{width}}  {full_name} – {', '.join(roles)} at {org}"
            )
        self.stdout.write(f"\nPassword for every demo user: {DEMO_PASSWORD}")
        self.stdout.write(
            "Demo users skip multi-factor authentication only while SAFECASE_DEMO=1.\n"
        )

    def county(self, options: dict[str, Any]) -> None:
        concerns = options["concerns"]
        people = options["people"] or max(
            options["organisations"], round(concerns * PEOPLE_PER_CONCERN)
        )
        self.stdout.write(
            f"Loading a county: {options['organisations']:,} organisations, {people:,} people, "
            f"{concerns:,} concerns (benchmark data: no audit events) ..."
        )
        try:
            summary = load_county(
                organisations=options["organisations"],
                people=people,
                concerns=concerns,
                seed=options["seed"],
                progress=self.stdout.write,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            recorder.record(
                actor=Actor.system("demo"),
                action=AuditAction.DEMO_LOADED,
                changes={"scale": "county", "concerns": concerns, "people": people},
            )
        if "search_reindex" in get_commands():
            # Bulk rows bypass the actions that keep the search index current.
            self.stdout.write("Rebuilding the search index ...")
            call_command("search_reindex")
        self.report(summary)

    def report(self, s: CountySummary) -> None:
        self.stdout.write(
            f"\nLoaded in {s.seconds['total']:.0f} s: {s.organisations:,} organisations, "
            f"{s.users:,} users, {s.people:,} people, {s.concerns:,} concerns "
            f"({s.untriaged:,} waiting for triage), {s.triages:,} triage decisions, "
            f"{s.actions:,} actions, {s.alerts:,} pattern alerts, {s.cases:,} cases "
            f"({s.case_concerns:,} concerns on them, {s.stage_changes:,} stage moves)."
        )
        self.stdout.write(
            f"Sign in as {BENCH_LEAD_EMAIL} (password {DEMO_PASSWORD}), lead of the first "
            f"school; /people/{s.chronology_person_id}/ has {s.chronology_concerns} concerns.\n"
        )
