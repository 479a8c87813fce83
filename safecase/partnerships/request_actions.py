"""Information requests and the agencies' sections: the hub asks an agency (due time from the
rating on the hub's calendar), the agency answers its own section (held for its approver, or
released at once), the approver releases it, files go with it, and a late request is escalated
once to the agency's approvers and the hub's staff.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.concerns.models import ScanState
from safecase.core import events, files
from safecase.core.actors import Actor
from safecase.core.errors import DomainError, NotPermitted
from safecase.core.scanning import ScanResult, get_scanner, scanning_enabled
from safecase.notifications.models import NotificationKind
from safecase.partnerships import clock, notices
from safecase.partnerships.choices import ReferralStatus, RequestStatus
from safecase.partnerships.guards import bump, moment, require_hub_staff, text
from safecase.partnerships.models import (
    HubAgency,
    HubReferral,
    InformationRequest,
    SectionAttachment,
)

MAX_FILE_BYTES = 10 * 1024 * 1024


def _request_payload(request: InformationRequest) -> dict[str, object]:
    return {
        "referral_id": str(request.referral_id),
        "information_request_id": str(request.pk),
        "status": request.status,
        "due_at": request.due_at.isoformat() if request.due_at else None,
    }


@transaction.atomic(durable=True)
def request_send(
    *,
    actor: Actor,
    referral: HubReferral,
    agencies: list[HubAgency],
    question: str = "",
    at: datetime | None = None,
) -> list[InformationRequest]:
    """Ask each chosen agency for what it knows; the due time comes from the rating on the
    hub's calendar (none for blue). An agency already asked is not asked twice."""
    user = require_hub_staff(actor, referral)
    if referral.status != ReferralStatus.OPEN:
        raise DomainError("This referral is decided; no more requests go out.")
    if not referral.rating:
        raise DomainError("Rate the referral first: the rating sets the agencies' clocks.")
    question = text(question, 2000, "the question", "question")
    if not agencies:
        raise DomainError("Choose at least one agency to ask.", field="agencies")
    if any(a.hub_id != referral.hub_id or not a.is_active for a in agencies):
        raise DomainError("Choose agencies from the hub's list.", field="agencies")
    asked = set(
        InformationRequest.objects.filter(referral=referral).values_list(
            "agency_organisation_id", flat=True
        )
    )
    fresh = [a for a in agencies if a.agency_organisation_id not in asked]
    if not fresh:
        raise DomainError("Every agency chosen has been asked already.", field="agencies")
    now = moment(at, not_before=referral.rated_at)
    due = clock.due_for(referral.hub, referral.rating, now)
    created = []
    for agency in fresh:
        request = InformationRequest.objects.create(
            organisation_id=referral.organisation_id,
            referral=referral,
            agency=agency,
            agency_organisation_id=agency.agency_organisation_id,
            question=question,
            requested_at=now,
            requested_by=user,
            due_at=due,
        )
        recorder.record(
            actor=actor,
            action=AuditAction.HUB_REQUEST_SENT,
            subject=request,
            organisation_id=referral.organisation_id,
            changes={
                "referral": referral.pk,
                "agency_organisation": agency.agency_organisation_id,
                "kind": agency.kind,
                "rating": referral.rating,
                "due_at": due,
            },
        )
        payload = _request_payload(request)
        events.publish(
            organisation_id=agency.agency_organisation_id,
            event_type=events.INFORMATION_REQUEST_DUE,
            payload=payload,
        )
        events.publish(
            organisation_id=referral.organisation_id,
            event_type=events.INFORMATION_REQUEST_DUE,
            payload=payload,
        )
        notices.tell_holders(
            agency.agency_organisation_id,
            Permission.HUB_ANSWER,
            NotificationKind.HUB_REQUEST_RECEIVED,
            request.pk,
        )
        created.append(request)
    return created


def _require_agency(actor: Actor, request: InformationRequest, perm: Permission) -> None:
    require(actor, perm)
    if not actor.is_system and actor.organisation_id != request.agency_organisation_id:
        raise NotPermitted("Only the agency asked answers its section.")
    if request.status == RequestStatus.WITHDRAWN:
        raise DomainError("The hub has decided this referral; the request was withdrawn.")


def _released(actor: Actor, request: InformationRequest, now: datetime) -> None:
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_REQUEST_RELEASED,
        subject=request,
        organisation_id=request.organisation_id,
        changes={"late": request.is_late_at(now)},
    )
    events.publish(
        organisation_id=request.organisation_id,
        event_type=events.INFORMATION_REQUEST_ANSWERED,
        payload=_request_payload(request),
    )


@transaction.atomic(durable=True)
def request_answer(
    *,
    actor: Actor,
    request: InformationRequest,
    version: int,
    answer: str,
    hold: bool = False,
    at: datetime | None = None,
) -> InformationRequest:
    """The agency's answer in its own section. Held: it waits for the agency's approver
    (HUB_RELEASE) before the hub sees it; otherwise it is released to the hub at once."""
    _require_agency(actor, request, Permission.HUB_ANSWER)
    if request.is_answered:
        raise DomainError("This section is already answered.")
    answer = text(answer, 10000, "the agency's answer", "answer", required=True)
    now = moment(at, not_before=request.requested_at)
    fields: dict[str, object] = {
        "answer": answer,
        "answered_at": now,
        "answered_by": actor.user,
        "status": RequestStatus.HELD if hold else RequestStatus.RELEASED,
    }
    if not hold:
        fields.update(released_at=now, released_by=actor.user)
    bump(InformationRequest, request, version, "section", **fields)
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_REQUEST_ANSWERED,
        subject=request,
        organisation_id=request.organisation_id,
        changes={"held": hold, "answered_at": now},
    )
    if not hold:
        _released(actor, request, now)
    return request


@transaction.atomic(durable=True)
def request_release(
    *, actor: Actor, request: InformationRequest, version: int, at: datetime | None = None
) -> InformationRequest:
    """The agency's approver releases a held answer to the hub."""
    _require_agency(actor, request, Permission.HUB_RELEASE)
    if request.status != RequestStatus.HELD:
        raise DomainError("Only a held answer can be released.")
    now = moment(at, not_before=request.answered_at)
    bump(
        InformationRequest,
        request,
        version,
        "section",
        status=RequestStatus.RELEASED,
        released_at=now,
        released_by=actor.user,
    )
    _released(actor, request, now)
    return request


@transaction.atomic(durable=True)
def section_file_add(
    *, actor: Actor, request: InformationRequest, name: str, data: bytes
) -> SectionAttachment:
    """A file in the agency's section, inspected, stripped of metadata and stored encrypted
    (as concern attachments are); only before the section is released. It waits for its virus
    scan (a task queued once the file is committed) and is served only once clean; with
    scanning off it counts as clean at once, marked "off"."""
    _require_agency(actor, request, Permission.HUB_ANSWER)
    if request.is_released:
        raise DomainError("This section is released; it no longer changes.")
    inspected = files.inspect_upload(name, data, max_bytes=MAX_FILE_BYTES)
    cleaned = files.strip_metadata(inspected, data)
    attachment = SectionAttachment(
        id=uuid.uuid4(),
        organisation_id=request.organisation_id,
        request=request,
        uploaded_by=actor.user,
        display_name=inspected.name[:160],
        mime=inspected.mime,
        size=cleaned.size,
        sha256=cleaned.sha256,
        scan_state=ScanState.PENDING,
    )
    if not scanning_enabled():
        attachment.scan_state = ScanState.CLEAN
        attachment.scanned_by = "off"
        attachment.scanned_at = timezone.now()
    attachment.storage_name = files.store_encrypted(cleaned.data, aad=attachment.aad)
    # If the row or its audit event fails, remove the stored file too.
    try:
        attachment.save(force_insert=True)
        recorder.record(
            actor=actor,
            action=AuditAction.HUB_SECTION_FILE_ADDED,
            subject=attachment,
            organisation_id=request.organisation_id,
            changes={
                "request": request.pk,
                "mime": attachment.mime,
                "size": attachment.size,
                "scan": attachment.scan_state,
            },
        )
    except Exception:
        files.delete_stored(attachment.storage_name)
        raise
    _scan_after_commit(attachment)
    return attachment


def _scan_after_commit(attachment: SectionAttachment) -> None:
    if attachment.scan_state == ScanState.PENDING:
        from safecase.partnerships.tasks import scan_section_file

        attachment_id = str(attachment.pk)
        transaction.on_commit(lambda: scan_section_file.enqueue(attachment_id=attachment_id))


def section_file_scan(*, actor: Actor, attachment: SectionAttachment) -> SectionAttachment:
    """Scan a section's file still waiting for its virus scan and record the verdict: clean, or
    quarantined (never served, audited, shown on the section). Only the system does this (the
    scan task, ``manage.py hub_files_scan``), for the file's own (the hub's) organisation.
    The scan runs outside any transaction; the verdict is written in one. No verdict:
    ScannerUnavailable, and the file stays pending."""
    if not actor.is_system or actor.organisation_id != attachment.organisation_id:
        raise NotPermitted("Only the virus scanner records a scan.")
    if attachment.scan_state != ScanState.PENDING:
        return attachment
    data = files.open_decrypted(attachment.storage_name, aad=attachment.aad)
    result = get_scanner().scan(data)
    return _record_scan(actor=actor, attachment_id=attachment.pk, result=result)


@transaction.atomic(durable=True)
def _record_scan(*, actor: Actor, attachment_id: Any, result: ScanResult) -> SectionAttachment:
    attachment = SectionAttachment.objects.select_for_update().get(pk=attachment_id)
    if attachment.scan_state != ScanState.PENDING:
        return attachment  # another scan recorded its verdict first
    attachment.scan_state = ScanState.QUARANTINED if result.infected else ScanState.CLEAN
    attachment.scanned_by = result.scanner
    attachment.scanned_at = timezone.now()
    attachment.scan_signature = result.signature
    attachment.save(
        update_fields=["scan_state", "scanned_by", "scanned_at", "scan_signature", "updated_at"]
    )
    changes: dict[str, Any] = {"request": attachment.request_id, "scanner": result.scanner}
    if result.infected:
        changes["signature"] = result.signature
    recorder.record(
        actor=actor,
        action=(
            AuditAction.HUB_FILE_QUARANTINED if result.infected else AuditAction.HUB_FILE_SCANNED
        ),
        subject=attachment,
        organisation_id=attachment.organisation_id,
        changes=changes,
    )
    return attachment


NOT_DOWNLOADABLE = {
    ScanState.PENDING: "This file is waiting for the virus check. Try again in a few minutes.",
    ScanState.QUARANTINED: "This file is held back: a virus was found in it. "
    "It cannot be downloaded.",
}


@transaction.atomic(durable=True)
def request_escalate(*, actor: Actor, request: InformationRequest) -> InformationRequest:
    """A request past its due time and not released: tell the agency's approvers (or, with
    none, its leads) and the hub's staff, once."""
    if not actor.is_system:
        raise NotPermitted("Late requests are escalated by the hub's scheduled sweep.")
    now = timezone.now()
    if request.escalated_at is not None or not request.is_late_at(now):
        raise DomainError("This request is not late, or was escalated already.")
    updated = InformationRequest.objects.filter(pk=request.pk, escalated_at__isnull=True).update(
        escalated_at=now, updated_at=now
    )
    if updated != 1:
        raise DomainError("This request was escalated already.")
    request.escalated_at = now
    agency_people = notices.holders(request.agency_organisation_id, Permission.HUB_RELEASE)
    if not agency_people:
        agency_people = notices.holders(request.agency_organisation_id, Permission.HUB_ANSWER)
    hub_people = notices.holders(request.organisation_id, Permission.HUB_MANAGE)
    for org_id, people in (
        (request.agency_organisation_id, agency_people),
        (request.organisation_id, hub_people),
    ):
        notices.tell(org_id, people, NotificationKind.HUB_REQUEST_LATE, request.pk)
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_REQUEST_ESCALATED,
        subject=request,
        organisation_id=request.organisation_id,
        changes={
            "due_at": request.due_at,
            "agency_organisation": request.agency_organisation_id,
            "told": sorted(str(u.pk) for u in [*agency_people, *hub_people]),
        },
    )
    return request


@transaction.atomic(durable=True)
def section_share(
    *, actor: Actor, request: InformationRequest, version: int, reason: str
) -> InformationRequest:
    """The hub shows a released section to every party of the referral (the other agencies
    asked and the referrer), with its reason; by default only its agency and the hub see it."""
    require_hub_staff(actor, request.referral)
    if not request.is_released:
        raise DomainError("Only a released answer can be shared.")
    if request.shared_at is not None:
        raise DomainError("This section is already shared.")
    reason = text(reason, 500, "why the section is shared", "reason", required=True)
    bump(
        InformationRequest,
        request,
        version,
        "section",
        shared_at=timezone.now(),
        shared_reason=reason,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_SECTION_SHARED,
        subject=request,
        reason=reason,
        organisation_id=request.organisation_id,
        changes={"agency_organisation": request.agency_organisation_id},
    )
    return request
