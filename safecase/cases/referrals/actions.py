"""Recording an external referral, its response and outcome, and escalating one that had no
response by its follow-up date; and the organisation's agency settings.

Each starts with the case's guard (policy, visibility, ownership, open), refuses bad input
with DomainError before writing anything, guards the referral with its ``version`` (a stale
form gets Conflict) and writes its audit event in the same transaction. Narrative (what was
referred, the response) stays out of the audit changes. A referral opens a follow-up task for
whoever made it, due on the follow-up date; recording the response closes it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.casetasks import follow_up
from safecase.cases.models import Case
from safecase.cases.referrals import chronology as referral_chronology
from safecase.cases.referrals import selectors
from safecase.cases.referrals.choices import ReferralMethod, ReferralStatus
from safecase.cases.referrals.models import (
    MAX_RESPONSE_DAYS,
    ExternalReferral,
    ReferralAgency,
    ReferralEscalation,
)
from safecase.core.actors import Actor
from safecase.core.errors import DomainError

# A referral recorded long after it was made is allowed (it was made by phone, late at night),
# but not years back: that is a typing mistake.
OLDEST_DAYS = 366
# A few minutes of clock difference between the browser and the server are not "the future".
CLOCK_SLACK = timedelta(minutes=5)
FOLLOW_UP_SOURCE = "Referral follow-up"


def _text(value: str, limit: int, what: str, field: str) -> str:
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        raise DomainError(f"Keep {what} under {limit} characters.", field=field)
    return cleaned


@transaction.atomic(durable=True)
def referral_make(
    *,
    actor: Actor,
    case: Case,
    agency: ReferralAgency | None,
    made_at: datetime | None,
    method: str,
    contact_name: str = "",
    contact_details: str = "",
    their_reference: str = "",
    summary: str = "",
    follow_up_on: date | None = None,
) -> ExternalReferral:
    """Record a referral made to an agency about the case; the follow-up date defaults to the
    agency's deadline in working days (the LADO: the next working day). A follow-up task for
    the referrer, due on that date, opens with it."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    if agency is None:
        raise DomainError("Choose the agency the referral was made to.", field="agency")
    if selectors.agency_for(case.organisation_id, agency.pk) is None:
        raise DomainError("Choose an agency from your organisation's list.", field="agency")
    if not isinstance(made_at, datetime):
        raise DomainError("Give the date and time the referral was made.", field="made_at")
    if timezone.is_naive(made_at):
        made_at = timezone.make_aware(made_at)
    now = timezone.now()
    if made_at > now + CLOCK_SLACK:
        raise DomainError("The referral cannot have been made in the future.", field="made_at")
    if made_at < now - timedelta(days=OLDEST_DAYS):
        raise DomainError("Give a date within the last year.", field="made_at")
    if method not in ReferralMethod.values:
        raise DomainError("Choose how the referral was made.", field="method")
    contact_name = _text(contact_name, 200, "the contact's name", "contact_name")
    contact_details = _text(contact_details, 300, "the contact details", "contact_details")
    their_reference = _text(their_reference, 100, "their reference", "their_reference")
    summary = summary.strip()
    if len(summary) > 5000:
        raise DomainError("Keep the summary under 5000 characters.", field="summary")
    made_on = timezone.localtime(made_at).date()
    if follow_up_on is None:
        follow_up_on = selectors.default_follow_up(agency, made_at)
    elif not isinstance(follow_up_on, date) or follow_up_on < made_on:
        raise DomainError(
            "The follow-up date cannot be before the referral was made.", field="follow_up_on"
        )
    referral = ExternalReferral.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        agency=agency,
        made_at=made_at,
        made_by=actor.user,
        method=method,
        contact_name=contact_name,
        contact_details=contact_details,
        their_reference=their_reference,
        summary=summary,
        follow_up_on=follow_up_on,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_REFERRAL_MADE,
        subject=referral,
        changes={
            "case": case.pk,
            "agency": agency.code,
            "method": method,
            "made_at": made_at,
            "follow_up_on": follow_up_on,
        },
    )
    follow_up.open_task(
        actor=actor,
        case=case,
        title=f"Follow up the referral to {agency.label}: response due",
        owner=actor.user,
        due_on=follow_up_on,
        source=FOLLOW_UP_SOURCE,
        source_id=referral.pk,
    )
    chronology.event_added(case, referral_chronology.referral_event(referral))
    return referral


def _bump(referral: ExternalReferral, version: int, **fields: object) -> None:
    now = timezone.now()
    updated = ExternalReferral.objects.filter(pk=referral.pk, version=version).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise guards.stale("This referral")
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.version, referral.updated_at = version + 1, now


@transaction.atomic(durable=True)
def referral_record_response(
    *,
    actor: Actor,
    referral: ExternalReferral,
    version: int,
    response: str,
    received_on: date | None,
    outcome: str,
    their_reference: str | None = None,
) -> ExternalReferral:
    """Record what the agency said, when, and the outcome (their reference too, if it came
    with the response). Closes the referral's follow-up task."""
    case = referral.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    if referral.is_answered and referral.version == version:
        raise DomainError("The response to this referral is already recorded.")
    text = guards.required_text(response, "what the agency said", field="response")
    if len(text) > 5000:
        raise DomainError("Keep the response under 5000 characters.", field="response")
    if not isinstance(received_on, date):
        raise DomainError("Give the date the response came.", field="received_on")
    if received_on > timezone.localdate():
        raise DomainError("The response cannot have come in the future.", field="received_on")
    if received_on < timezone.localtime(referral.made_at).date():
        raise DomainError(
            "The response cannot have come before the referral was made.", field="received_on"
        )
    outcome = _text(outcome, 300, "the outcome", "outcome")
    if not outcome:
        raise DomainError(
            "Give the outcome (e.g. no further action, strategy meeting).", field="outcome"
        )
    fields: dict[str, object] = {
        "status": ReferralStatus.RESPONDED,
        "response": text,
        "response_received_on": received_on,
        "outcome": outcome,
        "response_recorded_by": actor.user,
        "response_recorded_at": timezone.now(),
    }
    if their_reference is not None and their_reference.strip():
        fields["their_reference"] = _text(
            their_reference, 100, "their reference", "their_reference"
        )
    _bump(referral, version, **fields)
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_REFERRAL_RESPONDED,
        subject=referral,
        changes={"received_on": received_on, "status": ReferralStatus.RESPONDED},
    )
    follow_up.close_tasks_from(
        actor=actor, source_id=referral.pk, note="The response to the referral was recorded."
    )
    chronology.event_changed(
        referral.pk,
        title=referral_chronology.referral_title(referral),
        summary=referral_chronology.referral_summary(referral),
    )
    return referral


@transaction.atomic(durable=True)
def referral_escalate(
    *, actor: Actor, referral: ExternalReferral, version: int, escalated_to: str, reason: str
) -> ReferralEscalation:
    """No response by the follow-up date: record that it was taken higher, to whom and why."""
    case = referral.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    if referral.is_answered:
        raise DomainError("The agency has responded: there is nothing to escalate.")
    if timezone.localdate() < referral.follow_up_on:
        raise DomainError(
            f"The response is not due until {referral.follow_up_on:%d %b %Y}: escalate from then "
            "if none has come."
        )
    to_whom = _text(escalated_to, 200, "who it was escalated to", "escalated_to")
    if not to_whom:
        raise DomainError(
            "Say who it was escalated to (e.g. the LADO's manager).", field="escalated_to"
        )
    why = guards.required_text(reason, "the reason for escalating", field="reason", limit=5000)
    _bump(referral, version, status=ReferralStatus.ESCALATED)
    escalation = ReferralEscalation.objects.create(
        organisation_id=case.organisation_id,
        referral=referral,
        escalated_to=to_whom,
        escalated_at=timezone.now(),
        escalated_by=actor.user,
        reason=why,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.CASE_REFERRAL_ESCALATED,
        subject=referral,
        reason=why,
        changes={"escalation": escalation.pk, "escalated_to": to_whom},
    )
    chronology.event_added(case, referral_chronology.escalation_event(escalation))
    return escalation


@transaction.atomic(durable=True)
def referral_agency_save(
    *,
    actor: Actor,
    code: str | None,
    version: int,
    label: str,
    response_working_days: int,
    is_active: bool = True,
) -> ReferralAgency:
    """Change one of the organisation's agencies (its label, deadline, whether it is offered)
    or, with ``code`` None, add one. Changing a shipped default makes the organisation's own
    row for it (``version`` 0: there was none yet); referrals already made keep their dates."""
    require(actor, Permission.CONCERN_CONFIGURE)
    assert actor.organisation is not None
    organisation_id = actor.organisation.pk
    label = _text(label, 120, "the name", "label")
    if not label:
        raise DomainError("Give the agency a name.", field="label")
    if not isinstance(response_working_days, int) or not (
        1 <= response_working_days <= MAX_RESPONSE_DAYS
    ):
        raise DomainError(
            f"Give the response deadline as 1 to {MAX_RESPONSE_DAYS} working days.",
            field="response_working_days",
        )
    current = {a.code: a for a in selectors.agencies_for(organisation_id, include_inactive=True)}
    if code is None:
        code = slugify(label)[:40] or "agency"
        if code in current:
            raise DomainError("There is an agency of that name already.", field="label")
        agency = ReferralAgency.objects.create(
            organisation_id=organisation_id,
            code=code,
            label=label,
            response_working_days=response_working_days,
            is_active=is_active,
            position=max((a.position for a in current.values()), default=0) + 1,
        )
        before = None
    else:
        existing = current.get(code)
        if existing is None:
            raise DomainError("Choose an agency from the list.", field="code")
        before = {"label": existing.label, "days": existing.response_working_days}
        if existing.organisation_id is None:
            if version != 0:
                raise guards.stale("This agency")
            agency = ReferralAgency.objects.create(
                organisation_id=organisation_id,
                code=code,
                label=label,
                response_working_days=response_working_days,
                is_active=is_active,
                position=existing.position,
            )
        else:
            updated = ReferralAgency.objects.filter(pk=existing.pk, version=version).update(
                label=label,
                response_working_days=response_working_days,
                is_active=is_active,
                version=F("version") + 1,
            )
            if updated != 1:
                raise guards.stale("This agency")
            agency = ReferralAgency.objects.get(pk=existing.pk)
    recorder.record(
        actor=actor,
        action=AuditAction.REFERRAL_AGENCY_CHANGED,
        subject=agency,
        changes={
            "code": agency.code,
            "label": [before["label"] if before else None, agency.label],
            "response_working_days": [
                before["days"] if before else None,
                agency.response_working_days,
            ],
            "is_active": agency.is_active,
        },
    )
    return agency
