"""The daily digest of overdue case tasks, as concerns.reminders sends the overdue-actions one:
each owner of overdue tasks gets one e-mail saying how many and where to look, never what
(nothing sensitive leaves the system). Run daily by `manage.py send_case_task_digest`.

Each owner's count comes from their own access scoping: a task on a case since restricted to
others is not counted for them (its existence is not revealed, not even as a number).
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.casetasks.selectors import overdue_case_tasks
from safecase.core.actors import Actor

Message = tuple[str, str, str, list[str]]
SUBJECT = "Safecase case tasks past their due date"


def send_overdue_case_task_digest() -> int:
    """E-mail each owner of overdue case tasks one summary per organisation. Returns how many
    e-mails were sent."""
    today = timezone.localdate()
    pairs = (
        CaseTask.objects.filter(status=TaskStatus.OPEN, due_on__lt=today, owner__is_active=True)
        .values_list("owner_id", "organisation_id")
        .distinct()
    )
    wanted: dict[object, set[object]] = defaultdict(set)
    for owner_id, organisation_id in pairs:
        wanted[owner_id].add(organisation_id)
    memberships = (
        Membership.objects.filter(user_id__in=list(wanted), is_active=True)
        .select_related("user", "organisation")
        .prefetch_related("roles")
        .order_by("user__email", "organisation__name")
    )
    messages: list[Message] = []
    for membership in memberships:
        if membership.organisation_id not in wanted[membership.user_id]:
            continue
        actor = Actor(
            user=membership.user,
            organisation=membership.organisation,
            roles=frozenset(membership.role_names()),
        )
        count = overdue_case_tasks(actor).filter(organisation_id=membership.organisation_id).count()
        if not count:
            continue
        messages.append(
            (
                SUBJECT,
                f"You have {count} case task(s) at {membership.organisation.name} past their due "
                "date.\n\nSign in to Safecase and open 'My case tasks'.\n",
                settings.DEFAULT_FROM_EMAIL,
                [membership.user.email],
            )
        )
    return send_mass_mail(messages, fail_silently=False) if messages else 0
