"""What the learning review gives the pages and records that belong to no one part
(cases/parts.py): its section of the decision snapshot and the case bundle, and the home
panel of overdue recommendations."""

from __future__ import annotations

from typing import Any

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.learning import selectors
from safecase.cases.models import Case
from safecase.cases.parts import Entry
from safecase.core.actors import Actor

PANEL_LIMIT = 10


def section(case: Any) -> list[Entry]:
    # Only a case has a part (the registry's own tests pass a stand-in).
    if not isinstance(case, Case):
        return []
    part = selectors.learning_part(case)
    review = part.review
    if review is None:
        return []
    body = [
        f"What went well: {review.went_well}",
        f"What could be done better: {review.do_better}",
        f"Why it happened: {review.why_it_happened}",
        f"Facilitated by {review.facilitator}",
    ]
    if part.themes:
        body.append("Themes: " + ", ".join(part.theme_labels))
    entries: list[Entry] = [
        {"heading": "Learning review", "when": review.held_on.isoformat(), "body": "\n".join(body)}
    ]
    for rec in part.recommendations:
        status = rec.get_status_display()
        if rec.status_reason:
            status += f" ({rec.status_reason})"
        entries.append(
            {
                "heading": "Recommendation",
                "when": rec.created_at.isoformat(),
                "body": f"{rec.text}\nOwner: {rec.owner.full_name}; due {rec.due_on:%d %b %Y}; "
                f"{status}",
            }
        )
    return entries


def panel(actor: Actor) -> dict[str, Any]:
    """Overdue recommendations, for whoever manages cases or watches caseloads, counted from
    the reader's own scoping (a restricted case only for those named)."""
    if not (can(actor, Permission.CASE_VIEW_CASELOAD) or can(actor, Permission.CASE_MANAGE)):
        return {"shown": False, "rows": [], "more": False}
    rows = list(selectors.overdue_recommendations(actor)[: PANEL_LIMIT + 1])
    return {"shown": True, "rows": rows[:PANEL_LIMIT], "more": len(rows) > PANEL_LIMIT}
