"""Case tasks: a piece of work on a case with an owner and a due date, set by a person or by a
part of the case (a referral's follow-up), so that overdue work surfaces on the owner's home,
in their "my tasks" list and in the daily digest.

Seen by whoever may see the case (restriction to named people included); a task's owner is
always someone who may see its case. Changed only through casetasks.actions (or, for a part's
own tasks, casetasks.follow_up inside that part's action), under ``version``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safecase.cases.casetasks.choices import TaskStatus
from safecase.core.models import BaseModel


class CaseTask(BaseModel):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="case_tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # A person set it (created_by), or a part of the case did: ``source`` says which, in words
    # ("Referral follow-up"), and ``source_id`` is that part's record (the referral).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=80, blank=True)
    source_id = models.UUIDField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            # Closed means someone closed it, at a time; open means nobody has.
            models.CheckConstraint(
                condition=(
                    Q(status=TaskStatus.OPEN, closed_at__isnull=True)
                    | (~Q(status=TaskStatus.OPEN) & Q(closed_at__isnull=False))
                ),
                name="case_task_closed_has_time",
            ),
        )
        indexes = (
            # My tasks, overdue first; the digest's overdue tasks per owner.
            models.Index(fields=("owner", "status", "due_on", "id")),
            # The case's tab.
            models.Index(fields=("case", "due_on")),
            # A part closing the tasks it opened.
            models.Index(fields=("source_id",)),
        )

    def __str__(self) -> str:
        return f"{self.title} ({self.status}, due {self.due_on})"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN
