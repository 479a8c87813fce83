"""Recording, submitting, correcting and triaging concerns; setting and completing actions.

Every function here is the only way its change happens, checks the policy itself, and writes
its audit event in the same transaction. Narrative text never goes into the audit trail.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can, require
from safecase.accounts.models import Membership, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.concerns import body_map, chronology, patterns, selectors
from safecase.concerns.choices import (
    NOT_REFERRED,
    ActionStatus,
    ConcernKind,
    ConcernStatus,
    LevelOfNeed,
    PersonRole,
    Rag,
    TriageDecision,
)
from safecase.concerns.models import (
    Addendum,
    Attachment,
    Concern,
    ConcernAction,
    ConcernPerson,
    PatternAlert,
    ScanState,
    Triage,
)
from safecase.concerns.tasks import (
    evaluate_patterns,
    notify_leads_of_urgent_concern,
    notify_of_quarantine,
    notify_owner_of_action,
    scan_attachment,
)
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
from safecase.insight import search
from safecase.people.models import Person

TEXT_FIELDS = ("fact", "own_words", "opinion", "immediate_actions", "others_informed")
MAX_PEOPLE = 12
MAX_ATTACHMENTS = 20


def _stale() -> Conflict:
    return Conflict(
        "This concern changed since you opened it (perhaps in another window). "
        "Reload it to see the current version."
    )


def _clean_people(people: list[dict[str, str]]) -> list[dict[str, str]]:
    cleaned = []
    for row in people:
        name = " ".join(str(row.get("name", "")).split())
        if not name:
            continue
        role = str(row.get("role") or PersonRole.SUBJECT)
        if role not in PersonRole.values:
            raise DomainError("Choose how each person is involved.", field="people")
        details = " ".join(str(row.get("details", "")).split())[:200]
        cleaned.append({"name": name[:200], "details": details, "role": role})
    if len(cleaned) > MAX_PEOPLE:
        raise DomainError(f"Name at most {MAX_PEOPLE} people in one concern.", field="people")
    return cleaned


@transaction.atomic(durable=True)
def concern_save_draft(
    *,
    actor: Actor,
    concern: Concern | None,
    version: int | None,
    people: list[dict[str, str]],
    category_codes: list[str],
    kind: str = ConcernKind.CHILD,
    recorder_role: str = "",
    is_urgent: bool = False,
    happened_at: datetime | None = None,
    happened_at_approximate: bool = False,
    location: str = "",
    body_marks: list[dict[str, Any]] | None = None,
    **text: str,
) -> Concern:
    """Create or update the actor's own draft. Only its author ever sees or changes a draft."""
    require(actor, Permission.CONCERN_RECORD)
    assert actor.user is not None and actor.organisation is not None
    unknown = set(text) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    if kind not in ConcernKind.values:
        raise DomainError("Choose what kind of concern this is.", field="kind")
    if happened_at is not None and happened_at > timezone.now():
        raise DomainError("When it happened cannot be in the future.", field="happened_at")
    categories = list(selectors.categories_for(actor).filter(code__in=category_codes))
    if len(categories) != len(set(category_codes)):
        raise DomainError("Choose categories from the list.", field="categories")
    marks = body_map.clean_marks(body_marks or [])
    named = _clean_people(people)
    fields: dict[str, Any] = {
        "kind": kind,
        "recorder_role": recorder_role.strip()[:120],
        "is_urgent": is_urgent,
        "happened_at": happened_at,
        "happened_at_approximate": happened_at_approximate,
        "location": " ".join(location.split())[:200],
        "body_map": marks,
        **{name: text.get(name, "").strip() for name in TEXT_FIELDS},
    }
    is_new = concern is None
    if concern is None:
        concern = Concern.objects.create(
            organisation=actor.organisation, recorded_by=actor.user, **fields
        )
    else:
        if (
            concern.recorded_by_id != actor.user.pk
            or concern.organisation_id != actor.organisation.pk
        ):
            raise NotPermitted("You can only change your own drafts.")
        updated = Concern.objects.filter(
            pk=concern.pk, version=version, status=ConcernStatus.DRAFT
        ).update(**fields, version=F("version") + 1, updated_at=timezone.now())
        if updated != 1:
            raise _stale()
        concern.refresh_from_db()
        concern.people.all().delete()
    ConcernPerson.objects.bulk_create(
        ConcernPerson(
            organisation=actor.organisation,
            concern=concern,
            name_as_recorded=row["name"],
            details_as_recorded=row["details"],
            role=row["role"],
        )
        for row in named
    )
    if is_new:
        concern.categories.add(*categories)  # nothing to compare with: no read first
    else:
        concern.categories.set(categories)
    recorder.record(
        actor=actor,
        action=AuditAction.CONCERN_DRAFT_SAVED,
        subject=concern,
        changes={"people": len(named), "categories": sorted(category_codes), "urgent": is_urgent},
    )
    return concern


@transaction.atomic(durable=True)
def concern_submit(*, actor: Actor, concern: Concern, version: int) -> Concern:
    """Send the draft to the safeguarding lead. From now on it never changes (R5)."""
    require(actor, Permission.CONCERN_RECORD)
    if actor.user is None or concern.recorded_by_id != actor.user.pk:
        raise NotPermitted("You can only submit your own concerns.")
    _require_own_organisation(actor, concern)
    # Read once what the checks, the audit event and the search document all use. They cannot
    # change under us unnoticed: only the author changes a draft, and each change bumps the
    # version the update below requires. A draft has no addenda yet.
    prefetch_related_objects([concern], "people", "categories")
    concern._prefetched_objects_cache["addenda"] = Addendum.objects.none()
    problems = []
    if not concern.people.all():
        problems.append("name at least one person")
    if not concern.categories.all():
        problems.append("choose at least one category")
    if not (concern.fact.strip() or concern.own_words.strip()):
        problems.append("say what you saw or heard, or what you were told")
    if concern.happened_at is None:
        problems.append("say when it happened (tick 'approximate' if you are not sure)")
    if problems:
        raise DomainError("Before you submit: " + "; ".join(problems) + ".")
    now = timezone.now()
    updated = Concern.objects.filter(
        pk=concern.pk, version=version, status=ConcernStatus.DRAFT
    ).update(
        status=ConcernStatus.SUBMITTED, submitted_at=now, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise _stale()
    # The update matched this version, so nothing else changed: no need to read it back.
    concern.status, concern.submitted_at, concern.updated_at = ConcernStatus.SUBMITTED, now, now
    concern.version = version + 1
    recorder.record(
        actor=actor,
        action=AuditAction.CONCERN_SUBMITTED,
        subject=concern,
        changes={
            "kind": concern.kind,
            "urgent": concern.is_urgent,
            "categories": sorted(c.code for c in concern.categories.all()),
        },
    )
    search.index_concern(concern)
    if concern.is_urgent:
        concern_id = str(concern.pk)
        transaction.on_commit(lambda: notify_leads_of_urgent_concern.enqueue(concern_id=concern_id))
    _after_commit_evaluate(concern)
    # Forget what was read for the submission: a caller keeping this object must not see its
    # names' person links or its addenda as they were at this moment.
    concern._prefetched_objects_cache = {}
    return concern


def _require_visible(actor: Actor, concern: Concern) -> None:
    if not selectors.concerns_visible_to(actor).filter(pk=concern.pk).exists():
        raise NotPermitted("Not found.")


def _require_own_organisation(actor: Actor, record: Concern | ConcernAction) -> None:
    """Only the owning organisation changes its records; a share lets a partner read, never
    write (addenda, links, files and actions included)."""
    if actor.is_system:
        return
    if actor.organisation is None or record.organisation_id != actor.organisation.pk:
        raise NotPermitted("Not found.")


@transaction.atomic(durable=True)
def concern_add_addendum(*, actor: Actor, concern: Concern, reason: str, text: str) -> Addendum:
    """Correct or add to a submitted concern; the original stays as it was."""
    require(actor, Permission.CONCERN_RECORD)
    _require_visible(actor, concern)
    _require_own_organisation(actor, concern)
    assert actor.user is not None
    if not reason.strip() or not text.strip():
        raise DomainError("Give the reason for the addendum and what you are adding.")
    addendum = Addendum.objects.create(
        organisation_id=concern.organisation_id,
        concern=concern,
        author=actor.user,
        reason=reason.strip()[:300],
        text=text.strip(),
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CONCERN_ADDENDUM_ADDED,
        subject=concern,
        reason=reason.strip()[:300],
    )
    chronology.source_added(concern, addendum)
    search.index_concern(concern)
    return addendum


@transaction.atomic(durable=True)
def concern_link_person(
    *, actor: Actor, concern_person: ConcernPerson, person: Person | None
) -> ConcernPerson:
    """Say which person record a name in a concern refers to (or unlink it with None)."""
    require(actor, Permission.CONCERN_TRIAGE, concern_person.concern)
    _require_visible(actor, concern_person.concern)
    _require_own_organisation(actor, concern_person.concern)
    if person is not None:
        require(actor, Permission.PERSON_VIEW, person)
        if person.organisation_id != concern_person.organisation_id:
            raise DomainError("Link people from your own organisation's records.")
    previous = concern_person.person_id
    concern_person.person = person
    concern_person.save(update_fields=["person", "updated_at"])
    if previous is not None and previous != concern_person.person_id:
        chronology.concern_unlinked(concern_person.concern, previous)
    if person is not None and previous != person.pk:
        chronology.concern_linked(concern_person.concern, person.pk)
    recorder.record(
        actor=actor,
        action=AuditAction.CONCERN_PERSON_LINKED,
        subject=concern_person.concern,
        changes={"person": [previous, person.pk if person else None]},
    )
    _after_commit_evaluate(concern_person.concern)
    return concern_person


@transaction.atomic(durable=True)
def concern_triage(
    *,
    actor: Actor,
    concern: Concern,
    version: int,
    level_of_need: int,
    rag: str,
    initial_risk: str,
    decision: str,
    rationale: str,
    threshold_considered: str = "",
    review_on: date | None = None,
) -> Triage:
    """Record the lead's decision with its reasons (T2). A decision not to refer must say which
    threshold was considered and when to look again; that date brings it back to the queue (T5)."""
    require(actor, Permission.CONCERN_TRIAGE, concern)
    _require_visible(actor, concern)
    assert actor.user is not None
    if level_of_need not in LevelOfNeed.values:
        raise DomainError("Choose the level of need.", field="level_of_need")
    if rag not in Rag.values:
        raise DomainError("Choose how urgent this is.", field="rag")
    if decision not in TriageDecision.values:
        raise DomainError("Choose a decision.", field="decision")
    if len(rationale.strip()) < 10:
        raise DomainError(
            "Write the rationale for this decision: an inspector or a court will ask why.",
            field="rationale",
        )
    if not initial_risk.strip():
        raise DomainError("Describe the initial risk, even if it is low.", field="initial_risk")
    not_referred = decision in NOT_REFERRED
    if not_referred:
        if not threshold_considered.strip():
            raise DomainError(
                "Say which threshold you considered and why it is not met.",
                field="threshold_considered",
            )
        if review_on is None or review_on <= timezone.localdate():
            raise DomainError("Choose a future date to look at this again.", field="review_on")
    now = timezone.now()
    updated = Concern.objects.filter(
        pk=concern.pk, version=version, status=ConcernStatus.SUBMITTED
    ).update(
        triaged_at=now,
        review_due_on=review_on if not_referred else None,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated != 1:
        raise _stale()
    triage = Triage.objects.create(
        organisation_id=concern.organisation_id,
        concern=concern,
        triaged_by=actor.user,
        level_of_need=level_of_need,
        rag=rag,
        initial_risk=initial_risk.strip(),
        decision=decision,
        rationale=rationale.strip(),
        threshold_considered=threshold_considered.strip(),
        review_on=review_on if not_referred else None,
    )
    chronology.source_added(concern, triage)
    concern.refresh_from_db()
    recorder.record(
        actor=actor,
        action=AuditAction.CONCERN_TRIAGED,
        subject=concern,
        reason=rationale.strip()[:1000],
        changes={
            "decision": decision,
            "level_of_need": level_of_need,
            "rag": rag,
            "review_on": review_on if not_referred else None,
        },
    )
    _after_commit_evaluate(concern)
    return triage


@transaction.atomic(durable=True)
def action_create(
    *, actor: Actor, concern: Concern, description: str, owner: User, due_on: date
) -> ConcernAction:
    """Give someone in the organisation something to do about a concern, by a date (T3)."""
    require(actor, Permission.CONCERN_TRIAGE, concern)
    _require_visible(actor, concern)
    assert actor.user is not None
    if not description.strip():
        raise DomainError("Say what needs doing.", field="description")
    if due_on < timezone.localdate():
        raise DomainError("The due date cannot be in the past.", field="due_on")
    if not Membership.objects.filter(
        user=owner, organisation_id=concern.organisation_id, is_active=True
    ).exists():
        raise DomainError("The owner must be an active member of your organisation.", field="owner")
    action = ConcernAction.objects.create(
        organisation_id=concern.organisation_id,
        concern=concern,
        description=description.strip()[:300],
        owner=owner,
        due_on=due_on,
        created_by=actor.user,
    )
    chronology.source_added(concern, action)
    recorder.record(
        actor=actor,
        action=AuditAction.ACTION_CREATED,
        subject=action,
        changes={"owner": owner.pk, "due_on": due_on, "concern": concern.pk},
    )
    notify_owner_of_action(actor=actor, action=action)
    return action


@transaction.atomic(durable=True)
def action_complete(*, actor: Actor, action: ConcernAction, note: str = "") -> ConcernAction:
    """Mark an action done: by its owner, or by the safeguarding lead."""
    if actor.user is None or (
        action.owner_id != actor.user.pk and not can(actor, Permission.CONCERN_TRIAGE, action)
    ):
        raise NotPermitted("Only the owner or the safeguarding lead can complete this action.")
    _require_own_organisation(actor, action)
    if action.status == ActionStatus.DONE:
        return action
    action.status = ActionStatus.DONE
    action.completed_at = timezone.now()
    action.save(update_fields=["status", "completed_at", "updated_at"])
    chronology.action_changed(action)
    recorder.record(
        actor=actor, action=AuditAction.ACTION_COMPLETED, subject=action, reason=note.strip()[:300]
    )
    return action


@transaction.atomic(durable=True)
def attachment_add(
    *, actor: Actor, concern: Concern, name: str, data: bytes, reason: str = ""
) -> Attachment:
    """Attach a checked, encrypted file to the actor's draft, or (with a reason) to a submitted
    concern they may see. Raises RejectedFile (a DomainError) with a plain-English message.

    Metadata (EXIF with GPS, XMP, PDF document information) is removed before the file is
    stored, so ``sha256`` and ``size`` are the stored file's; the audit event also keeps the
    received file's hash. The file waits for its virus scan (a task, after commit) before anyone
    can download it; with scanning off it is marked clean at once, unscanned."""
    require(actor, Permission.CONCERN_RECORD)
    assert actor.user is not None
    if concern.is_submitted:
        _require_visible(actor, concern)
        _require_own_organisation(actor, concern)
        if not reason.strip():
            raise DomainError(
                "Say why you are adding this file to a submitted concern.", field="reason"
            )
    elif concern.recorded_by_id != actor.user.pk:
        raise NotPermitted("You can only add files to your own drafts.")
    if concern.attachments.count() >= MAX_ATTACHMENTS:
        raise DomainError(f"A concern can hold up to {MAX_ATTACHMENTS} files.", field="file")
    inspected = inspect_upload(name, data, max_bytes=settings.SAFECASE_MAX_UPLOAD_BYTES)
    cleaned = strip_metadata(inspected, data)
    attachment = Attachment(
        id=uuid.uuid4(),
        organisation_id=concern.organisation_id,
        concern=concern,
        uploaded_by=actor.user,
        display_name=inspected.name,
        mime=inspected.mime,
        size=cleaned.size,
        sha256=cleaned.sha256,
        reason=reason.strip()[:300],
    )
    if not scanning_enabled():
        attachment.scan_state = ScanState.CLEAN
        attachment.scanned_by = "off"
        attachment.scanned_at = timezone.now()
    attachment.storage_name = store_encrypted(cleaned.data, aad=attachment.aad)
    # If the row or its audit event fails, remove the stored file too.
    try:
        attachment.save(force_insert=True)
        recorder.record(
            actor=actor,
            action=AuditAction.ATTACHMENT_ADDED,
            subject=concern,
            reason=reason.strip()[:300],
            changes={
                "attachment": attachment.pk,
                "sha256": cleaned.sha256,
                "size": cleaned.size,
                "received_sha256": inspected.sha256,
                "metadata": cleaned.metadata,
                "scan": attachment.scan_state,
            },
        )
    except Exception:
        delete_stored(attachment.storage_name)
        raise
    if attachment.scan_state == ScanState.PENDING:
        attachment_id = str(attachment.pk)
        transaction.on_commit(lambda: scan_attachment.enqueue(attachment_id=attachment_id))
    return attachment


_NOT_DOWNLOADABLE = {
    ScanState.PENDING: "This file is still being checked for viruses. Try again in a few minutes.",
    ScanState.QUARANTINED: "This file was quarantined: the virus scanner found something in it. "
    "It cannot be downloaded. Your safeguarding lead can see that it was quarantined.",
}


def attachment_scan(*, actor: Actor, attachment: Attachment) -> Attachment:
    """Scan a file still waiting for its virus scan and record the verdict: clean, or
    quarantined (never served, audited, shown on the concern). Only the system does this (the
    scan task, ``manage.py attachments_scan``), for the file's own organisation.

    The scan runs outside any transaction (it may take seconds); the verdict is written in one.
    A scanner that gives no verdict raises ScannerUnavailable and the file stays pending."""
    if not actor.is_system or actor.organisation_id != attachment.organisation_id:
        raise NotPermitted("Only the virus scanner records a scan.")
    if attachment.scan_state != ScanState.PENDING:
        return attachment
    data = open_decrypted(attachment.storage_name, aad=attachment.aad)
    result = get_scanner().scan(data)
    return _attachment_record_scan(actor=actor, attachment_id=attachment.pk, result=result)


@transaction.atomic(durable=True)
def _attachment_record_scan(*, actor: Actor, attachment_id: Any, result: ScanResult) -> Attachment:
    attachment = (
        Attachment.objects.select_for_update().select_related("concern").get(pk=attachment_id)
    )
    if attachment.scan_state != ScanState.PENDING:
        return attachment  # another scan recorded its verdict first
    attachment.scan_state = ScanState.QUARANTINED if result.infected else ScanState.CLEAN
    attachment.scanned_by = result.scanner
    attachment.scanned_at = timezone.now()
    attachment.scan_signature = result.signature
    attachment.save(
        update_fields=["scan_state", "scanned_by", "scanned_at", "scan_signature", "updated_at"]
    )
    changes: dict[str, Any] = {"attachment": attachment.pk, "scanner": result.scanner}
    if result.infected:
        changes["signature"] = result.signature
    recorder.record(
        actor=actor,
        action=(
            AuditAction.ATTACHMENT_QUARANTINED
            if result.infected
            else AuditAction.ATTACHMENT_SCANNED
        ),
        subject=attachment.concern,
        organisation_id=attachment.organisation_id,
        changes=changes,
    )
    if result.infected:
        notify_of_quarantine(actor=actor, attachment=attachment)
    return attachment


def attachment_read(*, actor: Actor, attachment: Attachment) -> bytes:
    """Decrypt a file for someone allowed to see its concern (or their own draft's), and record
    that they did. The views find the file through the same scoping; checked again here."""
    require(actor, Permission.CONCERN_RECORD)
    reachable = selectors.drafts_of(actor) | selectors.concerns_visible_to(actor)
    if not reachable.filter(pk=attachment.concern_id).exists():
        raise NotPermitted("Not found.")
    if attachment.scan_state != ScanState.CLEAN:
        raise Conflict(_NOT_DOWNLOADABLE[ScanState(attachment.scan_state)])
    data = open_decrypted(attachment.storage_name, aad=attachment.aad)
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.ATTACHMENT_DOWNLOADED,
        subject=attachment.concern,
        changes={"attachment": attachment.pk},
    )
    return data


@transaction.atomic(durable=True)
def concern_evaluate_patterns(*, actor: Actor, concern: Concern) -> list[PatternAlert]:
    """Run the pattern rules for a concern (from a background task); record each new alert.

    As the system acting for the concern's organisation (the task), or as someone who may
    triage and see this concern; never for another organisation's concern."""
    require(actor, Permission.CONCERN_TRIAGE, concern)
    if actor.is_system and actor.organisation_id != concern.organisation_id:
        raise NotPermitted("Not found.")
    _require_visible(actor, concern)
    found = patterns.evaluate(concern)
    for item in found:
        if item.is_new:
            recorder.record(
                actor=actor,
                action=AuditAction.PATTERN_ALERT_RAISED,
                subject=item.alert,
                organisation_id=concern.organisation_id,
                changes={"kind": item.alert.kind, "concerns": item.alert.concerns.count()},
            )
    return [item.alert for item in found]


@transaction.atomic(durable=True)
def pattern_alert_review(*, actor: Actor, alert: PatternAlert, note: str) -> PatternAlert:
    """The lead records what they made of an alert; it leaves the queue."""
    require(actor, Permission.CONCERN_TRIAGE, alert)
    if len(note.strip()) < 10:
        raise DomainError("Say what you made of this pattern and what you will do.", field="note")
    # A conditional update, not a check then a save: of two reviews that both found the alert
    # open, the second changes nothing and is told so (the first one's note stands).
    now = timezone.now()
    reviewed = PatternAlert.objects.filter(pk=alert.pk, reviewed_at__isnull=True).update(
        reviewed_at=now, reviewed_by=actor.user, review_note=note.strip(), updated_at=now
    )
    if reviewed != 1:
        raise Conflict("Someone has already reviewed this alert.")
    alert.refresh_from_db()
    recorder.record(
        actor=actor, action=AuditAction.PATTERN_ALERT_REVIEWED, subject=alert, reason=note.strip()
    )
    return alert


def _after_commit_evaluate(concern: Concern) -> None:
    concern_id = str(concern.pk)
    transaction.on_commit(lambda: evaluate_patterns.enqueue(concern_id=concern_id))


@transaction.atomic(durable=True)
def concern_mark_significant(*, actor: Actor, concern: Concern, significant: bool) -> Concern:
    """The lead marks a concern as significant (or not) in the chronology."""
    require(actor, Permission.CONCERN_TRIAGE, concern)
    _require_visible(actor, concern)
    _require_own_organisation(actor, concern)
    if concern.is_significant != significant:
        Concern.objects.filter(pk=concern.pk).update(is_significant=significant)
        concern.is_significant = significant
        chronology.significance_changed(concern)
        recorder.record(
            actor=actor,
            action=AuditAction.CONCERN_SIGNIFICANCE_CHANGED,
            subject=concern,
            changes={"is_significant": [not significant, significant]},
        )
    return concern
