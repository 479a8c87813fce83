"""What the notes part contributes to the pages and records that belong to no one part: the
subjects' chronology, the case's section of the decision snapshot and the case bundle, and the
supervisor's home panel. Registered in CaseNotesConfig.ready.

Chronology: only notes the whole safeguarding team may read, and the fact of a supervision
(its title, no content). A person's chronology is read by everyone who may see the case, so a
note kept to the case team or to named people must never reach it: its line would show the
note to the very people it is kept from. Edits change the line; addenda stay on the note.

Section ("Case notes", in the decision's frozen snapshot and the bundle): the snapshot is
"what the decision makers could see", and it is read again later by reviewers and appeal
panels, who may be neither on the case team nor named. So it holds the whole-team notes in
full; notes kept to the case team are counted, not shown (the team is known to exist, and a
reviewer should know that it kept notes the snapshot does not hold, so as to ask for them);
notes restricted to named people are neither shown nor counted: such a note is invisible to
everyone else, counts included (a count would reveal that something is kept from the reader).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from safecase.access.permissions import Permission
from safecase.cases import chronology, parts
from safecase.cases.notes.choices import NoteKind, NoteVisibility
from safecase.core.actors import Actor


def chronology_events(cases: dict[Any, chronology.CaseFacts]) -> Iterator[chronology.Event]:
    from safecase.cases.notes.models import CaseNote, SupervisionRecord

    notes = CaseNote.objects.filter(
        case_id__in=list(cases), visibility=NoteVisibility.SAFEGUARDING_TEAM
    ).values_list("case_id", "pk", "occurred_at", "kind", "fact")
    for case_id, pk, occurred_at, kind, fact in notes:
        yield chronology.Event(
            case_id, pk, occurred_at, note_title(cases[case_id].reference, kind), fact
        )
    sessions = SupervisionRecord.objects.filter(case_id__in=list(cases)).values_list(
        "case_id", "pk", "held_at"
    )
    for case_id, pk, held_at in sessions:
        yield chronology.Event(case_id, pk, held_at, supervision_title(cases[case_id].reference))


def note_title(reference: str, kind: str) -> str:
    return f"Case {reference}: {NoteKind(kind).label.lower()} note"


def supervision_title(reference: str) -> str:
    return f"Case {reference}: supervision held"


def _note_body(note: Any) -> str:
    lines = [f"Fact: {note.fact}"]
    if note.opinion:
        lines.append(f"Opinion (the author's, not established fact): {note.opinion}")
    for addendum in note.addenda.all():
        lines.append(
            f"Addendum {addendum.created_at:%d %b %Y %H:%M} by "
            f"{addendum.author.full_name} ({addendum.reason}): {addendum.text}"
        )
    return "\n".join(lines)


def section_entries(case: Any) -> list[parts.Entry]:
    if getattr(case, "pk", None) is None:
        return []  # a case not saved (or a stand-in, as in the seam's own tests) has no notes
    from django.db.models import Prefetch

    from safecase.cases.notes.models import CaseNote, CaseNoteAddendum

    notes = (
        CaseNote.objects.filter(case_id=case.pk, visibility=NoteVisibility.SAFEGUARDING_TEAM)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=CaseNoteAddendum.objects.select_related("author").order_by("created_at"),
            )
        )
        .order_by("occurred_at", "id")
    )
    entries: list[parts.Entry] = [
        {
            "heading": f"{NoteKind(n.kind).label} note by {n.author.full_name or n.author.email}",
            "when": n.occurred_at.isoformat(),
            "body": _note_body(n),
        }
        for n in notes
    ]
    team_only = CaseNote.objects.filter(
        case_id=case.pk, visibility=NoteVisibility.CASE_TEAM
    ).count()
    if team_only:
        entries.append(
            {
                "heading": "Notes kept to the case team",
                "when": "",
                "body": f"{team_only} note{'s' if team_only != 1 else ''} kept to the case "
                "team, not shown here. Ask the case team for them if the review needs them.",
            }
        )
    return entries


def home_panel_context(actor: Actor) -> dict[str, Any]:
    from safecase.cases.notes import selectors

    rows = selectors.overdue_supervisions(actor)
    return {"rows": rows, "count": len(rows)}


def register() -> None:
    chronology.register(chronology_events)
    parts.register_section(parts.Section("case_notes", "Case notes", 70, section_entries))
    parts.register_home_panel(
        parts.HomePanel(
            key="supervision_overdue",
            template="case_notes/_home_panel.html",
            perm=Permission.CASE_SUPERVISE,
            order=70,
            context=home_panel_context,
        )
    )
