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

ROLE_PERMISSIONS: dict[str, frozenset[P]] = {
    # Records concerns and follows their own; sees nobody else's.
    Role.REPORTER: frozenset(_EVERY_MEMBER | {P.CONCERN_RECORD, P.CONCERN_VIEW_OWN}),
    # The lead and deputies see and decide on everything of the organisation that is not
    # restricted to named people.
    Role.LEAD: frozenset(
        _SAFEGUARDING_TEAM
        | {P.CONCERN_TRIAGE, P.CONCERN_VIEW_LOW_LEVEL, P.PERSON_MANAGE, P.CASE_MANAGE}
        | {P.CASE_DECIDE, P.CASE_VIEW_CASELOAD}
        | {P.SHARE_GRANT, P.RECORD_RESTRICT}
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
    ),
    Role.CASE_WORKER: frozenset(_SAFEGUARDING_TEAM | {P.PERSON_MANAGE, P.CASE_MANAGE}),
    Role.DECISION_MAKER: frozenset(
        _EVERY_MEMBER | {P.CONCERN_RECORD, P.CONCERN_VIEW_OWN, P.CASE_VIEW, P.CASE_DECIDE}
    ),
    Role.SUPERVISOR: frozenset(_SAFEGUARDING_TEAM | {P.CASE_SUPERVISE, P.CASE_VIEW_CASELOAD}),
    # A partner agency's practitioner: their own organisation's records and what is shared in.
    Role.AGENCY_PRACTITIONER: frozenset(
        _EVERY_MEMBER
        | {P.CONCERN_RECORD, P.CONCERN_VIEW_OWN, P.SHARED_VIEW, P.PERSON_VIEW, P.CASE_VIEW}
    ),
    # Reads the audit trail; no case narrative unless granted separately.
    Role.AUDITOR: frozenset(_EVERY_MEMBER | {P.AUDIT_VIEW}),
    # Users, roles and settings; no case content at all.
    Role.ORG_ADMIN: frozenset(
        _EVERY_MEMBER | {P.ORG_MANAGE_MEMBERS, P.ORG_MANAGE_SETTINGS, P.PARTNERSHIP_VIEW}
    ),
}


def permissions_for(roles: frozenset[str]) -> frozenset[P]:
    granted: set[P] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


# Roles whose holders must use multi-factor authentication regardless of organisation settings.
MFA_EXEMPT_ROLES: frozenset[str] = frozenset({Role.REPORTER})
