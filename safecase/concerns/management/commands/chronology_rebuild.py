"""manage.py chronology_rebuild: write every person's chronology lines again from the concerns
and the cases.

The lines are a projection the actions keep (ADR 0010). Rebuild them after a bulk load that
bypassed the actions (the county demo), after a restore, or if they are ever suspected to have
drifted. One transaction per organisation: a page reads the old lines until it commits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from safecase.accounts.models import Organisation
from safecase.cases import chronology as case_chronology
from safecase.concerns.chronology import rebuild


class Command(BaseCommand):
    help = "Rebuild every person's chronology from the concerns and cases and what followed them."

    def handle(self, *args: Any, **options: Any) -> None:
        written = 0
        for organisation_id in Organisation.objects.values_list("pk", flat=True):
            with transaction.atomic():
                written += rebuild(organisation_id=organisation_id)
                written += case_chronology.rebuild(organisation_id=organisation_id)
        self.stdout.write(f"Chronology rebuilt: {written} lines.")
