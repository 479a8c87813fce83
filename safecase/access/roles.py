"""Roles and what each may do: the one table to read when asking "who can do what?"."""

from __future__ import annotations

from django.db import models

from safecase.access.permissions import Permission as P  # noqa: N817 - keeps the table readable


class Role(models.TextChoices):
    REPORTER = "reporter", "Reporter"
    LEAD = "lead", "Safeguarding lead (DSL)"
    DEPUTY_LEAD = "deputy_lead", "Deputy safeguarding lead"
    CASE_WORKER = "case_worker", "Case worker"
    DECISION_MAKER = "decision_maker", "Decision maker"
    SUPERVISOR = "supervisor", "Supervisor"
    AGENCY_PRACTITIONER = "agency_practitioner", "Agency practitioner"
    AGENCY_APPROVER = "agency_approver", "Agency approver (releases the agency's answers)"
    HUB_PRACTITIONER = "hub_practitioner", "MASH hub practitioner"
    HUB_MANAGER = "hub_manager", "MASH hub manager"
    AUDITOR = "auditor", "Auditor"
    ORG_ADMIN = "org_admin", "Organisation administrator"


_EVERY_MEMBER = {P.ORG_VIEW, P.TOKEN_MANAGE_OWN, P.NOTIFICATION_VIEW_OWN}
_SAFEGUARDING_TEAM = _EVERY_MEMBER | {
    P.CONCERN_RECORD,
    P.CONCERN_VIEW_OWN,
    P.CONCERN_VIEW,
    P.PERSON_VIEW,
    P.CASE_VIEW,
    P.SHARED_VIEW,
    P.PARTNERSHIP_VIEW,
}

# What a lead does across organisations (issue 5): refers into the hub and follows the outcome,
# answers the hub's requests to their organisation and releases the answers, asks "known to?",
# and sends and receives a person's safeguarding file when they move.
_MULTI_AGENCY_LEAD = {
    P.HUB_REFER,
    P.HUB_VIEW,
    P.HUB_ANSWER,
    P.HUB_RELEASE,
    P.KNOWN_TO_CHECK,
    P.TRANSFER_SEND,
    P.TRANSFER_RECEIVE,
}
_AGENCY_PRACTITIONER = _EVERY_MEMBER | {
    P.CONCERN_RECORD,
    P.CONCERN_VIEW_OWN,
    P.SHARED_VIEW,
    P.PERSON_VIEW,
    P.CASE_VIEW,
    P.HUB_VIEW,
    P.HUB_ANSWER,
    P.KNOWN_TO_CHECK,
}
_HUB_PRACTITIONER = _EVERY_MEMBER | {
    P.CONCERN_RECORD,
    P.CONCERN_VIEW_OWN,
    P.SHARED_VIEW,
    P.PERSON_VIEW,
    P.PARTNERSHIP_VIEW,
    P.HUB_VIEW,
    P.HUB_MANAGE,
    P.KNOWN_TO_CHECK,
}

ROLE_PERMISSIONS: dict[str, frozenset[P]] = {
    # Records concerns and follows their own; sees nobody else's.
    Role.REPORTER: frozenset(_EVERY_MEMBER | {P.CONCERN_RECORD, P.CONCERN_VIEW_OWN}),
    # The lead and deputies see and decide on everything of the organisation that is not
    # restricted to named people.
    Role.LEAD: frozenset(
        _SAFEGUARDING_TEAM
        | {P.CONCERN_TRIAGE, P.CONCERN_VIEW_LOW_LEVEL, P.PERSON_MANAGE, P.CASE_MANAGE}
        | {P.CASE_DECIDE, P.CASE_VIEW_CASELOAD}
        | {P.SHARE_GRANT, P.RECORD_RESTRICT, P.RECORD_BREAK_GLASS}
        | _MULTI_AGENCY_LEAD
        # Only the lead configures the organisation's safeguarding settings. Deputies share the
        # casework but not this: the settings decide when a concern counts as overdue and is
        # escalated to the deputies themselves, and which patterns are watched for, and the lead
        # keeps ultimate responsibility for them (KCSIE). A deputy may be made a lead as well.
        | {P.CONCERN_CONFIGURE}
    ),
    Role.DEPUTY_LEAD: frozenset(
        _SAFEGUARDING_TEAM
        | {P.CONCERN_TRIAGE, P.PERSON_MANAGE, P.CASE_MANAGE, P.SHARE_GRANT}
        | {P.CASE_VIEW_CASELOAD}
        | {P.HUB_REFER, P.HUB_VIEW, P.HUB_ANSWER, P.KNOWN_TO_CHECK, P.TRANSFER_RECEIVE}
    ),
    Role.CASE_WORKER: frozenset(_SAFEGUARDING_TEAM | {P.PERSON_MANAGE, P.CASE_MANAGE}),
    Role.DECISION_MAKER: frozenset(
        _EVERY_MEMBER | {P.CONCERN_RECORD, P.CONCERN_VIEW_OWN, P.CASE_VIEW, P.CASE_DECIDE}
    ),
    Role.SUPERVISOR: frozenset(_SAFEGUARDING_TEAM | {P.CASE_SUPERVISE, P.CASE_VIEW_CASELOAD}),
    # A partner agency's practitioner: their own organisation's records and what is shared in.
    # They answer the hub's information requests to their agency and ask "known to?".
    Role.AGENCY_PRACTITIONER: frozenset(_AGENCY_PRACTITIONER),
    # Releases the agency's held answers to the hub (their own approver, M2).
    Role.AGENCY_APPROVER: frozenset(_AGENCY_PRACTITIONER | {P.HUB_RELEASE}),
    # Hub staff (in the organisation hosting the MASH): take referrals in, rate them, request
    # information from each agency and decide. The manager also sets the hub's calendar and
    # RAG timescales and reads timeliness and the end-of-referral audit.
    Role.HUB_PRACTITIONER: frozenset(_HUB_PRACTITIONER),
    Role.HUB_MANAGER: frozenset(_HUB_PRACTITIONER | {P.HUB_CONFIGURE, P.HUB_REPORT}),
    # Reads the audit trail and the break-glass report; no case narrative unless granted.
    Role.AUDITOR: frozenset(_EVERY_MEMBER | {P.AUDIT_VIEW, P.RECORD_BREAK_GLASS_REVIEW}),
    # Users, roles, settings and the organisation's webhooks; no case content at all.
    Role.ORG_ADMIN: frozenset(
        _EVERY_MEMBER
        | {P.ORG_MANAGE_MEMBERS, P.ORG_MANAGE_SETTINGS, P.PARTNERSHIP_VIEW, P.WEBHOOK_MANAGE}
    ),
}


def permissions_for(roles: frozenset[str]) -> frozenset[P]:
    granted: set[P] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


# Roles whose holders must use multi-factor authentication regardless of organisation settings.
MFA_EXEMPT_ROLES: frozenset[str] = frozenset({Role.REPORTER})
