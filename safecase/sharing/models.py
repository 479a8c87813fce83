"""Chronology extracts: what a lead chooses from a person's chronology to share (issue 5).

Share grants themselves are ``access.ShareGrant`` (any item, down to one note); break-glass
openings are ``access.BreakGlassAccess``: the visibility rule reads both, so they live with it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecase.core.models import BaseModel


class ChronologyExtract(BaseModel):
    """A frozen selection of a person's chronology lines, chosen by a lead of the organisation
    that owns the person, made to be shared (the extract is the item a ShareGrant names).

    Its lines are copies taken when it was made (``ChronologyExtractLine``): later changes to
    the chronology never change what was shared. The person's name and date of birth are copied
    too, so the receiving organisation learns who it is about without the person's record.
    Owned by the organisation; seen by its safeguarding team (those who may see the person) and,
    through an active grant, by members of the receiving organisation. Never changed."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    person_name = models.CharField(max_length=420)
    person_date_of_birth = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = (
            models.Index(fields=("organisation", "created_at", "id")),
            models.Index(fields=("person", "created_at")),
        )

    def __str__(self) -> str:
        return self.title


class ChronologyExtractLine(models.Model):
    """One chronology line as it stood when the extract was made: a snapshot, never changed.
    Seen with its extract."""

    extract = models.ForeignKey(ChronologyExtract, on_delete=models.PROTECT, related_name="lines")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    position = models.PositiveIntegerField()
    # The line it was copied from (people.ChronologyItem.source_id), for the owner's reference.
    source_id = models.UUIDField()
    when = models.DateTimeField()
    approximate = models.BooleanField(default=False)
    kind = models.CharField(max_length=80)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ("position",)
        constraints = (
            models.UniqueConstraint(fields=("extract", "position"), name="uniq_extract_line"),
        )

    def __str__(self) -> str:
        return f"{self.title} ({self.when:%Y-%m-%d})"
