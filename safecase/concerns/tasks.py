"""Background work for concerns: telling the leads at once about an urgent concern (R7)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django_tasks import task

from safecase.access.roles import Role
from safecase.accounts.models import User
from safecase.concerns.models import Concern


@task()
def notify_leads_of_urgent_concern(concern_id: str) -> int:
    """E-mail every active lead and deputy. The e-mail names no child and quotes nothing: it
    only says that an urgent concern is waiting, so nothing sensitive leaves the system."""
    concern = Concern.objects.select_related("organisation").filter(pk=concern_id).first()
    if concern is None:
        return 0
    leads = User.objects.filter(
        is_active=True,
        memberships__organisation=concern.organisation,
        memberships__is_active=True,
        memberships__roles__role__in=[Role.LEAD, Role.DEPUTY_LEAD],
    ).distinct()
    subject = "Urgent safeguarding concern waiting in Safecase"
    body = (
        f"An urgent concern has just been recorded at {concern.organisation.name}.\n\n"
        "Sign in to Safecase and open your triage queue to read it.\n"
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in leads]
    return send_mass_mail(messages, fail_silently=False)


@task()
def evaluate_patterns(concern_id: str) -> int:
    """Run the organisation's pattern rules for one concern, as the system."""
    from safecase.concerns.actions import concern_evaluate_patterns
    from safecase.core.actors import Actor

    concern = Concern.objects.filter(pk=concern_id).select_related("organisation").first()
    if concern is None:
        return 0
    actor = Actor(
        user=None, organisation=concern.organisation, channel="task", system_label="patterns"
    )
    return len(concern_evaluate_patterns(actor=actor, concern=concern))
