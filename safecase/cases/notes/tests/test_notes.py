"""Case notes: who may read them (case team, whole safeguarding team, named people, after the
case's own restriction), the 24-hour edit window and addenda, bad input and stale versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

# DemoWorld through conftest: the import contract exempts safecase.<app>.tests from its rule
# on safecase.demo, but not the tests of the case parts (one level deeper).
from conftest import DemoWorld, actor_for
from safecase.cases.notes import actions, selectors
from safecase.cases.notes.models import CaseNote, CaseNoteAddendum, CaseNoteRevision
from safecase.cases.notes.tests.helpers import deputys_case, write_note
from safecase.cases.tests.helpers import restricted_case
from safecase.core.errors import Conflict, DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def visible(world: DemoWorld, persona: str) -> set[str]:
    return {n.fact for n in selectors.notes_visible_to(actor_for(world, persona))}


def test_each_visibility_reaches_exactly_its_readers(world: DemoWorld) -> None:
    case = deputys_case(world)
    write_note(world, case, fact="For everyone (synthetic).")
    write_note(world, case, visibility="case_team", fact="For the team (synthetic).")
    write_note(world, case, visibility="named", named=("deputy",), fact="For Dev (synthetic).")
    write_note(world, case, visibility="named", named=("lead",), fact="For Lena (synthetic).")
    everyone, team = "For everyone (synthetic).", "For the team (synthetic)."
    dev, lena = "For Dev (synthetic).", "For Lena (synthetic)."
    # The author reads all their own notes; the deputy (the case's lead) the team's and theirs.
    assert visible(world, "case_worker") == {everyone, team, dev, lena}
    assert visible(world, "deputy") == {everyone, team, dev}
    # Lena Lead is the organisation's lead but not on this case's team: whole-team notes, and
    # the one she is named on; not the team's, not the one naming Dev.
    assert visible(world, "lead") == {everyone, lena}
    # The supervisor may see the case but is on neither the team nor a list.
    assert visible(world, "supervisor") == {everyone}
    assert visible(world, "reporter") == set()


def test_a_named_note_is_not_counted_or_listed_for_others(world: DemoWorld) -> None:
    case = deputys_case(world)
    write_note(world, case, visibility="named", named=("deputy",))
    lead = actor_for(world, "lead")
    page = selectors.case_notes_page(lead, case)
    assert page.items == []
    assert selectors.notes_visible_to(lead).filter(case=case).count() == 0


def test_a_restricted_cases_notes_are_invisible_to_everyone_not_named_on_the_case(
    world: DemoWorld,
) -> None:
    case = restricted_case(world, "case_worker")
    write_note(world, case)
    assert len(visible(world, "case_worker")) == 1
    for persona in ("lead", "supervisor", "auditor", "other_org"):
        assert visible(world, persona) == set()


def test_a_named_person_must_be_able_to_see_the_case(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    with pytest.raises(DomainError, match="cannot see this case") as caught:
        write_note(world, case, visibility="named", named=("lead",))
    assert caught.value.field == "named_people"
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fact": "   "}, "fact"),
        ({"kind": "gossip"}, "kind"),
        ({"visibility": "everyone"}, "visibility"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
        ({"visibility": "named"}, "named_people"),
        ({"named": ("deputy",)}, "named_people"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(
    world: DemoWorld, change: dict[str, object], field: str
) -> None:
    case = deputys_case(world)
    with pytest.raises(DomainError) as caught:
        write_note(world, case, **change)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert not CaseNote.objects.exists()


def test_who_may_write_notes(world: DemoWorld) -> None:
    case = deputys_case(world)
    write_note(world, case, "supervisor", kind="management_oversight")
    for persona in ("reporter", "auditor", "org_admin", "other_org"):
        with pytest.raises(NotPermitted):
            write_note(world, case, persona)
    assert CaseNote.objects.count() == 1


def edit(
    world: DemoWorld, note: CaseNote, persona: str = "case_worker", **change: object
) -> CaseNote:
    fields: dict[str, object] = {
        "kind": note.kind,
        "fact": "Phoned Jamie's mother at 10:05; she said Jamie slept at his aunt's (synthetic).",
        "opinion": note.opinion,
        "occurred_at": note.occurred_at,
        "version": note.version,
        **change,
    }
    return actions.note_edit(actor=actor_for(world, persona), note=note, **fields)  # type: ignore[arg-type]


def test_the_author_edits_within_24_hours_and_the_earlier_text_is_kept(world: DemoWorld) -> None:
    case = deputys_case(world)
    note = write_note(world, case)
    first = note.fact
    edited = edit(world, note)
    assert edited.version == 2 and edited.edited_at is not None
    revision = CaseNoteRevision.objects.get(note=note)
    assert (revision.fact, revision.version) == (first, 1)
    assert revision.edited_by == world.users["case_worker"]


def test_only_the_author_edits(world: DemoWorld) -> None:
    note = write_note(world, deputys_case(world))
    with pytest.raises(DomainError, match="Only the note's author"):
        edit(world, note, "deputy")
    assert not CaseNoteRevision.objects.exists()


def test_an_edit_after_24_hours_is_refused_and_points_to_an_addendum(world: DemoWorld) -> None:
    note = write_note(world, deputys_case(world))
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        with pytest.raises(actions.EditWindowClosedError, match="Add an addendum instead"):
            edit(world, note)
        addendum = actions.note_add_addendum(
            actor=actor_for(world, "case_worker"),
            note=note,
            reason="The time of the call was missing.",
            text="The call was at 10:05.",
        )
    note.refresh_from_db()
    assert note.version == 1 and note.fact.startswith("Phoned Jamie's mother; ")
    assert addendum.reason == "The time of the call was missing."


def test_just_inside_the_24_hours_the_author_may_still_edit(world: DemoWorld) -> None:
    note = write_note(world, deputys_case(world))
    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59)):
        assert edit(world, note).version == 2


def test_a_stale_edit_is_a_conflict_and_changes_nothing(world: DemoWorld) -> None:
    note = write_note(world, deputys_case(world))
    edit(world, note)
    with pytest.raises(Conflict, match="changed since you opened it"):
        edit(world, note, version=1, fact="An older form's text.")
    note.refresh_from_db()
    assert note.version == 2 and CaseNoteRevision.objects.count() == 1


def test_an_addendum_needs_a_reason_and_text(world: DemoWorld) -> None:
    note = write_note(world, deputys_case(world))
    for reason, text, field in (
        ("", "The call was at 10:05.", "reason"),
        ("Time missing.", " ", "text"),
    ):
        with pytest.raises(DomainError) as caught:
            actions.note_add_addendum(
                actor=actor_for(world, "case_worker"), note=note, reason=reason, text=text
            )
        assert caught.value.field == field
    assert not CaseNoteAddendum.objects.exists()


def test_no_addendum_to_a_note_one_may_not_read(world: DemoWorld) -> None:
    note = write_note(world, deputys_case(world), visibility="named", named=("deputy",))
    with pytest.raises(NotPermitted):
        actions.note_add_addendum(
            actor=actor_for(world, "lead"), note=note, reason="A correction.", text="Something."
        )
    assert not CaseNoteAddendum.objects.exists()
