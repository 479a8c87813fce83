"""What the allegation track gives the pages and records that belong to no one part
(cases/parts.py): its section of the decision snapshot and the case bundle, and the home
panel of overdue suspension reviews."""

from __future__ import annotations

from typing import Any

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.cases.allegations import selectors
from safecase.cases.allegations.choices import ReviewOutcome, SuspensionChoice
from safecase.cases.models import Case
from safecase.cases.parts import Entry
from safecase.core.actors import Actor

PANEL_LIMIT = 10


def section(case: Any) -> list[Entry]:
    """The allegation track of the case, oldest first, as plain entries."""
    # Only a case has a part (the registry's own tests pass a stand-in).
    if not isinstance(case, Case) or not selectors.is_allegation_case(case):
        return []
    part = selectors.allegation_part(case)
    entries: list[tuple[str, Entry]] = []
    for test in part.harm_tests:
        lines = [
            f"{'Yes' if a['answer'] else 'No'}: {a['question']}"
            + (f" ({a['note']})" if a["note"] else "")
            for a in test.answers
        ]
        if test.summary:
            lines.append(test.summary)
        entries.append(
            (
                test.created_at.isoformat(),
                {
                    "heading": "Harm-threshold test: "
                    + ("threshold met" if test.threshold_met else "threshold not met"),
                    "when": test.created_at.isoformat(),
                    "body": "\n".join(lines),
                },
            )
        )
    if part.allegation is not None and part.allegation.lado_referred_at is not None:
        when = part.allegation.lado_referred_at.isoformat()
        entries.append(
            (
                when,
                {
                    "heading": "LADO referral",
                    "when": when,
                    "body": f"LADO reference {part.allegation.lado_reference}",
                },
            )
        )
    for decision in part.decisions:
        body = [decision.rationale]
        if decision.arrangements:
            body.append(f"Arrangements: {decision.arrangements}")
        entries.append(
            (
                decision.created_at.isoformat(),
                {
                    "heading": "Suspension decision: "
                    + SuspensionChoice(decision.initial_decision).label,
                    "when": decision.starts_on.isoformat(),
                    "body": "\n".join(body),
                },
            )
        )
        for review in decision.reviews.all():
            next_review = (
                f"\nNext review {review.next_review_on:%d %b %Y}" if review.next_review_on else ""
            )
            entries.append(
                (
                    review.created_at.isoformat(),
                    {
                        "heading": f"Suspension review: {ReviewOutcome(review.outcome).label}"
                        f" ({SuspensionChoice(review.to_decision).label})",
                        "when": review.reviewed_on.isoformat(),
                        "body": review.rationale + next_review,
                    },
                )
            )
    for referral in part.referrals:
        body = [referral.reason]
        if referral.reference:
            body.append(f"Their reference: {referral.reference}")
        if referral.outcome:
            body.append(f"Outcome ({referral.outcome_on:%d %b %Y}): {referral.outcome}")
        entries.append(
            (
                referral.created_at.isoformat(),
                {
                    "heading": f"Referral to {referral.body_label}",
                    "when": referral.referred_on.isoformat(),
                    "body": "\n".join(body),
                },
            )
        )
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]


def panel(actor: Actor) -> dict[str, Any]:
    """Overdue suspension reviews, for whoever manages cases or watches caseloads; counted
    from the reader's own scoping, so a restricted case shows only to those named."""
    if not (can(actor, Permission.CASE_VIEW_CASELOAD) or can(actor, Permission.CASE_MANAGE)):
        return {"shown": False, "rows": [], "more": False}
    rows = list(selectors.overdue_suspension_reviews(actor)[: PANEL_LIMIT + 1])
    return {"shown": True, "rows": rows[:PANEL_LIMIT], "more": len(rows) > PANEL_LIMIT}
