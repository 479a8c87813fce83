"""The search index: one row per person or submitted concern, with the text search matches on.

The index is a copy kept current by explicit calls from the people and concerns actions
(``safecase.insight.search.index_person`` / ``index_concern`` / ``remove``), never by signals,
and rebuilt in bulk by ``manage.py search_reindex``. Beside each row the database keeps its own
full-text structure, created in migration 0002: a generated ``tsvector`` column with a GIN index
on PostgreSQL, an FTS5 table mirrored by triggers on SQLite.

Nobody reads this table directly: ``search()`` only returns rows whose record the actor may see
through ``people_visible_to`` / ``concerns_visible_to``, so the index holds no access rule of its
own and can never widen what anyone sees.
"""

from __future__ import annotations

from django.db import models


class DocumentKind(models.TextChoices):
    PERSON = "person", "Person"
    CONCERN = "concern", "Concern"


class SearchDocument(models.Model):
    """The searchable text of one person or submitted concern (never a draft).

    Seen by nobody directly: a search returns a row only when its record is visible to the
    searcher by the record's own selector.
    """

    # An integer key: SQLite's FTS5 table mirrors this table by rowid.
    id = models.BigAutoField(primary_key=True)
    # No index of its own: the (organisation, kind) index below serves every lookup by it.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, db_index=False
    )
    kind = models.CharField(max_length=8, choices=DocumentKind.choices)
    object_id = models.UUIDField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("kind", "object_id"), name="uniq_search_document"),
        )
        # The organisation's own rows: ANDed with the full-text index on PostgreSQL.
        indexes = (models.Index(fields=("organisation", "kind"), name="insight_doc_org_kind_idx"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
