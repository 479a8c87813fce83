"""The investigation's content of a case as plain entries (cases/parts.py): its terms of
reference and plan, the interviews' summaries (the interviewer's opinion labelled as opinion),
the evidence register with each file's SHA-256, and the findings by kind. Goes into the
decision's frozen snapshot and the case bundle."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from safecase.cases.investigations import selectors
from safecase.cases.models import Case
from safecase.cases.parts import Entry


def _basis(finding: Any) -> str:
    parts = [
        f"interview with {i.who} ({i.held_at:%Y-%m-%d})" for i in finding.basis_interviews.all()
    ]
    parts += [f"evidence: {e.item}" for e in finding.basis_evidence.all()]
    return "Basis: " + "; ".join(parts) if parts else "Basis: none recorded"


def investigation_entries(case: Any) -> list[Entry]:
    if not isinstance(case, Case):  # the registry's own tests pass a stand-in
        return []
    investigation = selectors.investigation_of(case)
    if investigation is None:
        return []
    view = selectors.investigation_view(investigation)
    who = investigation.investigator.full_name or investigation.investigator.email
    entries: list[Entry] = [
        {
            "heading": "Terms of reference",
            "when": investigation.created_at.isoformat(),
            "body": f"{investigation.terms_of_reference}\n\nPlan: {investigation.plan}\n\n"
            f"Investigator: {who}. Status: {investigation.get_status_display()}.",
        }
    ]
    for interview in view.interviews:
        body = f"Summary (fact): {interview.summary}"
        if interview.own_words:
            body += f"\nIn their own words: “{interview.own_words}”"
        if interview.interviewer_opinion:
            body += f"\nInterviewer's opinion (opinion, not fact): {interview.interviewer_opinion}"
        signed = f"signed {interview.signed_on:%Y-%m-%d}" if interview.signed_on else "not signed"
        body += f"\nBy {interview.interviewer.full_name}; {signed}."
        for addendum in interview.addenda.all():
            body += f"\nAddendum ({addendum.reason}): {addendum.text}"
        entries.append(
            {
                "heading": f"Interview: {interview.who} ({interview.get_role_display().lower()})",
                "when": timezone.localtime(interview.held_at).isoformat(),
                "body": body,
            }
        )
    for item in view.evidence:
        body = f"Source: {item.source}."
        if item.description:
            body += f"\n{item.description}"
        body += f"\nSHA-256: {item.sha256}" if item.sha256 else "\nNo file."
        for entry in item.custody.all():
            body += (
                f"\nCustody: {entry.from_whom} to {entry.to_whom}, "
                f"{timezone.localtime(entry.transferred_at):%Y-%m-%d %H:%M} ({entry.purpose})"
            )
        entries.append(
            {
                "heading": f"Evidence: {item.item}",
                "when": item.obtained_on.isoformat(),
                "body": body,
            }
        )
    for _value, label, findings in view.findings_by_kind:
        for finding in findings:
            entries.append(
                {
                    "heading": f"Finding – {label}",
                    "when": finding.created_at.isoformat(),
                    "body": f"{finding.text}\n{_basis(finding)}",
                }
            )
    return entries
