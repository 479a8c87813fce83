"""Background tasks for sharing: the e-mail that goes with a break-glass notification.

Like the notification, it says only that something waits in Safecase, never what (no name or
narrative of a record ever leaves in an e-mail)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from safecase.accounts.models import Organisation, User


@task()
def send_break_glass_mail(user_ids: list[str], organisation_id: str) -> None:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("email"):
        send_mail(
            subject=f"A restricted record was opened by break-glass at {organisation.name}",
            message=render_to_string(
                "sharing/email/break_glass.txt", {"user": user, "organisation": organisation}
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
