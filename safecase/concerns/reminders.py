"""Nothing sits unseen (T1, T3): overdue concerns go to the deputies, overdue actions to their
owners. Run daily (and hourly for escalation) by `manage.py send_reminders`.

E-mails say how many and where to look, never what: nothing sensitive leaves the system.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from safecase.access.roles import Role
from safecase.accounts.models import Organisation, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.concerns.choices import ActionStatus, ConcernStatus
from safecase.concerns.models import Concern, ConcernAction
from safecase.concerns.selectors import escalation_due, safeguarding_settings_for
from safecase.concerns.tasks import notify_of_escalation, notify_owner_of_overdue_action
from safecase.core.actors import Actor

Message = tuple[str, str, str, list[str]]


def _members_with(organisation_id: object, roles: list[str]) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__is_active=True,
            memberships__roles__role__in=roles,
        ).distinct()
    )


@transaction.atomic(durable=True)
def escalate_overdue_concerns() -> int:
    """Mark each overdue, untriaged concern escalated, record it, and e-mail the deputies (and
    the leads) of its organisation once. Returns how many concerns were escalated."""
    overdue = list(
        Concern.objects.select_for_update()
        .filter(
            escalation_due(),
            status=ConcernStatus.SUBMITTED,
            triaged_at__isnull=True,
            escalated_at__isnull=True,
        )
        .select_related("organisation")
    )
    by_org: dict[Organisation, list[Concern]] = defaultdict(list)
    now = timezone.now()
    for concern in overdue:
        by_org[concern.organisation].append(concern)
    Concern.objects.filter(pk__in=[c.pk for c in overdue]).update(escalated_at=now)
    messages: list[Message] = []
    for organisation, concerns in by_org.items():
        actor = Actor.system("send_reminders", organisation=organisation)
        for concern in concerns:
            recorder.record(actor=actor, action=AuditAction.CONCERN_ESCALATED, subject=concern)
            notify_of_escalation(actor=actor, concern=concern)
        hours = safeguarding_settings_for(organisation.pk).effective_escalate_hours
        body = (
            f"{len(concerns)} concern(s) at {organisation.name} have waited more than {hours} "
            "hours for triage.\n\nSign in to Safecase and open the triage queue.\n"
        )
        for user in _members_with(organisation.pk, [Role.DEPUTY_LEAD, Role.LEAD]):
            messages.append(
                ("Concerns waiting for triage", body, settings.DEFAULT_FROM_EMAIL, [user.email])
            )
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return len(overdue)


def send_overdue_action_digest() -> int:
    """E-mail each owner of overdue actions one summary. Returns how many e-mails were sent."""
    today = timezone.localdate()
    overdue = ConcernAction.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
    # In-app too, once per action (notify skips owners already told about it).
    for action in overdue.select_related("owner", "organisation"):
        actor = Actor.system("send_reminders", organisation=action.organisation)
        notify_owner_of_overdue_action(actor=actor, action=action)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for email, org_name in overdue.values_list("owner__email", "organisation__name"):
        counts[(email, org_name)] += 1
    messages: list[Message] = [
        (
            "Safecase actions past their due date",
            f"You have {n} action(s) at {org} past their due date.\n\n"
            "Sign in to Safecase and open 'My concerns and actions'.\n",
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
        for (email, org), n in sorted(counts.items())
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
