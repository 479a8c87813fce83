"""manage.py known_to_rebuild: write the known-to index again from the people records.

The index is a projection the people actions keep (ADR 0016). Rebuild it after a bulk load
that bypassed the actions (the county demo), after a restore, and always after changing
SAFECASE_KNOWN_TO_KEY (or SECRET_KEY, when the key is derived from it): digests made under the
old key match nothing. One transaction, in bulk inserts: checks read the old index until it
commits.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safecase.accounts.models import Organisation
from safecase.partnerships.knownto import index


class Command(BaseCommand):
    help = "Rebuild the known-to index (keyed digests of identifiers, names and dates of birth)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", help="Only this organisation (its id); default: every one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["organisation"]:
            try:
                key = uuid.UUID(options["organisation"])
            except ValueError:
                raise CommandError("Give the organisation's id (a UUID).") from None
            organisation = Organisation.objects.filter(pk=key).first()
            if organisation is None:
                raise CommandError("No organisation has that id.")
            written = index.rebuild(organisation_id=organisation.pk)
            scope = organisation.name
        else:
            written = index.rebuild()
            scope = "every organisation"
        self.stdout.write(
            f"Known-to index rebuilt for {scope}: {written:,} digests "
            f"in {time.monotonic() - started:.1f} s."
        )
