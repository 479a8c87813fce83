"""The learning review's actions, for the audit reconciliation (tests/test_actions_audited.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.cases.learning import actions
from safecase.cases.learning.tests.helpers import recommend, review
from safecase.cases.tests.helpers import open_case
from tests.audit_kit import Call, Case, Kit

P = "safecase.cases.learning.actions."


def _settings(k: Kit, persona: str = "lead") -> Call:
    return lambda: actions.learning_settings_update(
        actor=k.actor(persona), version=0, labels=["Information sharing", "Contextual safeguarding"]
    )


def _review(k: Kit, persona: str = "lead") -> Call:
    case = open_case(k.world)
    return lambda: actions.learning_review_save(
        actor=k.actor(persona),
        case=case,
        version=0,
        went_well="Quick referral.",
        do_better="Earlier escalation.",
        why_it_happened="No cover for the lead.",
        facilitator="Dev Deputy",
        held_on=timezone.localdate(),
        themes=["escalation"],
    )


def _add(k: Kit, persona: str = "lead") -> Call:
    case = open_case(k.world)
    current = review(k.world, case)
    return lambda: actions.recommendation_add(
        actor=k.actor(persona),
        case=case,
        version=current.version,
        text="Name a deputy to cover the lead's leave.",
        owner=k.world.users["lead"],
        due_on=timezone.localdate() + timedelta(days=10),
    )


def _update(k: Kit, persona: str = "lead") -> Call:
    case = open_case(k.world)
    review(k.world, case)
    rec = recommend(k.world, case)
    return lambda: actions.recommendation_update(
        actor=k.actor(persona),
        recommendation=rec,
        version=rec.version,
        status="done",
        reason="Log moved into Safecase.",
    )


SCENARIOS: dict[str, Case] = {
    P + "learning_settings_update": Case(
        AuditAction.LEARNING_SETTINGS_CHANGED, _settings, lambda k: _settings(k, "case_worker")
    ),
    P + "learning_review_save": Case(
        AuditAction.LEARNING_REVIEW_RECORDED, _review, lambda k: _review(k, "auditor")
    ),
    P + "recommendation_add": Case(
        AuditAction.LEARNING_RECOMMENDATION_ADDED, _add, lambda k: _add(k, "supervisor")
    ),
    P + "recommendation_update": Case(
        AuditAction.LEARNING_RECOMMENDATION_UPDATED, _update, lambda k: _update(k, "other_org")
    ),
}
