"""The Tasks section of a case (the decision's frozen snapshot, the case bundle)."""

from __future__ import annotations

from typing import Any

from safecase.cases.casetasks.models import CaseTask
from safecase.cases.parts import Entry


def read(case: Any) -> list[Entry]:
    case_id = getattr(case, "pk", None)
    if case_id is None:  # not a saved case: nothing of it recorded here
        return []
    rows = (
        CaseTask.objects.filter(case_id=case_id)
        .select_related("owner", "closed_by")
        .order_by("created_at", "id")
    )
    entries: list[Entry] = []
    for task in rows:
        lines = [
            f"Owner: {task.owner.full_name or task.owner.email}",
            f"Due: {task.due_on:%d %b %Y}",
        ]
        lines.append(f"Set by: {task.source or 'a person'}")
        if task.is_open:
            lines.append("Status: open")
        else:
            closer = task.closed_by.full_name if task.closed_by else ""
            lines.append(
                f"Status: {task.get_status_display().lower()} by {closer}"
                + (f" ({task.close_note})" if task.close_note else "")
            )
        entries.append(
            {"heading": task.title, "when": task.created_at.isoformat(), "body": "\n".join(lines)}
        )
    return entries
