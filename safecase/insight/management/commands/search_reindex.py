"""manage.py search_reindex: rebuild the search index from every person and submitted concern.

For a new installation, after a restore, or if the index is ever suspected to have drifted. It
runs in one transaction: searches go on using the old index until it commits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safecase.insight.search import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index from all people and submitted concerns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Records read and written per batch."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reindex_all(batch_size=max(1, options["batch_size"]))
        self.stdout.write(
            f"Search index rebuilt: {counts['person']} people and {counts['concern']} concerns."
        )
