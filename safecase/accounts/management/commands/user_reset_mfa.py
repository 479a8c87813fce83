"""manage.py user_reset_mfa: the operator resets a person's MFA and ends all their sessions.

For people who belong to several organisations, whose accounts no single organisation
administrator may change. Check the person's identity out of band first.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecase.accounts.models import RecoveryCodeDevice, User
from safecase.accounts.sessions import end_sessions
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor


class Command(BaseCommand):
    help = "Remove a user's authenticator and recovery codes and end all their sessions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--reason", required=True, help="why, and how identity was checked")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError("No account has that e-mail address.")
        if not options["reason"].strip():
            raise CommandError("Give a reason.")
        with transaction.atomic(durable=True):
            removed = TOTPDevice.objects.filter(user=user).delete()[0]
            removed += RecoveryCodeDevice.objects.filter(user=user).delete()[0]
            ended = end_sessions(user)
            recorder.record(
                actor=Actor.system("user_reset_mfa"),
                action=AuditAction.MFA_RESET,
                subject=user,
                reason=options["reason"].strip(),
                changes={"devices_removed": removed, "sessions_ended": ended},
            )
        self.stdout.write(f"Reset MFA for {user.email}: {ended} session(s) ended.")
