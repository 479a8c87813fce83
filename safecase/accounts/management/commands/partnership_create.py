"""manage.py partnership_create: the operator records a partnership and its sharing agreement."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecase.accounts import actions
from safecase.accounts.models import Organisation
from safecase.core.actors import Actor
from safecase.core.errors import DomainError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Create a partnership under an information-sharing agreement and add organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--purpose", required=True)
        parser.add_argument("--lawful-basis", required=True)
        parser.add_argument("--starts-on", required=True, help="YYYY-MM-DD")
        parser.add_argument("--ends-on", help="YYYY-MM-DD (open-ended if omitted)")
        parser.add_argument("--agreement-reference", default="")
        parser.add_argument(
            "--organisation", action="append", default=[], help="an organisation id (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = []
        for org_id in options["organisation"]:
            try:
                organisation = Organisation.objects.filter(pk=uuid.UUID(org_id)).first()
            except ValueError:
                organisation = None
            if organisation is None:
                raise CommandError(f"No organisation with id {org_id}")
            organisations.append(organisation)
        actor = Actor.system("partnership_create")
        try:
            partnership = actions.partnership_create(
                actor=actor,
                name=options["name"],
                purpose=options["purpose"],
                lawful_basis=options["lawful_basis"],
                starts_on=_date(options["starts_on"]),
                ends_on=_date(options["ends_on"]) if options["ends_on"] else None,
                agreement_reference=options["agreement_reference"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for organisation in organisations:
            actions.partnership_add_member(
                actor=actor, partnership=partnership, organisation=organisation
            )
        self.stdout.write(
            f"Created partnership {partnership.name} ({partnership.pk}) with "
            f"{len(organisations)} organisation(s)."
        )
