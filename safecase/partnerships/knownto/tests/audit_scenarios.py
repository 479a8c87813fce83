"""The known-to part's actions, reconciled with their audit events by
tests/test_actions_audited.py (which discovers this SCENARIOS)."""

from __future__ import annotations

from datetime import date

from safecase.audit.events import AuditAction
from safecase.partnerships.knownto import actions
from safecase.people import actions as people_actions
from tests.audit_kit import Call, Case, Kit

NHS = "9434765919"


def _check(k: Kit, persona: str = "partner_with_share") -> Call:
    """Police ask about a child Riverside holds: the check, the asker's event and Riverside's
    event, all in one transaction."""
    people_actions.person_create(
        actor=k.actor("lead"),
        kind="child",
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=date(2013, 3, 14),
        identifiers=[("nhs", NHS)],
    )
    return lambda: actions.known_to_check(
        actor=k.actor(persona),
        purpose="Screening a MASH referral (synthetic).",
        identifiers=[("nhs", NHS)],
        given_names="Jamie",
        family_name="Example-Child",
        date_of_birth=date(2013, 3, 14),
    )


def _contact(k: Kit, persona: str = "lead") -> Call:
    return lambda: actions.known_to_contact_save(
        actor=k.actor(persona),
        role="Designated safeguarding lead",
        mailbox="dsl.riverside@demo.safecase.invalid",
        version=0,
    )


SCENARIOS = {
    "safecase.partnerships.knownto.actions.known_to_check": Case(
        AuditAction.KNOWN_TO_CHECKED, _check, lambda k: _check(k, "reporter")
    ),
    "safecase.partnerships.knownto.actions.known_to_contact_save": Case(
        AuditAction.KNOWN_TO_CONTACT_CHANGED, _contact, lambda k: _contact(k, "deputy")
    ),
}
