"""Sharing one item with a partner organisation, chronology extracts, and break-glass (issue 5).

Every write is one durable transaction with its audit event; the policy is checked again here
whatever the view checked. The share itself is ``access.actions.share_in_transaction`` (the
one place a grant is made, with its consent decision, M6); revoking is
``access.actions.share_revoke``.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from safecase.access import scoping
from safecase.access.actions import share_in_transaction
from safecase.access.models import BreakGlassAccess, Consent, RecordRestriction, ShareGrant
from safecase.access.permissions import Permission
from safecase.access.policy import can, object_key, require
from safecase.access.roles import ROLE_PERMISSIONS
from safecase.accounts.models import Membership, Organisation, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.concerns.models import Attachment, ScanState
from safecase.concerns.selectors import person_chronology
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.core.files import open_decrypted
from safecase.notifications.actions import notify
from safecase.notifications.models import NotificationKind
from safecase.people.models import Person
from safecase.sharing.kinds import KINDS, Kind
from safecase.sharing.models import ChronologyExtract, ChronologyExtractLine
from safecase.sharing.selectors import own_organisation_id
from safecase.sharing.selectors_break_glass import break_glass_minutes
from safecase.sharing.tasks import send_break_glass_mail

MIN_REASON = 10
EXTRACT_MAX_LINES = 500
# How long a fresh MFA code counts for a break-glass (seconds): the code is asked on the
# break-glass form itself, so this only covers the time between checking it and opening.
BREAK_GLASS_CODE_SECONDS = 120


def _reason(text: str, field: str, message: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) < MIN_REASON:
        raise DomainError(message, field=field)
    return text.strip()


@transaction.atomic(durable=True)
def item_share(
    *,
    actor: Actor,
    kind: Kind,
    record: models.Model,
    to_organisation: Organisation,
    purpose: str,
    lawful_basis: str,
    consent: str,
    consent_override_reason: str = "",
    consent_overridden_by: User | None = None,
    expires_at: datetime | None = None,
) -> ShareGrant:
    """Share one item (a case, a person, a concern, one of its files, a case note, a risk
    assessment version, a chronology extract) with a partner organisation, for a purpose,
    under a lawful basis, with the consent decision (M6) and optionally until a time.

    The item must be one the sharer sees as their own organisation's (a note kept to named
    people they are not among cannot be shared by them); whoever decided an override must be
    an active member of the sharing organisation."""
    require(actor, Permission.SHARE_GRANT)
    if not kind.owned(actor).filter(pk=record.pk).exists():
        raise NotPermitted("You can only share your own organisation's records that you can see.")
    if consent_overridden_by is not None and consent != Consent.GIVEN:
        is_member = Membership.objects.filter(
            organisation_id=own_organisation_id(actor), user=consent_overridden_by, is_active=True
        ).exists()
        if not is_member:
            raise DomainError(
                "Whoever decided to share without consent must be a member of your organisation.",
                field="consent_overridden_by",
            )
    return share_in_transaction(
        actor=actor,
        record=record,
        to_organisation=to_organisation,
        purpose=purpose,
        lawful_basis=lawful_basis,
        consent=consent,
        consent_override_reason=consent_override_reason,
        consent_overridden_by=consent_overridden_by,
        expires_at=expires_at,
    )


@transaction.atomic(durable=True)
def chronology_extract_make(
    *, actor: Actor, person: Person, title: str, source_ids: list[Any]
) -> ChronologyExtract:
    """Freeze the chosen lines of a person's chronology (those the lead sees) into an extract
    owned by the organisation, ready to share. Later changes to the chronology never change it."""
    require(actor, Permission.SHARE_GRANT, person)
    if not KINDS["person"].owned(actor).filter(pk=person.pk).exists():
        raise NotPermitted("You can only make an extract of your own organisation's people.")
    title = " ".join(title.split())
    if not title:
        raise DomainError(
            "Give the extract a title, e.g. 'Attendance concerns, spring term'.", field="title"
        )
    wanted = {str(key) for key in source_ids}
    if not wanted:
        raise DomainError("Choose at least one line of the chronology.", field="lines")
    if len(wanted) > EXTRACT_MAX_LINES:
        raise DomainError(f"Choose at most {EXTRACT_MAX_LINES} lines.", field="lines")
    entries = [e for e in person_chronology(actor, person) if str(e.entry_id) in wanted]
    if len(entries) != len(wanted):
        raise DomainError(
            "Some chosen lines are not in this chronology (or no longer): choose again.",
            field="lines",
        )
    entries.sort(key=lambda e: (e.when, e.rank, str(e.entry_id)))
    assert actor.user is not None and actor.organisation is not None  # require() checked
    extract = ChronologyExtract.objects.create(
        organisation=actor.organisation,
        person=person,
        title=title[:200],
        person_name=f"{person.family_name.upper()}, {person.given_names}"[:420],
        person_date_of_birth=person.date_of_birth,
        created_by=actor.user,
    )
    ChronologyExtractLine.objects.bulk_create(
        ChronologyExtractLine(
            extract=extract,
            organisation=actor.organisation,
            position=position,
            source_id=entry.entry_id,
            when=entry.when,
            approximate=entry.approximate,
            kind=entry.kind[:80],
            title=entry.title[:300],
            summary=entry.summary,
        )
        for position, entry in enumerate(entries)
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CHRONOLOGY_EXTRACT_MADE,
        subject=extract,
        changes={"person": person.pk, "lines": len(entries)},
    )
    return extract


def shared_file_read(*, actor: Actor, grant: ShareGrant) -> tuple[Attachment, bytes]:
    """Decrypt a concern's file shared into the actor's organisation by an active grant, for a
    member who may view shared items, and record the download (as ``attachment.downloaded``,
    in its own transaction, before the file is handed over). A file not scanned clean is never
    served."""
    require(actor, Permission.SHARED_VIEW)
    content_type = ContentType.objects.get_for_model(Attachment)
    if grant.to_organisation_id != actor.organisation_id or grant.content_type_id != (
        content_type.pk
    ):
        raise NotPermitted("Not found.")
    attachment = Attachment.objects.filter(pk=grant.object_id).first()
    if attachment is None or not can(actor, Permission.SHARED_VIEW, attachment):
        raise NotPermitted("Not found.")
    if attachment.scan_state != ScanState.CLEAN:
        raise Conflict("This file has not been scanned clean, so it cannot be downloaded.")
    data = open_decrypted(attachment.storage_name, aad=attachment.aad)
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.ATTACHMENT_DOWNLOADED,
        subject=attachment,
        changes={"share": grant.pk},
    )
    return attachment, data


# --- Break-glass (S3) ------------------------------------------------------------------------


def _restriction_of(record: models.Model) -> RecordRestriction | None:
    return RecordRestriction.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=object_key(record)
    ).first()


def _auditors(organisation_id: Any) -> list[User]:
    """The members whose role reviews break-glass openings (the auditors, by default)."""
    roles = [
        r for r, held in ROLE_PERMISSIONS.items() if Permission.RECORD_BREAK_GLASS_REVIEW in held
    ]
    members = Membership.objects.filter(
        organisation_id=organisation_id, is_active=True, roles__role__in=roles
    ).select_related("user")
    return list({m.user_id: m.user for m in members}.values())


@transaction.atomic(durable=True)
def break_glass_open(
    *,
    actor: Actor,
    record: models.Model,
    reason: str,
    code_checked_at: float | None,
) -> BreakGlassAccess:
    """Open a record of the actor's own organisation that is restricted to named people they
    are not among, for ``SAFECASE_BREAK_GLASS_MINUTES`` (default 60): stating why, and right
    after re-entering their MFA code (``code_checked_at``: when the code was accepted, Unix
    seconds; older than two minutes, or missing, is refused). Audited in this transaction;
    the organisation's auditors and the record's named people are told (in-app and e-mail)."""
    require(actor, Permission.RECORD_BREAK_GLASS)
    assert actor.user is not None and actor.organisation is not None  # require() checked
    if code_checked_at is None or not 0 <= time.time() - code_checked_at <= (
        BREAK_GLASS_CODE_SECONDS
    ):
        raise DomainError(
            "Enter the current code from your authenticator app to break the glass.", field="code"
        )
    reason = _reason(
        reason, "reason", "Say why you need to open this restricted record (at least a sentence)."
    )
    restriction = _restriction_of(record)
    if restriction is None or restriction.organisation_id != actor.organisation.pk:
        # Another organisation's record, or one not restricted: nothing to break.
        raise NotPermitted("Not found.")
    if getattr(record, "organisation_id", None) != actor.organisation.pk:
        raise NotPermitted("Not found.")
    if restriction.named_people.filter(pk=actor.user.pk).exists():
        raise DomainError("You are named on this record already: open it as usual.")
    now = timezone.now()
    opening = BreakGlassAccess.objects.create(
        organisation=actor.organisation,
        user=actor.user,
        content_type=restriction.content_type,
        object_id=restriction.object_id,
        reason=reason,
        expires_at=now + timedelta(minutes=break_glass_minutes()),
    )
    scoping.forget_visibility(actor.organisation.pk)
    recorder.record(
        actor=actor,
        action=AuditAction.BREAK_GLASS_OPENED,
        subject=record,
        reason=reason,
        changes={"opening": opening.pk, "until": opening.expires_at.isoformat()},
    )
    recipients = {u.pk: u for u in _auditors(actor.organisation.pk)}
    recipients.update({u.pk: u for u in restriction.named_people.all()})
    recipients.pop(actor.user.pk, None)
    notify(
        actor=actor,
        organisation_id=actor.organisation.pk,
        recipients=list(recipients.values()),
        kind=NotificationKind.BREAK_GLASS,
        target_id=opening.pk,
    )
    ids = [str(pk) for pk in recipients]
    organisation_id = str(actor.organisation.pk)
    transaction.on_commit(lambda: send_break_glass_mail.enqueue(ids, organisation_id))
    return opening


@transaction.atomic(durable=True)
def break_glass_review(
    *, actor: Actor, opening: BreakGlassAccess, version: int, note: str = ""
) -> BreakGlassAccess:
    """An auditor marks a break-glass opening reviewed, with an optional note. Once only."""
    require(actor, Permission.RECORD_BREAK_GLASS_REVIEW)
    if opening.organisation_id != actor.organisation_id:
        raise NotPermitted("Not found.")
    current = BreakGlassAccess.objects.select_for_update().get(pk=opening.pk)
    if current.version != version:
        raise Conflict("Someone reviewed this opening since you read it.")
    if current.reviewed_at is not None:
        raise Conflict("This opening was reviewed already.")
    current.reviewed_at = timezone.now()
    current.reviewed_by = actor.user
    current.review_note = note.strip()[:2000]
    current.version += 1
    current.save(
        update_fields=["reviewed_at", "reviewed_by", "review_note", "version", "updated_at"]
    )
    recorder.record(
        actor=actor,
        action=AuditAction.BREAK_GLASS_REVIEWED,
        subject=current,
        reason=current.review_note,
    )
    return current
