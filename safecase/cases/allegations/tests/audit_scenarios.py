"""The allegation track's actions, for the audit reconciliation (tests/test_actions_audited.py):
each writes its event in its change's transaction, and a refused call changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.cases.allegations import actions
from safecase.cases.allegations.tests.helpers import (
    ALL_NO,
    allegation_case,
    refer,
    suspend,
    version,
)
from tests.audit_kit import Call, Case, Kit

P = "safecase.cases.allegations.actions."


def _settings(k: Kit, persona: str = "lead") -> Call:
    return lambda: actions.allegation_settings_update(
        actor=k.actor(persona), version=0, questions=["Has harmed a child", "Other test"]
    )


def _harm_test(k: Kit, persona: str = "lead") -> Call:
    case = allegation_case(k.world)
    return lambda: actions.harm_test_record(
        actor=k.actor(persona), case=case, version=0, answers={**ALL_NO, "risk": True}
    )


def _lado(k: Kit, persona: str = "lead") -> Call:
    case = allegation_case(k.world)
    return lambda: actions.allegation_record_lado(
        actor=k.actor(persona),
        case=case,
        version=0,
        reference="LADO/2026/001",
        referred_at=timezone.now() - timedelta(hours=2),
    )


def _decide(k: Kit, persona: str = "lead") -> Call:
    case = allegation_case(k.world)
    today = timezone.localdate()
    return lambda: actions.suspension_decide(
        actor=k.actor(persona),
        case=case,
        version=0,
        decision="alternative",
        arrangements="Redeployed to the office; no contact with pupils.",
        rationale="Proportionate while the LADO strategy meeting is arranged.",
        starts_on=today,
        next_review_on=today + timedelta(days=7),
    )


def _review(k: Kit, persona: str = "lead") -> Call:
    case = allegation_case(k.world)
    decision = suspend(k.world, case)
    return lambda: actions.suspension_review(
        actor=k.actor(persona),
        decision=decision,
        version=decision.version,
        reviewed_on=timezone.localdate(),
        outcome="continue",
        rationale="The police enquiry continues.",
        next_review_on=timezone.localdate() + timedelta(days=14),
    )


def _refer(k: Kit, persona: str = "lead") -> Call:
    case = allegation_case(k.world)
    return lambda: actions.barring_refer(
        actor=k.actor(persona),
        case=case,
        version=version(case),
        body="dbs",
        referred_on=timezone.localdate(),
        reason="Dismissed for harm to a child: a duty to refer.",
    )


def _outcome(k: Kit, persona: str = "lead") -> Call:
    case = allegation_case(k.world)
    referral = refer(k.world, case)
    return lambda: actions.barring_record_outcome(
        actor=k.actor(persona),
        referral=referral,
        version=referral.version,
        outcome="Suspended licence pending its own hearing.",
        outcome_on=timezone.localdate(),
    )


SCENARIOS: dict[str, Case] = {
    P + "allegation_settings_update": Case(
        AuditAction.ALLEGATION_SETTINGS_CHANGED, _settings, lambda k: _settings(k, "deputy")
    ),
    P + "harm_test_record": Case(
        AuditAction.ALLEGATION_HARM_TEST_RECORDED, _harm_test, lambda k: _harm_test(k, "auditor")
    ),
    P + "allegation_record_lado": Case(
        AuditAction.ALLEGATION_LADO_RECORDED, _lado, lambda k: _lado(k, "other_org")
    ),
    P + "suspension_decide": Case(
        AuditAction.ALLEGATION_SUSPENSION_DECIDED, _decide, lambda k: _decide(k, "reporter")
    ),
    P + "suspension_review": Case(
        AuditAction.ALLEGATION_SUSPENSION_REVIEWED, _review, lambda k: _review(k, "supervisor")
    ),
    P + "barring_refer": Case(
        AuditAction.ALLEGATION_BARRING_REFERRED, _refer, lambda k: _refer(k, "primary_lead")
    ),
    P + "barring_record_outcome": Case(
        AuditAction.ALLEGATION_BARRING_OUTCOME, _outcome, lambda k: _outcome(k, "auditor")
    ),
}
