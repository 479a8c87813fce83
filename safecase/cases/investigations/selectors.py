"""Reading a case's investigation. Every read starts from a case the caller already found
through the case's scoping (``page.case_or_404`` / ``cases_visible_to``): an investigation is
seen by exactly those who may see its case. Each read runs a fixed number of queries, whatever
the investigation holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from safecase.cases.investigations.choices import FindingKind
from safecase.cases.investigations.models import (
    CustodyEntry,
    EvidenceItem,
    Finding,
    Interview,
    InterviewAddendum,
    Investigation,
    InvestigationRevision,
)
from safecase.cases.models import Case, CaseSubject


def investigation_of(case: Case) -> Investigation | None:
    return (
        Investigation.objects.filter(case=case).select_related("investigator", "opened_by").first()
    )


def interviews_of(investigation: Investigation) -> QuerySet[Interview]:
    return (
        Interview.objects.filter(investigation=investigation)
        .select_related("interviewer", "person", "recorded_by")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=InterviewAddendum.objects.select_related("author").order_by("created_at"),
            )
        )
        .order_by("held_at", "created_at")
    )


def evidence_of(investigation: Investigation) -> QuerySet[EvidenceItem]:
    return (
        EvidenceItem.objects.filter(investigation=investigation)
        .select_related("recorded_by", "investigation")
        .prefetch_related(
            Prefetch(
                "custody",
                queryset=CustodyEntry.objects.select_related("recorded_by").order_by(
                    "transferred_at", "created_at"
                ),
            )
        )
        .order_by("obtained_on", "created_at")
    )


def findings_of(investigation: Investigation) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(investigation=investigation)
        .select_related("recorded_by")
        .prefetch_related("basis_interviews__person", "basis_evidence")
        .order_by("created_at")
    )


def revisions_of(investigation: Investigation) -> QuerySet[InvestigationRevision]:
    return (
        InvestigationRevision.objects.filter(investigation=investigation)
        .select_related("changed_by", "investigator")
        .order_by("-number")
    )


@dataclass
class InvestigationView:
    """Everything the investigation's page, its report and the API show."""

    investigation: Investigation
    revisions: list[InvestigationRevision]
    interviews: list[Interview]
    evidence: list[EvidenceItem]
    findings: list[Finding]
    findings_by_kind: list[tuple[str, str, list[Finding]]] = field(default_factory=list)


def investigation_view(investigation: Investigation) -> InvestigationView:
    findings = list(findings_of(investigation))
    by_kind = [
        (value, str(label), [f for f in findings if f.kind == value])
        for value, label in FindingKind.choices
    ]
    return InvestigationView(
        investigation=investigation,
        revisions=list(revisions_of(investigation)),
        interviews=list(interviews_of(investigation)),
        evidence=list(evidence_of(investigation)),
        findings=findings,
        findings_by_kind=by_kind,
    )


def case_people(case: Case) -> list[tuple[str, str]]:
    """The people on the case, as choices for who was interviewed."""
    return [
        (str(s.person_id), f"{s.person.display_name} ({s.get_role_display().lower()})")
        for s in CaseSubject.objects.filter(case=case)
        .select_related("person")
        .order_by("created_at")
    ]


def interview_on(investigation: Investigation, interview_id: Any) -> Interview | None:
    return Interview.objects.filter(investigation=investigation, pk=interview_id).first()


def evidence_on(investigation: Investigation, evidence_id: Any) -> EvidenceItem | None:
    return EvidenceItem.objects.filter(investigation=investigation, pk=evidence_id).first()
