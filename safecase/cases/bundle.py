"""The case bundle: the whole case as one PDF to hand to a conference, a court or an inquiry
(issue 4, "case export"): summary, concerns, stage history, the case's chronology, and every
part's content (risk history, referrals, investigation, decisions with their rationale, the
appeal, learning...) through the sections the parts register (``cases.parts``).

What it holds is what the exporter may see: the case is found through the access scoping, its
concerns are only those the exporter may see (as on the case page), and each part's section
chooses what it shows (notes kept to named people stay out). The file's SHA-256 goes into the
audit event, committed before the file leaves, so that a copy produced later can be checked
against the one handed over.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from fpdf import FontFace

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, parts, selectors
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.people.exports import REPLACEMENT, ChronologyPDF

MARKING = "OFFICIAL-SENSITIVE"


@dataclass
class Bundle:
    case: Case
    summary: list[tuple[str, str]]
    concerns: list[dict[str, str]]
    history: list[dict[str, str]]
    events: list[chronology.Event]
    sections: list[dict[str, Any]] = field(default_factory=list)


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y %H:%M}"


def bundle_of(actor: Actor, case: Case) -> Bundle:
    """Everything the bundle shows, read once (the PDF is drawn from this)."""
    detail = selectors.case_detail(actor, case)
    team = ", ".join(f"{m.user.full_name} ({m.get_role_display()})" for m in detail.team) or "None"
    subjects = (
        ", ".join(f"{s.person.display_name} ({s.get_role_display()})" for s in detail.subjects)
        or "None"
    )
    summary = [
        ("Reference", case.reference),
        ("Title", case.title),
        ("Type", case.case_type.label),
        ("Stage", case.get_stage_display()),
        ("Status", case.get_status_display()),
        ("Opened", _when(case.opened_at)),
        ("Closed", _when(case.closed_at) or "Open"),
        ("People on the case", subjects),
        ("Case team", team),
    ]
    concerns = [
        {
            "heading": f"Concern recorded {_when(c.submitted_at)} by {c.recorded_by.full_name}",
            "when": _when(c.happened_at),
            "fact": c.fact,
            "own_words": c.own_words,
            "opinion": c.opinion,
        }
        for c in detail.concerns
    ]
    history = [
        {
            "when": _when(change.created_at),
            "move": (
                f"{change.get_from_stage_display()} to {change.get_to_stage_display()}"
                if change.from_stage
                else f"Opened at {change.get_to_stage_display()}"
            ),
            "by": change.changed_by.full_name if change.changed_by else "",
            "reason": change.reason,
        }
        for change in reversed(detail.history)
    ]
    events = sorted(
        chronology.events_of(case), key=lambda event: (event.when, str(event.source_id))
    )
    return Bundle(case, summary, concerns, history, events, parts.case_sections(case))


class BundlePDF(ChronologyPDF):
    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(self.face, "B", 12)
        self.multi_cell(0, 6, self.shown(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.face, "", 9)

    def para(self, text: str, *, bold: bool = False) -> None:
        self.set_font(self.face, "B" if bold else "", 9)
        self.multi_cell(0, 4.5, self.shown(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.face, "", 9)


def _table(pdf: BundlePDF, widths: tuple[int, ...], rows: list[list[str]]) -> None:
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        v_align="TOP",
        line_height=4.5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        repeat_headings=1,
        padding=1.5,
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(pdf.shown(cell))


def bundle_pdf(bundle: Bundle, *, generated_by: str, compress: bool = True) -> bytes:
    case = bundle.case
    pdf = BundlePDF(unicode_font=True)
    generated = timezone.localtime()
    pdf.title_line = pdf.shown(f"Case bundle: {case.reference}")
    pdf.header_lines = [
        pdf.shown(f"{case.title} — {case.organisation.name}"),
        pdf.shown(
            f"Generated {generated.day} {generated:%B %Y %H:%M} by {generated_by} — {MARKING}"
        ),
    ]
    pdf.set_compression(compress)
    pdf.set_title(f"Case bundle {case.reference}")
    pdf.set_author(generated_by)
    pdf.set_creator("Safecase")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    pdf.heading("Summary")
    _table(pdf, (45, 145), [["Item", "Value"], *[[k, v] for k, v in bundle.summary]])

    pdf.heading("Concerns on the case")
    if not bundle.concerns:
        pdf.para("No concern on this case that you may see.")
    for concern in bundle.concerns:
        pdf.para(concern["heading"], bold=True)
        if concern["when"]:
            pdf.para(f"When it happened: {concern['when']}")
        pdf.para(f"What was seen or heard (fact): {concern['fact'] or '—'}")
        if concern["own_words"]:
            pdf.para(f"Their own words: “{concern['own_words']}”")
        if concern["opinion"]:
            pdf.para(f"Opinion of the person recording: {concern['opinion']}")
        pdf.ln(2)

    pdf.heading("Stage history")
    _table(
        pdf,
        (32, 48, 35, 75),
        [
            ["When", "Move", "By", "Why"],
            *[[h["when"], h["move"], h["by"], h["reason"]] for h in bundle.history],
        ],
    )

    pdf.heading("Chronology of the case")
    if not bundle.events:
        pdf.para("Nothing recorded.")
    else:
        _table(
            pdf,
            (32, 70, 88),
            [
                ["When", "What", "Detail"],
                *[[_when(e.when), e.title, e.summary] for e in bundle.events],
            ],
        )

    for section in bundle.sections:
        pdf.heading(section["title"])
        for entry in section["entries"]:
            heading = entry["heading"] + (f" ({entry['when']})" if entry["when"] else "")
            pdf.para(heading, bold=True)
            if entry["body"]:
                pdf.para(entry["body"])
            pdf.ln(1)

    if pdf.lossy:
        pdf.ln(4)
        pdf.para(
            f"Some characters could not be shown in this PDF and appear as {REPLACEMENT} or "
            "without accents; the record itself keeps them exactly."
        )
    return bytes(pdf.output())


def bundle_filename(case: Case) -> str:
    ref = slugify(case.reference) or "case"
    return f"case-bundle-{ref}-{timezone.localdate().isoformat()}.pdf"


def record_bundle_export(*, actor: Actor, case: Case, data: bytes, sections: int) -> str:
    """Write ``case.bundle_exported`` with the file's SHA-256 and commit it before the file
    leaves (as the chronology export does): no event, no file. Returns the hash."""
    digest = hashlib.sha256(data).hexdigest()
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.CASE_BUNDLE_EXPORTED,
        subject=case,
        changes={"sha256": digest, "bytes": len(data), "sections": sections},
    )
    return digest
