"""The catalogue of audit actions: dotted names, never renamed or reused (they are evidence)."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    # Authentication
    AUTH_LOGIN = "auth.login", "Signed in"
    AUTH_LOGIN_FAILED = "auth.login_failed", "Sign-in failed"
    AUTH_LOCKOUT = "auth.lockout", "Locked out after repeated failures"
    AUTH_LOGOUT = "auth.logout", "Signed out"
    AUTH_SESSION_EXPIRED = "auth.session_expired", "Session expired"
    AUTH_PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    AUTH_PASSWORD_RESET_REQUESTED = "auth.password_reset_requested", "Password reset requested"
    AUTH_PASSWORD_RESET = "auth.password_reset", "Password reset completed"
    AUTH_SESSIONS_ENDED = "auth.sessions_ended", "Sessions ended"
    MFA_ENROLLED = "mfa.enrolled", "Multi-factor authentication enrolled"
    MFA_VERIFIED = "mfa.verified", "Multi-factor code accepted"
    MFA_FAILED = "mfa.failed", "Multi-factor code refused"
    MFA_RECOVERY_USED = "mfa.recovery_used", "Recovery code used"
    MFA_RESET = "mfa.reset", "Multi-factor authentication reset"
    MFA_STEP_UP = "mfa.step_up", "Step-up code accepted (before an export)"
    MFA_STEP_UP_FAILED = "mfa.step_up_failed", "Step-up code refused"
    # Organisations, memberships, roles
    ORG_CREATED = "org.created", "Organisation created"
    ORG_SETTINGS_CHANGED = "org.settings_changed", "Organisation settings changed"
    ORG_SWITCHED = "org.switched", "Switched organisation"
    MEMBER_INVITED = "member.invited", "Member invited"
    MEMBER_ROLES_CHANGED = "member.roles_changed", "Member roles changed"
    MEMBER_DEACTIVATED = "member.deactivated", "Member deactivated"
    MEMBER_REACTIVATED = "member.reactivated", "Member reactivated"
    PARTNERSHIP_CREATED = "partnership.created", "Partnership created"
    PARTNERSHIP_MEMBER_ADDED = "partnership.member_added", "Organisation joined partnership"
    # Access
    ACCESS_DENIED = "access.denied", "Access denied"
    RECORD_VIEWED = "record.viewed", "Record viewed"
    AUDIT_EXPORTED = "audit.exported", "Audit trail exported"
    SHARE_GRANTED = "share.granted", "Item shared"
    SHARE_REVOKED = "share.revoked", "Share revoked"
    RECORD_RESTRICTED = "record.restricted", "Record restricted to named people"
    # API tokens
    TOKEN_CREATED = "token.created", "API token created"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    # People
    PERSON_CREATED = "person.created", "Person record created"
    PERSON_UPDATED = "person.updated", "Person record changed"
    PERSON_IDENTIFIER_ADDED = "person.identifier_added", "Identifier added to a person"
    PERSON_MERGED = "person.merged", "Duplicate person records merged"
    CHRONOLOGY_EXPORTED = "chronology.exported", "Chronology exported"
    # Concerns, triage and actions
    CONCERN_DRAFT_SAVED = "concern.draft_saved", "Concern draft saved"
    CONCERN_SUBMITTED = "concern.submitted", "Concern submitted"
    CONCERN_ADDENDUM_ADDED = "concern.addendum_added", "Addendum added to a concern"
    CONCERN_PERSON_LINKED = "concern.person_linked", "Person linked to a concern"
    CONCERN_TRIAGED = "concern.triaged", "Concern triaged"
    CONCERN_SIGNIFICANCE_CHANGED = "concern.significance_changed", "Marked significant or not"
    CONCERN_ESCALATED = "concern.escalated", "Overdue concern escalated to the deputies"
    ATTACHMENT_ADDED = "attachment.added", "File attached"
    ATTACHMENT_DOWNLOADED = "attachment.downloaded", "File downloaded"
    ATTACHMENT_SCANNED = "attachment.scanned", "File checked for viruses: none found"
    ATTACHMENT_QUARANTINED = "attachment.quarantined", "File quarantined: a virus was found"
    PATTERN_ALERT_RAISED = "pattern.alert_raised", "Pattern alert raised"
    PATTERN_ALERT_REVIEWED = "pattern.alert_reviewed", "Pattern alert reviewed"
    ACTION_CREATED = "action.created", "Action set"
    ACTION_COMPLETED = "action.completed", "Action completed"
    # The organisation's safeguarding settings (issue 3)
    CATEGORY_ADDED = "category.added", "Concern category added"
    CATEGORY_RENAMED = "category.renamed", "Concern category renamed"
    CATEGORY_RETIRED = "category.retired", "Concern category retired"
    CATEGORY_REINSTATED = "category.reinstated", "Concern category reinstated"
    CATEGORY_REORDERED = "category.reordered", "Concern categories reordered"
    TRIAGE_TIMINGS_CHANGED = "triage.timings_changed", "Triage timings changed"
    LEVEL_LABELS_CHANGED = "level_of_need.labels_changed", "Level-of-need labels changed"
    PATTERN_RULE_CHANGED = "pattern.rule_changed", "Pattern rule changed"
    # Cases (issue 4)
    CASE_OPENED = "case.opened", "Case opened"
    CASE_CONCERN_ADDED = "case.concern_added", "Concern added to a case"
    CASE_BUNDLE_EXPORTED = "case.bundle_exported", "Case bundle exported"
    CASE_SUBJECT_ADDED = "case.subject_added", "Person added to a case"
    CASE_STAGE_ADVANCED = "case.stage_advanced", "Case moved to another stage"
    CASE_ALLOCATED = "case.allocated", "Case allocated to a team member"
    # --- case_risk (the case's risk part) ---
    RISK_ASSESSED = "case_risk.assessed", "Risk assessment recorded (a new version)"
    APPROVAL_REQUESTED = "case_risk.approval_requested", "Supervisor's approval requested"
    APPROVAL_DECIDED = "case_risk.approval_decided", "Approval request decided"
    APPROVAL_GATES_CHANGED = "case_risk.gates_changed", "Approval gates changed"

    # --- case_referrals (the case's referrals part) ---
    CASE_REFERRAL_MADE = "case_referral.made", "External referral recorded"
    CASE_REFERRAL_RESPONDED = "case_referral.responded", "Response to a referral recorded"
    CASE_REFERRAL_ESCALATED = "case_referral.escalated", "Unanswered referral escalated"
    REFERRAL_AGENCY_CHANGED = "case_referral.agency_changed", "Referral agency settings changed"

    # --- case_tasks (the case's tasks part) ---
    CASE_TASK_CREATED = "case_task.created", "Case task set"
    CASE_TASK_DONE = "case_task.done", "Case task done"
    CASE_TASK_CANCELLED = "case_task.cancelled", "Case task cancelled"

    # --- case_investigations (the case's investigation part) ---
    INVESTIGATION_OPENED = "investigation.opened", "Investigation opened"
    INVESTIGATION_UPDATED = "investigation.updated", "Investigation's terms, plan or status changed"
    INVESTIGATION_CONCLUDED = "investigation.concluded", "Investigation concluded"
    INTERVIEW_RECORDED = "investigation.interview_recorded", "Investigation interview recorded"
    INTERVIEW_ADDENDUM_ADDED = "investigation.interview_addendum", "Addendum to an interview"
    EVIDENCE_RECORDED = "investigation.evidence_recorded", "Evidence item recorded"
    EVIDENCE_FILE_ADDED = "investigation.evidence_file_added", "File added to evidence item"
    EVIDENCE_FILE_SCANNED = "investigation.evidence_file_scanned", "Evidence file scanned"
    EVIDENCE_FILE_QUARANTINED = "investigation.evidence_quarantined", "Evidence file quarantined"
    EVIDENCE_FILE_DOWNLOADED = "investigation.evidence_file_downloaded", "Evidence file downloaded"
    EVIDENCE_CUSTODY_RECORDED = "investigation.custody_recorded", "Evidence custody entry recorded"
    FINDING_RECORDED = "investigation.finding_recorded", "Investigation finding recorded"
    INVESTIGATION_REPORT_EXPORTED = "investigation.report_exported", "Investigation report exported"

    # --- case_decisions (the case's decision part) ---
    DECISION_RECORDED = "case.decision_recorded", "Decision recorded on a case"
    APPEAL_LODGED = "case.appeal_lodged", "Appeal lodged against a case's decision"
    APPEAL_PANEL_SET = "case.appeal_panel_set", "Appeal panel and hearing set"
    APPEAL_DECIDED = "case.appeal_decided", "Appeal outcome recorded"
    DECISION_OPTION_ADDED = "decision_option.added", "Decision outcome or sanction added"
    DECISION_OPTION_CHANGED = "decision_option.changed", "Outcome or sanction offered or withdrawn"

    # --- case_allegations (the case's allegation part) ---
    ALLEGATION_SETTINGS_CHANGED = "allegation.settings_changed", "Harm-threshold tests changed"
    ALLEGATION_HARM_TEST_RECORDED = "allegation.harm_test_recorded", "Harm-threshold test recorded"
    ALLEGATION_LADO_RECORDED = "allegation.lado_recorded", "LADO referral recorded"
    ALLEGATION_SUSPENSION_DECIDED = "allegation.suspension_decided", "Suspension decision recorded"
    ALLEGATION_SUSPENSION_REVIEWED = "allegation.suspension_reviewed", "Suspension reviewed"
    ALLEGATION_BARRING_REFERRED = "allegation.barring_referred", "Barring or regulatory referral"
    ALLEGATION_BARRING_OUTCOME = "allegation.barring_outcome", "Barring referral outcome recorded"

    # --- case_learning (the case's learning part) ---
    LEARNING_SETTINGS_CHANGED = "learning.settings_changed", "Learning themes changed"
    LEARNING_REVIEW_RECORDED = "learning.review_recorded", "Learning review recorded"
    LEARNING_RECOMMENDATION_ADDED = "learning.recommendation_added", "Recommendation added"
    LEARNING_RECOMMENDATION_UPDATED = "learning.recommendation_updated", "Recommendation updated"

    # --- case_notes (the case's notes part) ---
    CASE_NOTE_ADDED = "case_note.added", "Case note written"
    CASE_NOTE_EDITED = "case_note.edited", "Case note edited by its author"
    CASE_NOTE_ADDENDUM_ADDED = "case_note.addendum_added", "Addendum added to a case note"
    SUPERVISION_RECORDED = "supervision.recorded", "Supervision on a case recorded"
    SUPERVISION_SCHEDULE_SET = "supervision.schedule_set", "Supervision schedule set"

    # --- hub (issue 5: the MASH, its referrals, information requests and decisions) ---
    HUB_SETTINGS_CHANGED = "hub.settings_changed", "Hub calendar or RAG timescales changed"
    HUB_REFERRAL_CREATED = "hub.referral_created", "Referral into the hub made"
    HUB_REFERRAL_RATED = "hub.referral_rated", "Hub referral rated (RAG)"
    HUB_REQUEST_SENT = "hub.request_sent", "Information request sent to an agency"
    HUB_REQUEST_DUE_CHANGED = "hub.request_due_changed", "Information request due time changed"
    HUB_REQUEST_ANSWERED = "hub.request_answered", "Agency answered its section"
    HUB_REQUEST_RELEASED = "hub.request_released", "Agency's answer released to the hub"
    HUB_REQUEST_ESCALATED = "hub.request_escalated", "Late information request escalated"
    HUB_SECTION_FILE_ADDED = "hub.section_file_added", "File added to an agency's section"
    HUB_FILE_SCANNED = "hub.file_scanned", "Agency's section file scanned: no virus found"
    HUB_FILE_QUARANTINED = "hub.file_quarantined", "Agency's section file quarantined: virus found"
    HUB_SECTION_SHARED = "hub.section_shared", "Agency's section shared with the referral's parties"
    HUB_REFERRAL_DECIDED = "hub.referral_decided", "Hub decision recorded"

    # --- sharing, consent and break-glass (issue 5) ---
    BREAK_GLASS_OPENED = "record.break_glass", "Restricted record opened by break-glass"
    BREAK_GLASS_REVIEWED = "record.break_glass_reviewed", "Break-glass opening reviewed"
    CHRONOLOGY_EXTRACT_MADE = "chronology.extract_made", "Chronology extract made for sharing"

    # --- known to (issue 5) ---
    KNOWN_TO_CHECKED = "known_to.checked", "Asked whether a person is known to partners"
    # On each matched organisation's own chain: which organisation asked, who and when; never
    # which of its records matched (ADR 0016).
    KNOWN_TO_MATCHED = "known_to.matched", "A partner was told a person is known to us"
    KNOWN_TO_RATE_LIMITED = "known_to.rate_limited", "Known-to check refused: hourly limit reached"
    KNOWN_TO_CONTACT_CHANGED = "known_to.contact_changed", "Known-to contact changed"

    # --- record transfer (issue 5) ---
    TRANSFER_SENT = "transfer.sent", "Safeguarding file sent to another organisation"
    TRANSFER_RECEIVED = "transfer.received", "Safeguarding file arrived from another organisation"
    TRANSFER_VIEWED = "transfer.viewed", "Safeguarding file sent to us opened"
    TRANSFER_ACCEPTED = "transfer.accepted", "Safeguarding file accepted and imported"
    TRANSFER_RECEIPT_CONFIRMED = "transfer.receipt_confirmed", "Receipt of a sent file confirmed"
    TRANSFER_REJECTED = "transfer.rejected", "Safeguarding file rejected by the receiver"
    TRANSFER_RESENT = "transfer.resent", "Safeguarding file resent (the old bundle superseded)"
    TRANSFER_EXPORTED = "transfer.exported", "Signed transfer bundle downloaded by the sender"
    TRANSFER_REFUSED = (
        "transfer.refused",
        "Transfer bundle refused: not verified, nothing imported",
    )
    TRANSFER_ESCALATED = "transfer.escalated", "Transfer not acted on in time: escalated"
    TRANSFER_DOWNLOAD_CREATED = "transfer.download_created", "One-time download of a file created"
    TRANSFER_DOWNLOAD_FAILED = "transfer.download_failed", "Wrong code for a one-time download"
    TRANSFER_DOWNLOAD_LOCKED = "transfer.download_locked", "One-time download locked"
    TRANSFER_DOWNLOADED = "transfer.downloaded", "One-time download of a file used"
    TRANSFER_FILE_VIEWED = "transfer.file_viewed", "Received safeguarding file read"

    # --- webhooks (issue 5) ---
    WEBHOOK_CREATED = "webhook.created", "Webhook endpoint added"
    WEBHOOK_CHANGED = "webhook.changed", "Webhook endpoint changed"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", "Webhook signing secret rotated"
    WEBHOOK_DEACTIVATED = "webhook.deactivated", "Webhook endpoint deactivated"
    WEBHOOK_PINGED = "webhook.pinged", "Webhook test ping sent"
    WEBHOOK_REDELIVERED = "webhook.redelivered", "Webhook delivery sent again"

    # In-app notifications
    NOTIFICATION_SENT = "notification.sent", "Notification sent"
    NOTIFICATION_READ = "notification.read", "Notification marked read"
    NOTIFICATION_ALL_READ = "notification.all_read", "All notifications marked read"
    # Demo data
    DEMO_LOADED = "demo.loaded", "Demo data loaded"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"
