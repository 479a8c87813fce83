"""Reading referrals: always through the cases the reader may see (``cases_visible_to``), so a
referral on a restricted case is never listed or counted for anyone not named on it; and the
agencies an organisation refers to (its own rows over the shipped defaults)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from safecase.cases.models import Case
from safecase.cases.referrals.choices import ReferralStatus
from safecase.cases.referrals.models import ExternalReferral, ReferralAgency, ReferralEscalation
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor
from safecase.core.calendar import add_working_days

CASE_LIMIT = 200
OVERDUE_LIMIT = 500
UNANSWERED = (ReferralStatus.AWAITING, ReferralStatus.ESCALATED)


def agencies_for(organisation_id: Any, *, include_inactive: bool = False) -> list[ReferralAgency]:
    """The organisation's agencies in order: its own rows, and the shipped defaults it has not
    overridden (a row of its own with the same code replaces the default). One query."""
    rows = ReferralAgency.objects.filter(organisation_id=organisation_id) | (
        ReferralAgency.objects.filter(organisation__isnull=True)
    )
    chosen: dict[str, ReferralAgency] = {}
    for agency in rows.order_by("position", "label", "id"):
        if agency.code not in chosen or agency.organisation_id is not None:
            chosen[agency.code] = agency
    agencies = sorted(chosen.values(), key=lambda a: (a.position, a.label))
    return [a for a in agencies if include_inactive or a.is_active]


def agency_for(organisation_id: Any, agency_id: Any) -> ReferralAgency | None:
    """One of the organisation's active agencies by id, or None (another organisation's, a
    default it overrode, a retired one)."""
    return next((a for a in agencies_for(organisation_id) if str(a.pk) == str(agency_id)), None)


def referrals_visible_to(actor: Actor) -> QuerySet[ExternalReferral]:
    return ExternalReferral.objects.filter(case__in=cases_visible_to(actor).values("pk"))


def case_referrals(case: Case) -> list[ExternalReferral]:
    """The case's referrals, newest first, with their escalations, in two queries (the caller
    has checked the case)."""
    return list(
        ExternalReferral.objects.filter(case=case)
        .select_related("agency", "made_by", "response_recorded_by")
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=ReferralEscalation.objects.select_related("escalated_by").order_by(
                    "escalated_at"
                ),
            )
        )
        .order_by("-made_at", "-id")[:CASE_LIMIT]
    )


def overdue_referrals(actor: Actor) -> QuerySet[ExternalReferral]:
    """Referrals with no response recorded and their follow-up date passed, on the cases the
    actor may see, the longest overdue first."""
    today = timezone.localdate()
    return (
        referrals_visible_to(actor)
        .filter(status__in=UNANSWERED, follow_up_on__lt=today)
        .order_by("follow_up_on", "made_at", "id")
    )


def home_panel(actor: Actor) -> dict[str, Any]:
    overdue = overdue_referrals(actor).select_related("case", "agency")
    return {"count": overdue.count(), "referrals": list(overdue[:5])}


def default_follow_up(agency: ReferralAgency, made_at: datetime) -> date:
    """The agency's deadline in working days from the day the referral was made (the LADO's
    one working day: the next working day)."""
    return add_working_days(timezone.localtime(made_at).date(), agency.response_working_days)
