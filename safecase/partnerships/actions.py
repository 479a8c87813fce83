"""Referrals into the hub: made by a member organisation (with exactly the items it chose,
each shared with the hub organisation in the same transaction, lawful basis and consent
recorded on the share) or entered by hub staff from a call or e-mail; rated (every rating
with a rationale, kept as history; the agencies' due times re-computed); decided.

Each action re-checks the policy, refuses bad input with DomainError before writing, guards
mutable rows with ``version`` (Conflict when stale), writes one audit event per change and
publishes its domain event in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from safecase.access.actions import share_in_transaction
from safecase.access.models import Consent
from safecase.access.permissions import Permission
from safecase.access.policy import can, require
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases.models import Case
from safecase.concerns.models import Concern
from safecase.core import events
from safecase.core.actors import Actor
from safecase.core.errors import DomainError, NotPermitted
from safecase.notifications.models import NotificationKind
from safecase.partnerships import clock, notices, selectors
from safecase.partnerships.choices import (
    PRIORITY,
    Decision,
    Rating,
    ReferralStatus,
    RequestStatus,
    Source,
)
from safecase.partnerships.guards import bump, moment, require_hub_staff, text
from safecase.partnerships.models import HubReferral, InformationRequest, RatingChange, ReferralItem
from safecase.people.models import Person


@dataclass(frozen=True)
class Disclosure:
    """The sharing decision for what goes with a referral (M6)."""

    lawful_basis: str
    consent: str
    consent_override_reason: str = ""


def _payload(referral: HubReferral) -> dict[str, object]:
    return {
        "referral_id": str(referral.pk),
        "status": referral.status,
        "rating": referral.rating,
        "source": referral.source,
    }


def _publish_created(referral: HubReferral) -> None:
    for org_id in {referral.organisation_id, referral.referring_organisation_id} - {None}:
        assert org_id is not None
        events.publish(
            organisation_id=org_id, event_type=events.REFERRAL_CREATED, payload=_payload(referral)
        )
    notices.tell_holders(
        referral.organisation_id,
        Permission.HUB_MANAGE,
        NotificationKind.HUB_REFERRAL_RECEIVED,
        referral.pk,
    )


def _items(
    actor: Actor,
    concern_ids: list[uuid.UUID],
    case_id: uuid.UUID | None,
    person_id: uuid.UUID | None,
) -> list[tuple[str, Model, str]]:
    org = actor.organisation_id
    assert org is not None
    chosen: list[tuple[str, Model, str]] = []
    wanted = list(dict.fromkeys(concern_ids))
    concerns = {
        c.pk: c
        for c in Concern.objects.filter(pk__in=wanted, organisation_id=org).exclude(
            submitted_at__isnull=True
        )
    }
    for pk in wanted:
        concern = concerns.get(pk)
        if concern is None or not can(actor, Permission.SHARE_GRANT, concern):
            raise DomainError("Choose concerns of your organisation to send.", field="concerns")
        chosen.append(("concern", concern, f"Concern recorded {concern.created_at:%d/%m/%Y}"))
    if case_id is not None:
        case = Case.objects.filter(pk=case_id, organisation_id=org).first()
        if case is None or not can(actor, Permission.SHARE_GRANT, case):
            raise DomainError("Choose a case of your organisation to send.", field="case")
        chosen.append(("case", case, f"Case: {case.title}"[:200]))
    if person_id is not None:
        person = Person.objects.filter(pk=person_id, organisation_id=org).first()
        if person is None or not can(actor, Permission.SHARE_GRANT, person):
            raise DomainError("Choose a person of your organisation to send.", field="person")
        chosen.append(("person", person, f"Person: {person.display_name}"[:200]))
    return chosen


@transaction.atomic(durable=True)
def referral_make(
    *,
    actor: Actor,
    subject_name: str,
    summary: str,
    disclosure: Disclosure,
    concern_ids: list[uuid.UUID] | None = None,
    case_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> HubReferral:
    """A member organisation refers into its partnership's hub, sending exactly the chosen
    items; each is shared with the hub organisation (the share records the lawful basis and the
    consent decision, with the override reason when consent was refused or not sought)."""
    require(actor, Permission.HUB_REFER)
    if actor.user is None:
        raise NotPermitted("A referral into the hub is made by a person.")
    hub = selectors.hub_for_member(actor.organisation_id)
    if hub is None:
        raise DomainError("Your organisation is not in a partnership with a hub.")
    if hub.organisation_id == actor.organisation_id:
        raise DomainError("Hub staff enter referrals from calls and e-mails instead.")
    subject_name = text(
        subject_name, 200, "the name of the child or adult", "subject_name", required=True
    )
    summary = text(summary, 5000, "a summary of the concern", "summary", required=True)
    if disclosure.consent not in Consent.values:
        raise DomainError("Say whether consent was given, refused or not sought.", field="consent")
    lawful_basis = text(
        disclosure.lawful_basis, 500, "the lawful basis", "lawful_basis", required=True
    )
    chosen = _items(actor, list(concern_ids or []), case_id, person_id)
    if not chosen:
        raise DomainError(
            "Choose what goes with the referral: a concern, the case or the person.",
            field="concerns",
        )
    if not can(actor, Permission.SHARE_GRANT):
        raise NotPermitted("Sending records to the hub needs permission to share them.")
    now = moment(received_at)
    referral = HubReferral.objects.create(
        organisation_id=hub.organisation_id,
        hub=hub,
        referring_organisation_id=actor.organisation_id,
        source=Source.MEMBER,
        subject_name=subject_name,
        summary=summary,
        received_at=now,
        created_by=actor.user,
        priority=PRIORITY[""],
    )
    for kind, record, label in chosen:
        grant = share_in_transaction(
            actor=actor,
            record=record,
            to_organisation=hub.organisation,
            purpose=f"Referral into the hub ({hub.partnership.name})",
            lawful_basis=lawful_basis,
            consent=disclosure.consent,
            consent_override_reason=disclosure.consent_override_reason,
        )
        ReferralItem.objects.create(
            organisation_id=hub.organisation_id,
            referral=referral,
            kind=kind,
            object_id=record.pk,
            label=label,
            share=grant,
        )
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_REFERRAL_CREATED,
        subject=referral,
        organisation_id=hub.organisation_id,
        changes={
            "source": Source.MEMBER,
            "referring_organisation": actor.organisation_id,
            "items": [f"{kind}:{record.pk}" for kind, record, _ in chosen],
            "consent": disclosure.consent,
        },
    )
    _publish_created(referral)
    return referral


@transaction.atomic(durable=True)
def referral_enter(
    *,
    actor: Actor,
    source: str,
    caller: str,
    subject_name: str,
    summary: str,
    received_at: datetime | None = None,
) -> HubReferral:
    """Hub staff enter a referral that came by phone or e-mail: who called, about whom, what."""
    require(actor, Permission.HUB_MANAGE)
    hub = selectors.hub_hosted_by(actor.organisation_id)
    if hub is None or actor.user is None:
        raise DomainError("Your organisation does not host a hub.")
    if source not in (Source.PHONE, Source.EMAIL):
        raise DomainError("Say whether it came by phone or e-mail.", field="source")
    caller = text(caller, 200, "who made the referral", "caller", required=True)
    subject_name = text(
        subject_name, 200, "the name of the child or adult", "subject_name", required=True
    )
    summary = text(summary, 5000, "a summary of what was said", "summary", required=True)
    try:
        received_at = moment(received_at)
    except DomainError as exc:
        raise DomainError(exc.message, field="received_at") from exc
    referral = HubReferral.objects.create(
        organisation_id=hub.organisation_id,
        hub=hub,
        source=source,
        caller=caller,
        subject_name=subject_name,
        summary=summary,
        received_at=received_at,
        created_by=actor.user,
        priority=PRIORITY[""],
    )
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_REFERRAL_CREATED,
        subject=referral,
        changes={"source": source, "received_at": received_at},
    )
    _publish_created(referral)
    return referral


@transaction.atomic(durable=True)
def referral_rate(
    *,
    actor: Actor,
    referral: HubReferral,
    version: int,
    rating: str,
    rationale: str,
    at: datetime | None = None,
) -> HubReferral:
    """Rate (or re-rate) a referral. Every rating needs a rationale and is kept; the due time of
    every request still waiting is re-computed from the new rating, each change audited."""
    user = require_hub_staff(actor, referral)
    if referral.status != ReferralStatus.OPEN:
        raise DomainError("This referral is decided; its rating no longer changes.")
    if rating not in Rating.values:
        raise DomainError("Choose red, amber, green or blue.", field="rating")
    if rating == referral.rating and version == referral.version:
        raise DomainError("The referral already has that rating.", field="rating")
    rationale = text(rationale, 2000, "the reason for the rating", "rationale", required=True)
    now = moment(at, not_before=referral.received_at)
    work_at_once = rating == Rating.RED and clock.out_of_hours(referral.hub, now)
    previous = referral.rating
    bump(
        HubReferral,
        referral,
        version,
        "referral",
        rating=rating,
        priority=PRIORITY[rating],
        rated_at=now,
        work_at_once=work_at_once,
    )
    RatingChange.objects.create(
        organisation_id=referral.organisation_id,
        referral=referral,
        from_rating=previous,
        to_rating=rating,
        rationale=rationale,
        changed_by=user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_REFERRAL_RATED,
        subject=referral,
        reason=rationale,
        organisation_id=referral.organisation_id,
        changes={"from": previous, "to": rating, "work_at_once": work_at_once},
    )
    waiting = InformationRequest.objects.filter(
        referral=referral, status__in=(RequestStatus.OPEN, RequestStatus.HELD)
    )
    for request in waiting:
        due = clock.due_for(referral.hub, rating, request.requested_at)
        if due == request.due_at:
            continue
        InformationRequest.objects.filter(pk=request.pk).update(
            due_at=due, version=F("version") + 1, updated_at=now
        )
        recorder.record(
            actor=actor,
            action=AuditAction.HUB_REQUEST_DUE_CHANGED,
            subject=request,
            reason=f"Re-rated {previous or 'unrated'} to {rating}",
            organisation_id=referral.organisation_id,
            changes={"from": request.due_at, "to": due},
        )
    return referral


@transaction.atomic(durable=True)
def referral_decide(
    *, actor: Actor, referral: HubReferral, version: int, decision: str, rationale: str
) -> HubReferral:
    """The hub's decision, with its rationale, returned to the referring organisation. Open
    requests are withdrawn (their agencies need answer no longer)."""
    require_hub_staff(actor, referral)
    if referral.status != ReferralStatus.OPEN:
        raise DomainError("This referral is already decided.")
    if decision not in Decision.values:
        raise DomainError("Choose the hub's decision.", field="decision")
    if not referral.rating:
        raise DomainError("Rate the referral before deciding it.", field="decision")
    rationale = text(rationale, 5000, "the rationale for the decision", "rationale", required=True)
    now = timezone.now()
    bump(
        HubReferral,
        referral,
        version,
        "referral",
        status=ReferralStatus.DECIDED,
        decision=decision,
        decision_rationale=rationale,
        decided_at=now,
        decided_by=actor.user,
    )
    withdrawn = InformationRequest.objects.filter(
        referral=referral, status=RequestStatus.OPEN
    ).update(status=RequestStatus.WITHDRAWN, version=F("version") + 1, updated_at=now)
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_REFERRAL_DECIDED,
        subject=referral,
        reason=rationale,
        organisation_id=referral.organisation_id,
        changes={"decision": decision, "requests_withdrawn": withdrawn},
    )
    for org_id in {referral.organisation_id, referral.referring_organisation_id} - {None}:
        assert org_id is not None
        events.publish(
            organisation_id=org_id,
            event_type=events.REFERRAL_DECIDED,
            payload={**_payload(referral), "decision": decision},
        )
    if referral.referring_organisation_id is not None:
        notices.tell_holders(
            referral.referring_organisation_id,
            Permission.HUB_REFER,
            NotificationKind.HUB_REFERRAL_DECIDED,
            referral.pk,
        )
    return referral
