"""What the notes part puts in the subjects' chronologies (whole-team notes, and the fact of a
supervision) and in the case's section of the decision snapshot and bundle; both are what a
rebuild or a later read makes again, and neither reveals a note kept from its readers."""

from __future__ import annotations

from datetime import date

import pytest

# DemoWorld through conftest: the import contract exempts safecase.<app>.tests from its rule
# on safecase.demo, but not the tests of the case parts (one level deeper).
from conftest import DemoWorld, actor_for
from safecase.cases import actions as case_actions
from safecase.cases import chronology, parts
from safecase.cases.choices import SubjectRole
from safecase.cases.models import Case
from safecase.cases.notes import actions
from safecase.cases.notes.tests.helpers import deputys_case, supervise, write_note
from safecase.cases.tests.helpers import restricted_case
from safecase.concerns import selectors as concern_selectors
from safecase.concerns.tests.test_chronology_lines import lines
from safecase.people.actions import person_create
from safecase.people.models import ChronologyItem, Person

pytestmark = pytest.mark.django_db


def child_on(
    world: DemoWorld,
    case: Case,
    persona: str = "deputy",
    *,
    kind: str = "child",
    role: str = SubjectRole.SUBJECT,
) -> Person:
    child = person_create(
        actor=actor_for(world, "lead"),
        kind=kind,
        given_names="Robin",
        family_name="Notesby",
        date_of_birth=date(2014, 5, 1),
    )
    case.refresh_from_db()
    case_actions.case_add_subject(
        actor=actor_for(world, persona),
        case=case,
        version=case.version,
        person=child,
        role=role,
    )
    return child


def titles(world: DemoWorld, persona: str, person: Person) -> list[str]:
    return [
        e.title
        for e in concern_selectors.person_chronology(actor_for(world, persona), person)
        if (e.case_id and "note" in e.title) or "supervision" in e.title
    ]


def test_whole_team_notes_and_supervision_reach_the_chronology_and_nothing_else(
    world: DemoWorld,
) -> None:
    case = deputys_case(world)
    child = child_on(world, case)
    write_note(world, case, fact="Whole team (synthetic).")
    write_note(world, case, visibility="case_team", kind="discussion", fact="Team (synthetic).")
    write_note(world, case, visibility="named", named=("deputy",), kind="other", fact="Named.")
    supervise(world, case)
    expected = {f"Case {case.reference}: contact note", f"Case {case.reference}: supervision held"}
    for persona in ("lead", "deputy", "case_worker"):
        assert set(titles(world, persona, child)) == expected
    summaries = set(ChronologyItem.objects.filter(case=case).values_list("summary", flat=True))
    assert "Whole team (synthetic)." in summaries
    assert not {"Team (synthetic).", "Named."} & summaries
    # The supervision's line carries its title alone: nothing of what was discussed.
    held = ChronologyItem.objects.get(case=case, title__endswith="supervision held")
    assert held.summary == ""


def test_an_edit_moves_the_line_and_the_rebuild_makes_the_same_lines(world: DemoWorld) -> None:
    case = deputys_case(world)
    child_on(world, case)
    note = write_note(world, case)
    actions.note_edit(
        actor=actor_for(world, "case_worker"),
        note=note,
        version=note.version,
        kind="discussion",
        fact="Edited (synthetic).",
        occurred_at=note.occurred_at.replace(minute=(note.occurred_at.minute + 7) % 60),
    )
    supervise(world, case)
    line = ChronologyItem.objects.get(source_id=note.pk)
    assert line.title.endswith("discussion note") and line.summary == "Edited (synthetic)."
    kept = lines()
    organisation_id = world.organisations["secondary"].pk
    ChronologyItem.objects.filter(case__isnull=False).delete()
    chronology.rebuild(organisation_id=organisation_id)
    assert lines() == kept


def test_a_restricted_cases_notes_stay_out_of_the_chronology_of_those_not_named(
    world: DemoWorld,
) -> None:
    case = restricted_case(world, "case_worker")  # an allegation: the adult concerned sees all
    adult = child_on(world, case, kind="adult_concerned", role=SubjectRole.ADULT_CONCERNED)
    write_note(world, case)
    assert titles(world, "case_worker", adult) == [f"Case {case.reference}: contact note"]
    assert titles(world, "lead", adult) == []


def test_the_section_holds_whole_team_notes_counts_team_notes_and_hides_named_ones(
    world: DemoWorld,
) -> None:
    case = deputys_case(world)
    note = write_note(world, case, fact="Whole team (synthetic).")
    actions.note_add_addendum(
        actor=actor_for(world, "case_worker"), note=note, reason="Time missing.", text="10:05."
    )
    write_note(world, case, visibility="case_team", fact="Team one.")
    write_note(world, case, visibility="case_team", fact="Team two.")
    write_note(world, case, visibility="named", named=("deputy",), fact="Named (synthetic).")
    section = next(s for s in parts.case_sections(case) if s["key"] == "case_notes")
    assert section["title"] == "Case notes"
    first, count = section["entries"]
    assert first["heading"] == "Contact note by Cass Worker"
    assert "Fact: Whole team (synthetic)." in first["body"]
    assert "Opinion (the author's, not established fact):" in first["body"]
    assert "(Time missing.): 10:05." in first["body"]
    assert count["heading"] == "Notes kept to the case team"
    assert count["body"].startswith("2 notes kept to the case team")
    text = repr(section)
    assert "Named" not in text and "Team one" not in text
