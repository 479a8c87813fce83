"""Telling people that concern work waits for them: at once about an urgent concern (R7), in-app
about escalations, pattern alerts and actions, and the background task that runs the pattern
rules.

E-mails and in-app notifications name no child and quote nothing: they say only that something
is waiting, so nothing sensitive leaves the system or sits on a shared screen. Each goes only
to people who may open the record it points at (a low-level concern about an adult, for one,
only to those who may read the low-level log).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone
from django_tasks import task

from safecase.access.roles import Role
from safecase.accounts.models import Membership, User
from safecase.concerns.choices import ConcernStatus
from safecase.concerns.models import Attachment, Concern, ConcernAction, PatternAlert, ScanState
from safecase.concerns.selectors import concerns_visible_to, drafts_of
from safecase.core.actors import Actor
from safecase.core.scanning import SCAN_ATTEMPTS, SCAN_RETRY_DELAYS, ScannerUnavailable
from safecase.notifications.actions import notify
from safecase.notifications.models import NotificationKind

SAFEGUARDING_LEADS = (Role.LEAD, Role.DEPUTY_LEAD)
logger = logging.getLogger(__name__)


def _members_with(organisation_id: object, roles: Sequence[str]) -> list[Membership]:
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id,
            organisation__is_active=True,
            is_active=True,
            user__is_active=True,
            roles__role__in=roles,
        )
        .distinct()
        .select_related("user", "organisation")
        .prefetch_related("roles")
        .order_by("user__email")
    )


def _as_member(membership: Membership) -> Actor:
    return Actor(
        user=membership.user,
        organisation=membership.organisation,
        roles=frozenset(membership.role_names()),
        channel="task",
    )


def readers_of(concern: Concern, roles: Sequence[str] = SAFEGUARDING_LEADS) -> list[User]:
    """The active members holding one of ``roles`` who may open this concern."""
    return [
        m.user
        for m in _members_with(concern.organisation_id, roles)
        if concerns_visible_to(_as_member(m)).filter(pk=concern.pk).exists()
    ]


@task()
def notify_leads_of_urgent_concern(concern_id: str) -> int:
    """Tell every lead and deputy who may read it, in-app and by e-mail. Returns how many
    e-mails were sent. Safe to run twice: nobody is notified in-app twice."""
    concern = Concern.objects.select_related("organisation").filter(pk=concern_id).first()
    if concern is None:
        return 0
    leads = readers_of(concern)
    notify(
        actor=Actor(
            user=None, organisation=concern.organisation, channel="task", system_label="urgent"
        ),
        organisation_id=concern.organisation_id,
        recipients=leads,
        kind=NotificationKind.URGENT_CONCERN,
        target_id=concern.pk,
        at=concern.submitted_at,
    )
    subject = "Urgent safeguarding concern waiting in Safecase"
    body = (
        f"An urgent concern has just been recorded at {concern.organisation.name}.\n\n"
        "Sign in to Safecase and open your triage queue to read it.\n"
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in leads]
    return send_mass_mail(messages, fail_silently=False)


def notify_of_escalation(*, actor: Actor, concern: Concern) -> None:
    """In-app, to the deputies and leads who may read it: an overdue concern still waits.
    Called by the escalation, inside its transaction."""
    notify(
        actor=actor,
        organisation_id=concern.organisation_id,
        recipients=readers_of(concern),
        kind=NotificationKind.CONCERN_ESCALATED,
        target_id=concern.pk,
        at=concern.submitted_at,
    )


def _may_open(user_id: object, concern: Concern) -> bool:
    """Whether this user, as an active member of the concern's organisation, may open it now
    (their own draft, or a submitted concern visible to them)."""
    membership = (
        Membership.objects.filter(
            organisation_id=concern.organisation_id,
            organisation__is_active=True,
            is_active=True,
            user__is_active=True,
            user_id=user_id,
        )
        .select_related("user", "organisation")
        .prefetch_related("roles")
        .first()
    )
    if membership is None:
        return False
    member = _as_member(membership)
    openable = concerns_visible_to(member) | drafts_of(member)
    return openable.filter(pk=concern.pk).exists()


def notify_leads_of_pattern_alert(alert: PatternAlert) -> None:
    """In-app, to the organisation's leads who may open at least one of the concerns behind a
    new pattern alert (the alert is shown to them with only those): it waits for review. A lead
    restricted out of all of them is not told it exists. Called where the alert is opened, after
    its concerns are added, inside the evaluation's transaction."""
    concern_ids = list(alert.concerns.values_list("pk", flat=True))
    leads = [
        m.user
        for m in _members_with(alert.organisation_id, [Role.LEAD])
        if concerns_visible_to(_as_member(m)).filter(pk__in=concern_ids).exists()
    ]
    notify(
        actor=Actor.system("patterns"),
        organisation_id=alert.organisation_id,
        recipients=leads,
        kind=NotificationKind.PATTERN_ALERT,
        target_id=alert.pk,
        at=alert.created_at,
    )


def notify_of_quarantine(*, actor: Actor, attachment: Attachment) -> None:
    """In-app, when the scan holds a file back: to whoever added it, and (once the concern is
    submitted) to the organisation's leads; each only if they may open the concern now, so a
    lead left out of a restricted concern does not learn of it this way. Called where the
    verdict is recorded, inside its transaction."""
    concern = attachment.concern
    recipients = []
    if _may_open(attachment.uploaded_by_id, concern):
        recipients.append(attachment.uploaded_by)
    if concern.status == ConcernStatus.SUBMITTED:
        recipients += readers_of(concern, [Role.LEAD])
    notify(
        actor=actor,
        organisation_id=attachment.organisation_id,
        recipients=recipients,
        kind=NotificationKind.FILE_QUARANTINED,
        target_id=concern.pk,
        at=attachment.created_at,
    )


def notify_owner_of_action(*, actor: Actor, action: ConcernAction) -> None:
    """In-app, to the action's owner, when someone else set it for them."""
    if actor.user is not None and action.owner_id == actor.user.pk:
        return
    notify(
        actor=actor,
        organisation_id=action.organisation_id,
        recipients=[action.owner],
        kind=NotificationKind.ACTION_ASSIGNED,
        target_id=action.pk,
        at=action.created_at,
    )


def notify_owner_of_overdue_action(*, actor: Actor, action: ConcernAction) -> None:
    """In-app, once per action, to its owner: it is past its due date."""
    notify(
        actor=actor,
        organisation_id=action.organisation_id,
        recipients=[action.owner],
        kind=NotificationKind.ACTION_OVERDUE,
        target_id=action.pk,
    )


@task()
def evaluate_patterns(concern_id: str) -> int:
    """Run the organisation's pattern rules for one concern, as the system."""
    from safecase.concerns.actions import concern_evaluate_patterns

    concern = Concern.objects.filter(pk=concern_id).select_related("organisation").first()
    if concern is None:
        return 0
    actor = Actor(
        user=None, organisation=concern.organisation, channel="task", system_label="patterns"
    )
    return len(concern_evaluate_patterns(actor=actor, concern=concern))


# The retry delays when a scan gets no verdict are the same for every kind of file
# (safecase.core.scanning.SCAN_RETRY_DELAYS; docs/operations.md 9c.2).


@task()
def scan_attachment(attachment_id: str, attempt: int = 1) -> str:
    """Scan one newly added file for viruses and record the verdict, as the system. Returns the
    file's scan state.

    A scanner that gives no verdict leaves the file pending (never served). The task then
    queues itself again, ``SCAN_RETRY_DELAYS[attempt - 1]`` later, and returns ``pending``;
    after ``SCAN_ATTEMPTS`` attempts (or at once, on a task backend that cannot run a task
    later) it logs a warning and raises ScannerUnavailable, and ``manage.py attachments_scan``
    is left to try again. A retry that finds the file already scanned records nothing."""
    from safecase.concerns.actions import attachment_scan

    attachment = Attachment.objects.select_related("organisation").filter(pk=attachment_id).first()
    if attachment is None:
        return "missing"
    actor = Actor(
        user=None, organisation=attachment.organisation, channel="task", system_label="scanner"
    )
    try:
        return attachment_scan(actor=actor, attachment=attachment).scan_state
    except ScannerUnavailable as exc:
        attempt = max(attempt, 1)
        if attempt >= SCAN_ATTEMPTS or not scan_attachment.get_backend().supports_defer:
            logger.warning(
                "Attachment %s: no virus scan verdict after %d attempt(s) (%s); it stays pending "
                "until manage.py attachments_scan scans it",
                attachment_id,
                attempt,
                exc,
            )
            raise
        run_after = timezone.now() + SCAN_RETRY_DELAYS[attempt - 1]
        scan_attachment.using(run_after=run_after).enqueue(
            attachment_id=attachment_id, attempt=attempt + 1
        )
        logger.warning(
            "Attachment %s: no virus scan verdict on attempt %d of %d (%s); trying again at %s",
            attachment_id,
            attempt,
            SCAN_ATTEMPTS,
            exc,
            run_after.isoformat(),
        )
        return ScanState.PENDING.value
