"""The referrals part's actions, reconciled with their audit events by
tests/test_actions_audited.py (which discovers this SCENARIOS)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.cases import actions as case_actions
from safecase.cases.models import Case as CaseRecord
from safecase.cases.models import CaseType
from safecase.cases.referrals import actions
from safecase.cases.referrals.models import ExternalReferral, ReferralAgency
from tests.audit_kit import Call, Case, Kit


def _case(k: Kit) -> CaseRecord:
    return case_actions.case_open(
        actor=k.actor("lead"),
        case_type=CaseType.objects.get(organisation__isnull=True, code="allegation"),
        title="Allegation against a coach (synthetic)",
        reason="A parent phoned.",
    )


def _lado() -> ReferralAgency:
    return ReferralAgency.objects.get(organisation__isnull=True, code="lado")


def _referral(k: Kit, *, days_ago: int = 0) -> ExternalReferral:
    return actions.referral_make(
        actor=k.actor("lead"),
        case=_case(k),
        agency=_lado(),
        made_at=timezone.now() - timedelta(days=days_ago, hours=1),
        method="phone",
    )


def _make(k: Kit, persona: str = "lead") -> Call:
    case = _case(k)
    return lambda: actions.referral_make(
        actor=k.actor(persona),
        case=case,
        agency=_lado(),
        made_at=timezone.now() - timedelta(hours=1),
        method="phone",
        their_reference="LADO-1",
    )


def _respond(k: Kit, persona: str = "lead") -> Call:
    referral = _referral(k)
    return lambda: actions.referral_record_response(
        actor=k.actor(persona),
        referral=referral,
        version=referral.version,
        response="Strategy discussion to be held (synthetic).",
        received_on=timezone.localdate(),
        outcome="Strategy discussion",
    )


def _escalate(k: Kit, persona: str = "lead") -> Call:
    referral = _referral(k, days_ago=10)
    return lambda: actions.referral_escalate(
        actor=k.actor(persona),
        referral=referral,
        version=referral.version,
        escalated_to="LADO team manager",
        reason="No response by the follow-up date.",
    )


def _agency(k: Kit, persona: str = "lead") -> Call:
    return lambda: actions.referral_agency_save(
        actor=k.actor(persona),
        code="childrens_social_care",
        version=0,
        label="Northshire MASH",
        response_working_days=2,
    )


SCENARIOS = {
    "safecase.cases.referrals.actions.referral_make": Case(
        AuditAction.CASE_REFERRAL_MADE, _make, lambda k: _make(k, "auditor")
    ),
    "safecase.cases.referrals.actions.referral_record_response": Case(
        AuditAction.CASE_REFERRAL_RESPONDED, _respond, lambda k: _respond(k, "reporter")
    ),
    "safecase.cases.referrals.actions.referral_escalate": Case(
        AuditAction.CASE_REFERRAL_ESCALATED, _escalate, lambda k: _escalate(k, "other_org")
    ),
    "safecase.cases.referrals.actions.referral_agency_save": Case(
        AuditAction.REFERRAL_AGENCY_CHANGED, _agency, lambda k: _agency(k, "deputy")
    ),
}
