"""A person's chronology as a file to take away: CSV for spreadsheets, PDF for case files.

Both are built from the ``ChronologyEntry`` list that ``person_chronology`` returns, so an export
shows exactly what the actor may see on the screen (architecture rule 2). The CSV neutralises
formulas (security bar I3); the PDF carries the protective marking on every page.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify
from fpdf import FPDF, FontFace
from fpdf.fonts import TTFFont

from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.concerns.selectors import ChronologyEntry
from safecase.core.actors import Actor
from safecase.people.models import Person

MARKING = "OFFICIAL-SENSITIVE"

# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

# "Record id": the key of the concern, or of the case, the entry belongs to.
CSV_COLUMNS = ("When", "Approximate", "Kind", "Title", "Summary", "Record id")

# A spreadsheet treats a cell starting with one of these as a formula (or, for TAB and CR, may
# strip them and then do so). OWASP "CSV Injection"; security bar I3.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a single quote to a cell a spreadsheet would run as a formula; keep the rest."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _local(when: datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")


def chronology_csv(person: Person, entries: Sequence[ChronologyEntry]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads names like "Zoë" correctly), one row per
    entry, times in the installation's time zone (Europe/London by default)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # quotes cells with commas, quotes or line breaks
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = (
            _local(entry.when),
            "Yes" if entry.approximate else "No",
            entry.kind,
            entry.title,
            entry.summary,
            str(entry.record_id),
        )
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------------------------


def export_filename(person: Person, extension: str) -> str:
    """``chronology-<family name>-<YYYY-MM-DD>.<ext>``, in ASCII letters, digits and hyphens
    only, so it is safe in a header and on any file system ("Ñúñez" becomes "nunez")."""
    family = slugify(person.family_name)[:40].strip("-") or "person"
    return f"chronology-{family}-{timezone.localdate().isoformat()}.{extension}"


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------

# A Unicode TrueType font, used when the machine has one (Debian and Ubuntu: fonts-dejavu-core).
# Without it the PDF falls back to the built-in Helvetica, which knows only Windows-1252.
UNICODE_FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
FONT = "SafecaseSans"
REPLACEMENT = "?"

# Letters that Unicode decomposition does not reduce to a Latin base letter, as they are
# conventionally written without the diacritic.
_TRANSLITERATE = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
    "Ŧ": "T",
    "ŧ": "t",
    "ĸ": "k",
    "Ŀ": "L",
    "ŀ": "l",
}


def unicode_font_files() -> tuple[Path, Path] | None:
    regular, bold = UNICODE_FONT_FILES
    return (regular, bold) if regular.is_file() and bold.is_file() else None


def _cp1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str, supported: Callable[[str], bool]) -> tuple[str, bool]:
    """``text`` with every character the font cannot draw replaced, and whether any was.

    A letter with a diacritic the font lacks keeps its base letter ("ő" → "o"); anything else
    (emoji, a script the font does not cover) becomes "?". Newlines stay (the table breaks lines
    there); other line and paragraph separators and tabs become spaces; control and format
    characters (including bidi overrides) are dropped.
    """
    out: list[str] = []
    lossy = False
    for ch in unicodedata.normalize("NFC", text.replace("\r\n", "\n")):
        if ch == "\n":
            out.append(ch)
            continue
        if ch in "\t\r" or unicodedata.category(ch) in ("Zl", "Zp"):
            out.append(" ")
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # Control, format (bidi overrides, zero-width), surrogate, private or unassigned:
            # nothing a reader needs, and bidi controls could reorder what is shown.
            continue
        if supported(ch):
            out.append(ch)
            continue
        lossy = True
        base = _TRANSLITERATE.get(ch) or "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        )
        if base and all(supported(c) for c in base):
            out.append(base)
        else:
            out.append(REPLACEMENT)
    return "".join(out), lossy


class ChronologyPDF(FPDF):
    """A4 portrait; every page repeats who the record is about and the protective marking."""

    def __init__(self, *, unicode_font: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.title_line = ""
        self.header_lines: list[str] = []
        self.lossy = False
        files = unicode_font_files() if unicode_font else None
        self._drawable: frozenset[int] | None = None
        if files is not None:
            self.add_font(FONT, "", str(files[0]))
            self.add_font(FONT, "B", str(files[1]))
            self.face = FONT
            # Characters both weights can draw: the bold one is used for names and headings.
            regular, bold = self.fonts[FONT.lower()], self.fonts[FONT.lower() + "B"]
            assert isinstance(regular, TTFFont) and isinstance(bold, TTFFont)
            self._drawable = frozenset(regular.ttfont.getBestCmap() or ()) & frozenset(
                bold.ttfont.getBestCmap() or ()
            )
        else:
            # Helvetica is built into every PDF reader; it is declared as WinAnsiEncoding, so
            # Windows-1252 (dashes, curly quotes, €) is what it can show.
            self.core_fonts_encoding = "windows-1252"
            self.face = "Helvetica"

    def supports(self, ch: str) -> bool:
        return ord(ch) in self._drawable if self._drawable is not None else _cp1252(ch)

    def shown(self, value: str) -> str:
        """``value`` as this font can draw it; remembers whether anything was replaced."""
        text, replaced = printable(value, self.supports)
        self.lossy = self.lossy or replaced
        return text

    def header(self) -> None:
        self.set_font(self.face, "B", 9)
        self.cell(0, 5, MARKING, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.face, "B", 14)
        self.cell(0, 8, self.title_line, new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.face, "", 9)
        for line in self.header_lines:
            self.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)
        self.set_font(self.face, "", 9)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.face, "", 8)
        self.cell(0, 5, MARKING, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def _long_date(value: date | datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def chronology_pdf(
    person: Person,
    entries: Sequence[ChronologyEntry],
    *,
    generated_by: str,
    generated_at: datetime | None = None,
    compress: bool = True,
    unicode_font: bool = True,
) -> bytes:
    """A printable chronology: a header on every page (name, date of birth, organisation, who
    generated it and when, marking), a table of entries whose long text wraps, page numbers.

    ``unicode_font=False`` forces the built-in font and ``compress=False`` leaves the page
    streams readable; both exist for tests. Characters the font cannot draw are replaced (see
    ``printable``) and the PDF then says so, pointing to the CSV, which keeps every character.
    """
    pdf = ChronologyPDF(unicode_font=unicode_font)
    generated = timezone.localtime(generated_at or timezone.now())
    legal_name = f"{person.given_names} {person.family_name}".strip()
    born = _long_date(person.date_of_birth) if person.date_of_birth else "Not known"
    pdf.title_line = pdf.shown(f"Chronology: {person.display_name}")
    lines = [
        f"Legal name: {legal_name}" if legal_name != person.display_name else "",
        f"Date of birth: {born}",
        f"Organisation: {person.organisation.name}",
        f"Generated {_long_date(generated)} {generated:%H:%M} by {generated_by} — {MARKING}",
    ]
    pdf.header_lines = [pdf.shown(line) for line in lines if line]
    pdf.set_compression(compress)
    pdf.set_title(f"Chronology of {person.display_name}")
    pdf.set_author(generated_by)
    pdf.set_creator("Safecase")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    if not entries:
        pdf.multi_cell(0, 5, "Nothing recorded about this person that you may see.")
    else:
        with pdf.table(
            col_widths=(32, 58, 100),
            text_align="LEFT",
            v_align="TOP",
            line_height=4.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            repeat_headings=1,
            padding=1.5,
        ) as table:
            table.row(["When", "What", "Summary"])
            for entry in entries:
                local = timezone.localtime(entry.when)
                when = f"{local.day} {local:%b %Y %H:%M}"
                row = table.row()
                row.cell(when + ("\n(approximate)" if entry.approximate else ""))
                ref = str(entry.record_id)[:8]
                row.cell(pdf.shown(f"{entry.kind}\n{entry.title}\nRef {ref}"))
                row.cell(pdf.shown(entry.summary))
    if pdf.lossy:
        pdf.ln(4)
        pdf.set_font(pdf.face, "", 8)
        pdf.multi_cell(
            0,
            4,
            f"Some characters could not be shown in this PDF and appear as {REPLACEMENT} or "
            "without accents. The CSV export and the record itself keep them exactly.",
        )
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------


def record_chronology_export(
    *, actor: Actor, person: Person, file_format: str, entries: int
) -> None:
    """Write ``chronology.exported`` and commit it before the file leaves (security bar L1).

    An export changes nothing else, so the event has its own durable transaction: if it cannot
    be written, the caller fails and no file is sent.
    """
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.CHRONOLOGY_EXPORTED,
        subject=person,
        changes={"format": file_format, "entries": entries},
    )
