"""manage.py attachments_scan: scan every file still waiting for its virus scan.

Each upload is scanned by a background task; this catches what the task could not (the scanner
was down or had no signatures, the worker was stopped) and the files stored before scanning
existed. Run it once after upgrading and from an hourly timer (docs/operations.md). Exits 1 when
a file could not be scanned, so a timer's failure shows up.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecase.concerns.actions import attachment_scan
from safecase.concerns.models import Attachment, ScanState
from safecase.core.actors import Actor
from safecase.core.scanning import ScannerUnavailable


class Command(BaseCommand):
    help = "Scan every attachment still waiting for its virus scan; quarantine what is infected."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = (
            Attachment.objects.filter(scan_state=ScanState.PENDING)
            .select_related("organisation")
            .order_by("created_at")
        )
        counts = {ScanState.CLEAN: 0, ScanState.QUARANTINED: 0, ScanState.PENDING: 0}
        failures: list[str] = []
        for attachment in pending.iterator(chunk_size=100):
            actor = Actor.system("scanner", organisation=attachment.organisation)
            try:
                state = attachment_scan(actor=actor, attachment=attachment).scan_state
            except ScannerUnavailable as exc:
                failures.append(f"{attachment.pk}: {exc}")
                state = ScanState.PENDING
            counts[ScanState(state)] += 1
        self.stdout.write(
            f"Scanned: {counts[ScanState.CLEAN]} clean, {counts[ScanState.QUARANTINED]} "
            f"quarantined, {counts[ScanState.PENDING]} still pending."
        )
        if failures:
            for line in failures[:20]:
                self.stderr.write(line)
            raise CommandError(f"{len(failures)} file(s) could not be scanned; they stay pending.")
