"""The background task that scans a file newly added to an agency's section for viruses, as
the concerns' attachments are scanned (safecase.concerns.tasks.scan_attachment, with its retry
delays). What it cannot scan, ``manage.py hub_files_scan`` scans later."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from safecase.concerns.models import ScanState
from safecase.core.actors import Actor
from safecase.core.scanning import SCAN_ATTEMPTS, SCAN_RETRY_DELAYS, ScannerUnavailable
from safecase.partnerships.models import SectionAttachment

logger = logging.getLogger(__name__)


@task()
def scan_section_file(attachment_id: str, attempt: int = 1) -> str:
    """Scan one section file and record the verdict, as the system for the hub's organisation;
    returns its scan state. Without a verdict the file stays pending (never served) and the
    task tries again later, up to SCAN_ATTEMPTS times."""
    from safecase.partnerships.request_actions import section_file_scan

    attachment = (
        SectionAttachment.objects.select_related("organisation").filter(pk=attachment_id).first()
    )
    if attachment is None:
        return "missing"
    actor = Actor(
        user=None, organisation=attachment.organisation, channel="task", system_label="scanner"
    )
    try:
        return section_file_scan(actor=actor, attachment=attachment).scan_state
    except ScannerUnavailable as exc:
        attempt = max(attempt, 1)
        if attempt >= SCAN_ATTEMPTS or not scan_section_file.get_backend().supports_defer:
            logger.warning(
                "Hub section file %s: no virus scan verdict after %d attempt(s) (%s); it stays "
                "pending until manage.py hub_files_scan scans it",
                attachment_id,
                attempt,
                exc,
            )
            raise
        run_after = timezone.now() + SCAN_RETRY_DELAYS[attempt - 1]
        scan_section_file.using(run_after=run_after).enqueue(
            attachment_id=attachment_id, attempt=attempt + 1
        )
        return ScanState.PENDING.value
