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
    # Break-glass (S3): open a restricted record of one's own organisation, with a stated
    # reason and a fresh MFA code; and review every such opening.
    RECORD_BREAK_GLASS = "record.break_glass"
    RECORD_BREAK_GLASS_REVIEW = "record.break_glass_review"

    # Multi-agency working (issue 5). The hub (MASH) is hosted by one organisation of a
    # partnership; the others refer into it and answer its information requests.
    HUB_REFER = "hub.refer"  # refer a case or concern into the hub; see its outcome
    HUB_VIEW = "hub.view"  # the hub referrals the organisation takes part in
    HUB_MANAGE = "hub.manage"  # hub staff: enter, rate, request information, decide
    HUB_ANSWER = "hub.answer"  # an agency answers its own section of a referral
    HUB_RELEASE = "hub.release"  # an agency's approver releases a held answer
    HUB_CONFIGURE = "hub.configure"  # the hub's working hours and RAG timescales
    HUB_REPORT = "hub.report"  # timeliness per agency, and the end-of-referral audit view
    KNOWN_TO_CHECK = "known_to.check"  # ask whether a person is known to other members (M7)
    TRANSFER_SEND = "transfer.send"  # send a person's safeguarding file to another organisation
    TRANSFER_RECEIVE = "transfer.receive"  # view, accept or reject a file sent to us
    WEBHOOK_MANAGE = "webhook.manage"  # the organisation's outgoing webhooks (M5)


# Permissions that need only a signed-in user, not a role in an organisation.
USER_PERMISSIONS: frozenset[Permission] = frozenset({Permission.ACCOUNT_SELF})

# Permissions a share grant can confer on a member of the receiving organisation, provided
# their own role also holds the permission. A share never lets anyone change the owner's record.
SHAREABLE_PERMISSIONS: frozenset[Permission] = frozenset(
    {Permission.SHARED_VIEW, Permission.PERSON_VIEW, Permission.CASE_VIEW, Permission.CONCERN_VIEW}
)
