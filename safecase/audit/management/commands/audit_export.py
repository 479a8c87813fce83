"""manage.py audit_export: the events of a period as JSON lines, ending with the chain heads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.audit.recorder import HASHED_FIELDS, canonical_json
from safecase.core.actors import Actor


def _day_start(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from exc
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = "Write audit events from --since to --until (inclusive dates) as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--organisation", help="only this organisation's chain (its id)")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _day_start(options["since"])
        end = _day_start(options["until"]) + timedelta(days=1)
        if end <= start:
            raise CommandError("--until must not be before --since")
        events = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        if options["organisation"]:
            events = events.filter(chain=options["organisation"])
        out: Any = (
            open(options["output"], "w", encoding="utf-8")  # noqa: SIM115 - closed below
            if options["output"]
            else self.stdout
        )
        try:
            count = 0
            # The last event of each chain within the period: what a later verifier compares
            # with its own copy of the trail (the live head may have moved on since).
            period_heads: dict[str, dict[str, object]] = {}
            for event in events.order_by("chain", "seq").iterator(chunk_size=2000):
                row = {name: getattr(event, name) for name in HASHED_FIELDS}
                row["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
                row["prev_hash"] = event.prev_hash
                row["hash"] = event.hash
                out.write(canonical_json(row) + "\n")
                period_heads[event.chain] = {"seq": event.seq, "hash": event.hash}
                count += 1
            out.write(
                canonical_json(
                    {
                        "type": "chain_heads",
                        "events": count,
                        "heads": period_heads,
                    }
                )
                + "\n"
            )
        finally:
            if out is not self.stdout:
                out.close()
        # Exporting the trail is itself on the trail (in the global chain, after the export).
        with transaction.atomic():
            recorder.record(
                actor=Actor.system("audit_export"),
                action=AuditAction.AUDIT_EXPORTED,
                changes={
                    "since": options["since"],
                    "until": options["until"],
                    "organisation": options["organisation"] or "",
                    "events": count,
                },
            )
