"""The catalogue of permissions: dotted names, never renamed (they appear in audit rows)."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    # Any signed-in user, about themselves (profile, MFA, sessions, their own API tokens).
    ACCOUNT_SELF = "account.self"

    # The organisation itself.
    ORG_VIEW = "org.view"
    ORG_MANAGE_MEMBERS = "org.manage_members"
    ORG_MANAGE_SETTINGS = "org.manage_settings"
    PARTNERSHIP_VIEW = "partnership.view"

    # API tokens scoped to the current organisation.
    TOKEN_MANAGE_OWN = "token.manage_own"  # noqa: S105 - a permission name, not a secret

    # The audit trail of the organisation (read-only).
    AUDIT_VIEW = "audit.view"

    # A member's own in-app notifications in the current organisation (read, mark read).
    NOTIFICATION_VIEW_OWN = "notification.view_own"

    # Case content. Defined now so the role table is complete; the screens arrive with the
    # concerns and cases issues. The organisation administrator and the auditor hold none of these.
    CONCERN_RECORD = "concern.record"
    CONCERN_VIEW_OWN = "concern.view_own"
    CONCERN_VIEW = "concern.view"
    CONCERN_TRIAGE = "concern.triage"
    # The low-level concerns log about adults (KCSIE Part 4): the lead only, by default.
    CONCERN_VIEW_LOW_LEVEL = "concern.view_low_level"
    # The organisation's safeguarding settings: categories, triage timings, level-of-need
    # labels and pattern rules (issue 3).
    CONCERN_CONFIGURE = "concern.configure"
    PERSON_VIEW = "person.view"
    PERSON_MANAGE = "person.manage"
    CASE_VIEW = "case.view"
    CASE_MANAGE = "case.manage"
    CASE_DECIDE = "case.decide"
    CASE_SUPERVISE = "case.supervise"
    # How many open cases each worker holds (W9): for whoever allocates work and supervises it.
    # Counts only the cases the reader may see, so a restricted case is never counted.
    CASE_VIEW_CASELOAD = "case.view_caseload"
    SHARED_VIEW = "shared.view"
    SHARE_GRANT = "share.grant"
    RECORD_RESTRICT = "record.restrict"


# Permissions that need only a signed-in user, not a role in an organisation.
USER_PERMISSIONS: frozenset[Permission] = frozenset({Permission.ACCOUNT_SELF})

# Permissions a share grant can confer on a member of the receiving organisation, provided
# their own role also holds the permission. A share never lets anyone change the owner's record.
SHAREABLE_PERMISSIONS: frozenset[Permission] = frozenset(
    {Permission.SHARED_VIEW, Permission.PERSON_VIEW, Permission.CASE_VIEW, Permission.CONCERN_VIEW}
)
