"""manage.py org_create: the operator creates an organisation and its first administrator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecase.access.roles import Role
from safecase.accounts import actions
from safecase.accounts.models import OrganisationType
from safecase.core.actors import Actor
from safecase.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an organisation and invite its first organisation administrator by e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--type", required=True, choices=OrganisationType.values)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000/", help="for the link in the e-mail"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        system = Actor.system("org_create")
        organisation = actions.organisation_create(
            actor=system, name=options["name"], org_type=options["type"]
        )
        try:
            actions.member_invite(
                actor=Actor.system("org_create", organisation=organisation),
                email=options["admin_email"],
                full_name=options["admin_name"],
                roles=[Role.ORG_ADMIN],
                base_url=options["base_url"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Created {organisation.name} ({organisation.pk}); invitation sent to "
            f"{options['admin_email']}."
        )
