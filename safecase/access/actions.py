"""Sharing a record with a partner organisation, and restricting a record to named people."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from safecase.access import scoping
from safecase.access.models import Consent, RecordRestriction, ShareGrant
from safecase.access.permissions import Permission
from safecase.access.policy import object_key, owner_organisation_id, require
from safecase.accounts.models import Membership, Organisation, PartnershipMember, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.errors import DomainError


def _common_partnership(owner_id: uuid.UUID, to_id: uuid.UUID) -> uuid.UUID | None:
    """A partnership both organisations currently belong to, or None."""
    today = timezone.localdate()
    active = PartnershipMember.objects.filter(
        models.Q(left_on__isnull=True) | models.Q(left_on__gt=today),
        partnership__starts_on__lte=today,
    ).filter(
        models.Q(partnership__ends_on__isnull=True) | models.Q(partnership__ends_on__gte=today)
    )
    shared = active.filter(organisation_id=owner_id).values("partnership_id")
    match = active.filter(organisation_id=to_id, partnership_id__in=shared).first()
    return match.partnership_id if match is not None else None


@transaction.atomic(durable=True)
def share_grant(
    *,
    actor: Actor,
    record: models.Model,
    to_organisation: Organisation,
    purpose: str,
    lawful_basis: str,
    consent: str = Consent.GIVEN,
    consent_override_reason: str = "",
    consent_overridden_by: User | None = None,
    expires_at: datetime | None = None,
) -> ShareGrant:
    """Let one partner organisation see one record, for a stated purpose, until revoked or expired.

    Raises DomainError when the organisations share no current partnership, a reason is
    missing, or consent was refused or not sought and no override reason is given.
    """
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


def share_in_transaction(
    *,
    actor: Actor,
    record: models.Model,
    to_organisation: Organisation,
    purpose: str,
    lawful_basis: str,
    consent: str = Consent.GIVEN,
    consent_override_reason: str = "",
    consent_overridden_by: User | None = None,
    expires_at: datetime | None = None,
) -> ShareGrant:
    """share_grant's body, for an action that shares records as part of its own work (a
    referral into the hub sharing what the referrer chose to send with it): the same checks
    and the same audit event, committed or rolled back with the caller's transaction."""
    require(actor, Permission.SHARE_GRANT, record)
    owner_id = owner_organisation_id(record)
    if to_organisation.pk == owner_id:
        raise DomainError("A record is already visible to its own organisation.")
    if not purpose.strip() or not lawful_basis.strip():
        raise DomainError("Record the purpose and the lawful basis for sharing.")
    if consent not in Consent.values:
        raise DomainError("Say whether consent was given, refused or not sought.", field="consent")
    override_reason = consent_override_reason.strip()
    if consent != Consent.GIVEN and not override_reason:
        raise DomainError(
            "Consent was refused or not sought: say why the information is shared anyway.",
            field="consent_override_reason",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("The share must end in the future.", field="expires_at")
    if actor.user is None or owner_id is None:
        raise DomainError("A share is granted by a person, on a record of their organisation.")
    partnership_id = _common_partnership(owner_id, to_organisation.pk)
    if partnership_id is None:
        raise DomainError(
            f"{to_organisation.name} is not in a current partnership with your organisation."
        )
    overridden_by = None
    if consent != Consent.GIVEN:
        overridden_by = consent_overridden_by or actor.user
    grant = ShareGrant.objects.create(
        owner_organisation_id=owner_id,
        to_organisation=to_organisation,
        partnership_id=partnership_id,
        content_type=ContentType.objects.get_for_model(record),
        object_id=object_key(record),
        purpose=purpose.strip(),
        lawful_basis=lawful_basis.strip(),
        consent=consent,
        consent_override_reason=override_reason if consent != Consent.GIVEN else "",
        consent_overridden_by=overridden_by,
        granted_by=actor.user,
        expires_at=expires_at,
    )
    changes = {
        "to_organisation": to_organisation.pk,
        "record": record._meta.label_lower,
        "lawful_basis": grant.lawful_basis,
        "consent": consent,
    }
    if overridden_by is not None:
        changes["consent_overridden_by"] = overridden_by.pk
    recorder.record(
        actor=actor,
        action=AuditAction.SHARE_GRANTED,
        subject=grant,
        reason=purpose.strip(),
        changes=changes,
    )
    return grant


@transaction.atomic(durable=True)
def share_revoke(*, actor: Actor, grant: ShareGrant, reason: str) -> ShareGrant:
    """End a share at once: the partner's next request no longer sees the record."""
    require(actor, Permission.SHARE_GRANT)
    if actor.organisation_id != grant.owner_organisation_id and not actor.is_system:
        raise DomainError("Only the organisation that shared a record can revoke the share.")
    if not reason.strip():
        raise DomainError("Give a reason for revoking the share.", field="reason")
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor.user
        grant.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        recorder.record(
            actor=actor, action=AuditAction.SHARE_REVOKED, subject=grant, reason=reason.strip()
        )
    return grant


@transaction.atomic(durable=True)
def record_restrict(
    *, actor: Actor, record: models.Model, named_people: list[User], reason: str
) -> RecordRestriction:
    """Close a record to everyone but the named people (the actor is always one of them).

    E.g. an allegation against the lead: a deputy restricts it to themselves and the head.
    """
    return restrict_in_transaction(
        actor=actor, record=record, named_people=named_people, reason=reason
    )


def restrict_in_transaction(
    *, actor: Actor, record: models.Model, named_people: list[User], reason: str
) -> RecordRestriction:
    """record_restrict's body, for an action that creates a record and restricts it in its
    own transaction (a case restricted as it opens, ADR 0011), so the record is never visible
    to anyone else, not even between two commits. The same checks and the same audit event;
    the caller's transaction is the one that commits them."""
    require(actor, Permission.RECORD_RESTRICT, record)
    if not reason.strip():
        raise DomainError("Give a reason for restricting this record.", field="reason")
    owner_id = owner_organisation_id(record)
    if owner_id is None:
        raise DomainError("Only an organisation's own records can be restricted.")
    people = {p.pk: p for p in named_people}
    if actor.user is not None:
        people[actor.user.pk] = actor.user
    members = set(
        Membership.objects.filter(
            organisation_id=owner_id, is_active=True, user_id__in=list(people)
        ).values_list("user_id", flat=True)
    )
    outsiders = [p.full_name or p.email for pk, p in people.items() if pk not in members]
    if outsiders:
        raise DomainError(
            f"Only active members of the organisation can be named: {', '.join(outsiders)}."
        )
    restriction, _ = RecordRestriction.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=object_key(record),
        defaults={
            "organisation_id": owner_id,
            "reason": reason.strip(),
            "restricted_by": actor.user,
        },
    )
    restriction.named_people.set(list(people.values()))
    scoping.forget_visibility(owner_id)  # who is named changed after the save
    recorder.record(
        actor=actor,
        action=AuditAction.RECORD_RESTRICTED,
        subject=record,
        reason=reason.strip(),
        changes={"named_people": sorted(str(pk) for pk in people)},
    )
    return restriction
