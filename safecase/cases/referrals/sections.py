"""The External referrals section of a case (the decision's frozen snapshot, the case bundle)."""

from __future__ import annotations

from typing import Any

from safecase.cases.parts import Entry
from safecase.cases.referrals.models import ExternalReferral


def read(case: Any) -> list[Entry]:
    case_id = getattr(case, "pk", None)
    if case_id is None:  # not a saved case: nothing of it recorded here
        return []
    rows = (
        ExternalReferral.objects.filter(case_id=case_id)
        .select_related("agency", "made_by")
        .prefetch_related("escalations")
        .order_by("made_at", "id")
    )
    entries: list[Entry] = []
    for referral in rows:
        lines = [
            f"Method: {referral.get_method_display()}, by {referral.made_by.full_name}",
            f"Contact: {referral.contact_name or 'not recorded'}"
            + (f" ({referral.contact_details})" if referral.contact_details else ""),
            f"Their reference: {referral.their_reference or 'none given'}",
            f"Follow up by: {referral.follow_up_on:%d %b %Y}",
        ]
        if referral.summary:
            lines.append(f"Shared: {referral.summary}")
        if referral.is_answered and referral.response_received_on is not None:
            lines.append(
                f"Response ({referral.response_received_on:%d %b %Y}): {referral.response}"
            )
            lines.append(f"Outcome: {referral.outcome}")
        else:
            lines.append(f"Status: {referral.get_status_display()}")
        for escalation in sorted(referral.escalations.all(), key=lambda e: e.escalated_at):
            lines.append(
                f"Escalated {escalation.escalated_at:%d %b %Y %H:%M} to "
                f"{escalation.escalated_to}: {escalation.reason}"
            )
        entries.append(
            {
                "heading": f"Referral to {referral.agency.label}",
                "when": referral.made_at.isoformat(),
                "body": "\n".join(lines),
            }
        )
    return entries
