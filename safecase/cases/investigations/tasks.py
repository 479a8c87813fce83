"""The background task that scans a newly added evidence file for viruses, as the concerns'
attachments are scanned (safecase.concerns.tasks.scan_attachment, with its retry delays)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from safecase.cases.investigations.models import EvidenceItem
from safecase.concerns.models import ScanState
from safecase.core.actors import Actor
from safecase.core.scanning import SCAN_ATTEMPTS, SCAN_RETRY_DELAYS, ScannerUnavailable

logger = logging.getLogger(__name__)


@task()
def scan_evidence_file(evidence_id: str, attempt: int = 1) -> str:
    """Scan one evidence file and record the verdict, as the system; returns its scan state.
    Without a verdict the file stays pending (never served) and the task tries again later."""
    from safecase.cases.investigations.evidence_actions import evidence_scan

    evidence = EvidenceItem.objects.select_related("organisation").filter(pk=evidence_id).first()
    if evidence is None:
        return "missing"
    actor = Actor(
        user=None, organisation=evidence.organisation, channel="task", system_label="scanner"
    )
    try:
        return evidence_scan(actor=actor, evidence=evidence).scan_state
    except ScannerUnavailable as exc:
        attempt = max(attempt, 1)
        if attempt >= SCAN_ATTEMPTS or not scan_evidence_file.get_backend().supports_defer:
            logger.warning(
                "Evidence file %s: no virus scan verdict after %d attempt(s) (%s)",
                evidence_id,
                attempt,
                exc,
            )
            raise
        run_after = timezone.now() + SCAN_RETRY_DELAYS[attempt - 1]
        scan_evidence_file.using(run_after=run_after).enqueue(
            evidence_id=evidence_id, attempt=attempt + 1
        )
        return ScanState.PENDING.value
