"""manage.py hub_files_scan: scan every file in an agency's section still waiting for its virus
scan, as ``manage.py attachments_scan`` does for concerns' files (which it does not see).

Each upload is scanned by a background task; this catches what the task could not (the scanner
was down, the worker was stopped) and the files added before the hub's files were scanned. Run
it once after upgrading and from the same hourly timer as attachments_scan. Exits 1 when a file
could not be scanned, so a timer's failure shows up.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecase.concerns.models import ScanState
from safecase.core.actors import Actor
from safecase.core.scanning import ScannerUnavailable
from safecase.partnerships.models import SectionAttachment
from safecase.partnerships.request_actions import section_file_scan


class Command(BaseCommand):
    help = "Scan every hub section file still waiting for its virus scan; quarantine the infected."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = (
            SectionAttachment.objects.filter(scan_state=ScanState.PENDING)
            .select_related("organisation")
            .order_by("created_at")
        )
        counts = {ScanState.CLEAN: 0, ScanState.QUARANTINED: 0, ScanState.PENDING: 0}
        failures: list[str] = []
        for attachment in pending.iterator(chunk_size=100):
            actor = Actor.system("scanner", organisation=attachment.organisation)
            try:
                state = section_file_scan(actor=actor, attachment=attachment).scan_state
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
