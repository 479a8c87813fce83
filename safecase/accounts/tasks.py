"""Background tasks for accounts: e-mails are sent by the worker, never inside a request."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from safecase.accounts.models import User


def _set_password_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{base_url.rstrip('/')}{path}"


@task()
def send_password_reset(email: str, base_url: str) -> None:
    """Send a reset link if an active account has this address; otherwise do nothing.

    The request that enqueued this did the same work either way, so the web response does not
    reveal whether the address has an account (security bar A7).
    """
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        return
    context = {"user": user, "link": _set_password_link(user, base_url), "hours": 1}
    send_mail(
        subject="Reset your Safecase password",
        message=render_to_string("accounts/email/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@task()
def send_invitation(user_id: str, organisation_name: str, invited_by: str, base_url: str) -> None:
    """Tell an invited person they have been added, with a link to set their password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    context = {
        "user": user,
        "organisation_name": organisation_name,
        "invited_by": invited_by,
        "link": _set_password_link(user, base_url) if not user.has_usable_password() else "",
        "login_link": f"{base_url.rstrip('/')}{reverse('accounts:login')}",
    }
    send_mail(
        subject=f"You have been added to {organisation_name} on Safecase",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
