"""Building referrals for tests through the real actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from conftest import (
    DemoWorld,  # the demo world, as the fixtures build it
    actor_for,
)
from safecase.cases.models import Case
from safecase.cases.referrals import actions
from safecase.cases.referrals.models import ExternalReferral, ReferralAgency


def agency(code: str) -> ReferralAgency:
    return ReferralAgency.objects.get(organisation__isnull=True, code=code)


def make_referral(
    world: DemoWorld,
    case: Case,
    code: str = "lado",
    *,
    persona: str = "lead",
    made_at: datetime | None = None,
    **extra: Any,
) -> ExternalReferral:
    fields: dict[str, Any] = {
        "method": "phone",
        "contact_name": "Duty LADO (synthetic)",
        "contact_details": "01632 960000",
        "summary": "Shared the allegation and the child's account (synthetic).",
        **extra,
    }
    return actions.referral_make(
        actor=actor_for(world, persona),
        case=case,
        agency=agency(code),
        made_at=made_at or timezone.now() - timedelta(hours=1),
        **fields,
    )


def overdue_referral(world: DemoWorld, case: Case, code: str = "lado") -> ExternalReferral:
    """A referral made ten days ago with its follow-up date passed and no response."""
    return make_referral(world, case, code, made_at=timezone.now() - timedelta(days=10))
