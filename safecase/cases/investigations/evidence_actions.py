"""The evidence register's actions: recording an item, adding its file, the file's virus scan,
reading it (a download), and the chain of custody.

Files go through exactly the checks and storage of a concern's attachments
(safecase.core.files): the allow-list checked against the content, the size limit, metadata
removed, encrypted (AES-256-GCM, bound to this row) under a generated name; served only once
the virus scan found them clean. The register keeps the SHA-256 of the stored plaintext (what
a download can be checked against) and of the file as received.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.investigations import events
from safecase.cases.investigations.models import CustodyEntry, EvidenceItem, Investigation
from safecase.cases.investigations.rules import not_in_future, optional_text, require_running
from safecase.concerns.models import ScanState
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.core.files import (
    delete_stored,
    inspect_upload,
    open_decrypted,
    store_encrypted,
    strip_metadata,
)
from safecase.core.scanning import ScanResult, get_scanner, scanning_enabled


def _line(value: str, what: str, field: str, limit: int) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise DomainError(f"Give {what}.", field=field)
    if len(cleaned) > limit:
        raise DomainError(f"Keep it under {limit} characters.", field=field)
    return cleaned


@transaction.atomic(durable=True)
def evidence_record(
    *,
    actor: Actor,
    investigation: Investigation,
    item: str,
    source: str,
    obtained_on: date,
    description: str = "",
    file_name: str = "",
    file_data: bytes | None = None,
) -> EvidenceItem:
    """Add an item to the evidence register: what it is, where it came from, when it was
    obtained (not in the future), and optionally its file (checked, encrypted)."""
    case = investigation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    require_running(investigation)
    evidence = EvidenceItem(
        id=uuid.uuid4(),
        organisation_id=case.organisation_id,
        investigation=investigation,
        item=_line(item, "what the item is", "item", 200),
        source=_line(source, "where the item came from (its source)", "source", 300),
        description=optional_text(description, "description"),
        obtained_on=obtained_on,
        recorded_by=actor.user,
    )
    not_in_future(obtained_on, "date obtained", "obtained_on")
    if file_data is not None:
        _store_file(evidence, actor, file_name, file_data)
    try:
        evidence.save(force_insert=True)
        chronology.event_added(case, events.evidence_event(evidence, case_id=case.pk))
        recorder.record(
            actor=actor,
            action=AuditAction.EVIDENCE_RECORDED,
            subject=case,
            changes={"evidence": evidence.pk, **_file_changes(evidence)},
        )
    except Exception:
        if evidence.storage_name:
            delete_stored(evidence.storage_name)
        raise
    _scan_after_commit(evidence)
    return evidence


@transaction.atomic(durable=True)
def evidence_add_file(
    *, actor: Actor, evidence: EvidenceItem, name: str, data: bytes
) -> EvidenceItem:
    """Add the file of an item that has none yet (an item's file, once added, never changes)."""
    case = evidence.investigation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    locked = EvidenceItem.objects.select_for_update().get(pk=evidence.pk)
    if locked.storage_name:
        raise DomainError(
            "This item already has its file; record another item for another file.", field="file"
        )
    _store_file(locked, actor, name, data)
    try:
        locked.save(
            update_fields=[
                "storage_name",
                "display_name",
                "mime",
                "size",
                "sha256",
                "received_sha256",
                "file_added_by",
                "file_added_at",
                "scan_state",
                "scanned_by",
                "scanned_at",
                "updated_at",
            ]
        )
        recorder.record(
            actor=actor,
            action=AuditAction.EVIDENCE_FILE_ADDED,
            subject=case,
            changes={"evidence": locked.pk, **_file_changes(locked)},
        )
    except Exception:
        delete_stored(locked.storage_name)
        raise
    _scan_after_commit(locked)
    return locked


def _store_file(evidence: EvidenceItem, actor: Actor, name: str, data: bytes) -> None:
    inspected = inspect_upload(name, data, max_bytes=settings.SAFECASE_MAX_UPLOAD_BYTES)
    cleaned = strip_metadata(inspected, data)
    evidence.display_name = inspected.name
    evidence.mime = inspected.mime
    evidence.size = cleaned.size
    evidence.sha256 = cleaned.sha256
    evidence.received_sha256 = inspected.sha256
    evidence.file_added_by = actor.user
    evidence.file_added_at = timezone.now()
    evidence.scan_state = ScanState.PENDING
    if not scanning_enabled():
        evidence.scan_state = ScanState.CLEAN
        evidence.scanned_by = "off"
        evidence.scanned_at = timezone.now()
    evidence.storage_name = store_encrypted(cleaned.data, aad=evidence.aad)


def _file_changes(evidence: EvidenceItem) -> dict[str, Any]:
    if not evidence.storage_name:
        return {"file": False}
    return {
        "file": True,
        "sha256": evidence.sha256,
        "received_sha256": evidence.received_sha256,
        "size": evidence.size,
        "scan": evidence.scan_state,
    }


def _scan_after_commit(evidence: EvidenceItem) -> None:
    if evidence.scan_state == ScanState.PENDING:
        from safecase.cases.investigations.tasks import scan_evidence_file

        evidence_id = str(evidence.pk)
        transaction.on_commit(lambda: scan_evidence_file.enqueue(evidence_id=evidence_id))


def evidence_scan(*, actor: Actor, evidence: EvidenceItem) -> EvidenceItem:
    """Scan an evidence file still waiting for its virus scan and record the verdict, as the
    system (the scan task), for the file's own organisation. The scan runs outside any
    transaction; the verdict is written in one. No verdict: ScannerUnavailable, still pending."""
    if not actor.is_system or actor.organisation_id != evidence.organisation_id:
        raise NotPermitted("Only the virus scanner records a scan.")
    if evidence.scan_state != ScanState.PENDING:
        return evidence
    data = open_decrypted(evidence.storage_name, aad=evidence.aad)
    return _record_scan(actor=actor, evidence_id=evidence.pk, result=get_scanner().scan(data))


@transaction.atomic(durable=True)
def _record_scan(*, actor: Actor, evidence_id: Any, result: ScanResult) -> EvidenceItem:
    evidence = (
        EvidenceItem.objects.select_for_update()
        .select_related("investigation__case")
        .get(pk=evidence_id)
    )
    if evidence.scan_state != ScanState.PENDING:
        return evidence  # another scan recorded its verdict first
    evidence.scan_state = ScanState.QUARANTINED if result.infected else ScanState.CLEAN
    evidence.scanned_by = result.scanner
    evidence.scanned_at = timezone.now()
    evidence.scan_signature = result.signature
    evidence.save(
        update_fields=["scan_state", "scanned_by", "scanned_at", "scan_signature", "updated_at"]
    )
    changes: dict[str, Any] = {"evidence": evidence.pk, "scanner": result.scanner}
    if result.infected:
        changes["signature"] = result.signature
    recorder.record(
        actor=actor,
        action=(
            AuditAction.EVIDENCE_FILE_QUARANTINED
            if result.infected
            else AuditAction.EVIDENCE_FILE_SCANNED
        ),
        subject=evidence.investigation.case,
        organisation_id=evidence.organisation_id,
        changes=changes,
    )
    return evidence


_NOT_DOWNLOADABLE = {
    ScanState.PENDING: "This file is still being checked for viruses. Try again in a few minutes.",
    ScanState.QUARANTINED: "This file was quarantined: the virus scanner found something in it. "
    "It cannot be downloaded.",
}


def evidence_read_file(*, actor: Actor, evidence: EvidenceItem) -> bytes:
    """Decrypt an evidence file for someone of the owning organisation who may see the case,
    and record that they did (committed before the file is handed over)."""
    case = evidence.investigation.case
    guards.require_case_access(actor, case, Permission.CASE_VIEW)
    if not evidence.storage_name:
        raise DomainError("This item has no file.")
    if evidence.scan_state != ScanState.CLEAN:
        raise Conflict(_NOT_DOWNLOADABLE[ScanState(evidence.scan_state)])
    data = open_decrypted(evidence.storage_name, aad=evidence.aad)
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.EVIDENCE_FILE_DOWNLOADED,
        subject=case,
        changes={"evidence": evidence.pk, "sha256": evidence.sha256},
    )
    return data


@transaction.atomic(durable=True)
def custody_record(
    *,
    actor: Actor,
    evidence: EvidenceItem,
    from_whom: str,
    to_whom: str,
    transferred_at: datetime,
    purpose: str,
) -> CustodyEntry:
    """Add one handing-over to the item's chain of custody (append-only). Allowed after the
    investigation is concluded too: an item may still pass to the police or back."""
    case = evidence.investigation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    giver = _line(from_whom, "who handed the item over", "from_whom", 200)
    taker = _line(to_whom, "who received the item", "to_whom", 200)
    why = _line(purpose, "the purpose of the handing-over", "purpose", 300)
    not_in_future(transferred_at, "date and time of the handing-over", "transferred_at")
    if transferred_at.date() < evidence.obtained_on:
        raise DomainError(
            "An item cannot change hands before it was obtained.", field="transferred_at"
        )
    entry = CustodyEntry.objects.create(
        organisation_id=case.organisation_id,
        evidence=evidence,
        from_whom=giver,
        to_whom=taker,
        transferred_at=transferred_at,
        purpose=why,
        recorded_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.EVIDENCE_CUSTODY_RECORDED,
        subject=case,
        changes={"evidence": evidence.pk, "custody": entry.pk},
    )
    return entry
