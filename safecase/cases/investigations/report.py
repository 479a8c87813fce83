"""The investigation report as a PDF: terms of reference and plan, interviews (fact apart from
the interviewer's opinion), the evidence register with each file's SHA-256 and its chain of
custody, and the findings by kind. Drawn with the chronology export's PDF frame
(safecase.people.exports: the protective marking on every page, characters the font cannot
draw replaced and said so), and recorded in the audit trail before it is handed over."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.text import slugify

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases.investigations.selectors import InvestigationView
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.people.exports import MARKING, REPLACEMENT, ChronologyPDF


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y %H:%M}"


class _Report:
    def __init__(self, pdf: ChronologyPDF) -> None:
        self.pdf = pdf

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(self.pdf.face, "B", 12)
        self.pdf.multi_cell(0, 6, self.pdf.shown(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font(self.pdf.face, "", 9)

    def subheading(self, text: str) -> None:
        self.pdf.set_font(self.pdf.face, "B", 10)
        self.pdf.multi_cell(0, 5, self.pdf.shown(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font(self.pdf.face, "", 9)

    def para(self, text: str) -> None:
        self.pdf.multi_cell(0, 4.5, self.pdf.shown(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)


def investigation_pdf(
    case: Case, view: InvestigationView, *, generated_by: str, compress: bool = True
) -> bytes:
    investigation = view.investigation
    pdf = ChronologyPDF(unicode_font=True)
    generated = timezone.localtime()
    pdf.title_line = pdf.shown(f"Investigation report: {case.reference}")
    pdf.header_lines = [
        pdf.shown(case.title),
        pdf.shown(
            f"Generated {generated.day} {generated:%B %Y %H:%M} by {generated_by} — {MARKING}"
        ),
    ]
    pdf.set_compression(compress)
    pdf.set_title(f"Investigation report {case.reference}")
    pdf.set_author(generated_by)
    pdf.set_creator("Safecase")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    out = _Report(pdf)

    investigator = investigation.investigator.full_name or investigation.investigator.email
    out.heading("Terms of reference")
    out.para(investigation.terms_of_reference)
    out.heading("Plan")
    out.para(investigation.plan)
    out.para(
        f"Investigator: {investigator}. Status: {investigation.get_status_display()}."
        + (f" Concluded {_when(investigation.concluded_at)}." if investigation.concluded_at else "")
    )

    out.heading(f"Interviews and statements ({len(view.interviews)})")
    if not view.interviews:
        out.para("None recorded.")
    for interview in view.interviews:
        out.subheading(
            f"{interview.who} ({interview.get_role_display().lower()}), {_when(interview.held_at)}"
        )
        signed = f"Signed {interview.signed_on:%d %b %Y}." if interview.signed_on else "Not signed."
        out.para(f"Interviewed by {interview.interviewer.full_name}. {signed}")
        out.para(f"Summary (fact): {interview.summary}")
        if interview.own_words:
            out.para(f"In their own words: “{interview.own_words}”")
        if interview.interviewer_opinion:
            out.para(f"OPINION — the interviewer's view, not fact: {interview.interviewer_opinion}")
        for addendum in interview.addenda.all():
            out.para(
                f"Addendum by {addendum.author.full_name}, {_when(addendum.created_at)} "
                f"(reason: {addendum.reason}): {addendum.text}"
            )

    out.heading(f"Evidence register ({len(view.evidence)})")
    if not view.evidence:
        out.para("No items.")
    for item in view.evidence:
        out.subheading(f"{item.item} — obtained {item.obtained_on:%d %b %Y}")
        out.para(f"Source: {item.source}")
        if item.description:
            out.para(item.description)
        if item.has_file:
            out.para(f"File: {item.display_name} ({item.size} bytes)\nSHA-256: {item.sha256}")
            if item.received_sha256 and item.received_sha256 != item.sha256:
                out.para(
                    f"SHA-256 as received, before its metadata was removed: {item.received_sha256}"
                )
        else:
            out.para("No file.")
        for entry in item.custody.all():
            out.para(
                f"Custody: {entry.from_whom} to {entry.to_whom}, {_when(entry.transferred_at)}"
                f" — {entry.purpose}"
            )

    out.heading("Findings")
    for _value, label, findings in view.findings_by_kind:
        out.subheading(f"{label} ({len(findings)})")
        if not findings:
            out.para("None.")
        for finding in findings:
            basis = [f"interview with {i.who}" for i in finding.basis_interviews.all()]
            basis += [f"evidence: {e.item}" for e in finding.basis_evidence.all()]
            out.para(finding.text + ("\nBasis: " + "; ".join(basis) if basis else ""))
    if pdf.lossy:
        out.para(
            f"Some characters could not be shown in this PDF and appear as {REPLACEMENT} or "
            "without accents. The record itself keeps them exactly."
        )
    return bytes(pdf.output())


def report_filename(case: Case) -> str:
    return f"investigation-{slugify(case.reference)}-{timezone.localdate().isoformat()}.pdf"


def record_report_export(*, actor: Actor, case: Case, view: InvestigationView) -> None:
    """Write ``investigation.report_exported`` and commit it before the file leaves: if it
    cannot be written, the caller fails and no file is sent."""
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.INVESTIGATION_REPORT_EXPORTED,
        subject=case,
        changes={
            "investigation": view.investigation.pk,
            "interviews": len(view.interviews),
            "evidence": len(view.evidence),
            "findings": len(view.findings),
        },
    )
