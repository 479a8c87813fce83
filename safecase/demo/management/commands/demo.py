"""manage.py demo: load the synthetic demo organisations and personas (development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.demo.concerns import build_demo_concerns
from safecase.demo.personas import DEMO_PASSWORD, PERSONAS, build_demo_world, persona_email


class Command(BaseCommand):
    help = "Create the synthetic demo organisations and one user per persona (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG or not settings.SAFECASE_DEMO:
            raise CommandError(
                "The demo runs only with SAFECASE_DEBUG=1 and SAFECASE_DEMO=1, never in production."
            )
        world = build_demo_world()
        build_demo_concerns(world)
        with transaction.atomic():
            recorder.record(actor=Actor.system("demo"), action=AuditAction.DEMO_LOADED)
        self.stdout.write("\nSafecase demo is ready. Sign in at http://127.0.0.1:8000 as:\n")
        width = max(len(persona_email(p[0])) for p in PERSONAS)
        for persona, full_name, org_key, roles in PERSONAS:
            org = world.organisations[org_key].name
            self.stdout.write(
                f"  {persona_email(persona):<{width}}  {full_name} – {', '.join(roles)} at {org}"
            )
        self.stdout.write(f"\nPassword for every demo user: {DEMO_PASSWORD}")
        self.stdout.write(
            "Demo users skip multi-factor authentication only while SAFECASE_DEMO=1.\n"
        )
