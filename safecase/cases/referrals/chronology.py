"""The referrals' lines in each subject's chronology: a referral made (its line says the
response once it comes, through ``event_changed``) and each escalation. The text is made from
the records as they are now, so the lines an action writes and those a rebuild writes agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from safecase.cases.chronology import CaseFacts, Event, register
from safecase.cases.referrals.models import ExternalReferral, ReferralEscalation


def referral_title(referral: ExternalReferral) -> str:
    return f"Referral to {referral.agency.label} ({referral.get_method_display().lower()})"


def referral_summary(referral: ExternalReferral) -> str:
    parts = []
    if referral.their_reference:
        parts.append(f"Their reference: {referral.their_reference}.")
    if referral.is_answered and referral.response_received_on is not None:
        parts.append(
            f"Response received {referral.response_received_on:%d %b %Y}"
            + (f": {referral.outcome}." if referral.outcome else ".")
        )
    else:
        parts.append(f"Follow up by {referral.follow_up_on:%d %b %Y}.")
    return " ".join(parts)


def referral_event(referral: ExternalReferral) -> Event:
    return Event(
        referral.case_id,
        referral.pk,
        referral.made_at,
        referral_title(referral),
        referral_summary(referral),
    )


def escalation_event(escalation: ReferralEscalation) -> Event:
    referral = escalation.referral
    return Event(
        referral.case_id,
        escalation.pk,
        escalation.escalated_at,
        f"Referral to {referral.agency.label} escalated to {escalation.escalated_to}",
        escalation.reason,
    )


@register
def referral_events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    referrals = ExternalReferral.objects.filter(case_id__in=list(cases)).select_related("agency")
    for referral in referrals:
        yield referral_event(referral)
    escalations = ReferralEscalation.objects.filter(
        referral__case_id__in=list(cases)
    ).select_related("referral__agency")
    for escalation in escalations:
        yield escalation_event(escalation)
