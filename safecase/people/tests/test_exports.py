"""Chronology exports: who may download, what the files contain, formula neutralising (I3), and
one audit event per download (L1). Downloads ask for a step-up first (A5): ``_client`` signs in,
marks MFA done and steps up; the step-up itself is tested in accounts/tests/test_step_up.py."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import actor_for as _actor
from safecase.accounts.tests.stepping_up import stepped_up_client as _client
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Concern
from safecase.concerns.selectors import ChronologyEntry
from safecase.demo.personas import DemoWorld
from safecase.people import actions, exports
from safecase.people.models import Person

pytestmark = pytest.mark.django_db

PAYLOADS = ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1+1")


def _child(world: DemoWorld, **extra: Any) -> Person:
    fields: dict[str, Any] = {
        "kind": "child",
        "given_names": "Amira Joy",
        "family_name": "Testwell",
        "date_of_birth": date(2014, 5, 17),
        **extra,
    }
    return actions.person_create(actor=_actor(world, "lead"), **fields)


def _concern_about(
    world: DemoWorld, person: Person, persona: str = "reporter", **extra: Any
) -> Concern:
    """A submitted concern naming the person, linked to their record by the lead."""
    actor = _actor(world, persona)
    fields: dict[str, Any] = {
        "people": [{"name": person.display_name, "role": "subject"}],
        "category_codes": ["physical"],
        "happened_at": timezone.now() - timedelta(hours=2),
        "fact": "A purple bruise, about 3 cm, on the left forearm.",
        **extra,
    }
    draft = concern_actions.concern_save_draft(actor=actor, concern=None, version=None, **fields)
    concern = concern_actions.concern_submit(actor=actor, concern=draft, version=draft.version)
    concern_actions.concern_link_person(
        actor=_actor(world, "lead"), concern_person=concern.people.get(), person=person
    )
    return concern


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _entry(**extra: Any) -> ChronologyEntry:
    fields: dict[str, Any] = {
        "when": timezone.now(),
        "kind": "Concern",
        "title": "Physical abuse",
        "summary": "A bruise.",
        "concern_id": uuid.uuid4(),
        **extra,
    }
    return ChronologyEntry(**fields)


def _exports() -> int:
    return AuditEvent.objects.filter(action=AuditAction.CHRONOLOGY_EXPORTED).count()


def test_the_lead_downloads_the_chronology_as_csv(world: DemoWorld) -> None:
    person = _child(world)
    concern = _concern_about(world, person, happened_at_approximate=True)
    client = _client(world.users["lead"])
    events_before = AuditEvent.objects.count()

    response = client.get(f"/people/{person.pk}/chronology.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="chronology-testwell-{today}.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    header, *rows = _rows(response.content)
    assert header == ["When", "Approximate", "Kind", "Title", "Summary", "Record id"]
    assert len(rows) == 1
    when = timezone.localtime(concern.happened_at).strftime("%Y-%m-%d %H:%M")
    assert rows[0] == [when, "Yes", "Concern", "Physical abuse", concern.fact, str(concern.pk)]
    # Exactly one event, and it is the export: no separate record.viewed for the same read.
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.get(action=AuditAction.CHRONOLOGY_EXPORTED)
    assert (event.subject_type, event.subject_id) == ("people.person", str(person.pk))
    assert event.changes == {"format": "csv", "entries": 1}
    assert event.actor_id == str(world.users["lead"].pk)


def test_the_lead_downloads_the_chronology_as_pdf(world: DemoWorld) -> None:
    person = _child(world)
    _concern_about(world, person)
    client = _client(world.users["lead"])
    events_before = AuditEvent.objects.count()

    response = client.get(f"/people/{person.pk}/chronology.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="chronology-testwell-')
    assert response["Content-Disposition"].endswith('.pdf"')
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.get(action=AuditAction.CHRONOLOGY_EXPORTED)
    assert event.changes == {"format": "pdf", "entries": 1}


@pytest.mark.parametrize("extension", ["csv", "pdf"])
def test_outsiders_get_404_and_roles_without_person_access_get_403(
    world: DemoWorld, extension: str
) -> None:
    person = _child(world)
    _concern_about(world, person)
    url = f"/people/{person.pk}/chronology.{extension}"
    for persona, status in (
        ("other_org", 404),
        ("primary_lead", 404),
        ("partner_without", 404),
        ("reporter", 403),
        ("org_admin", 403),
        ("auditor", 403),
    ):
        denials = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()
        response = _client(world.users[persona]).get(url)
        assert response.status_code == status, persona
        assert b"Testwell" not in response.content, persona
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == denials + 1
    missing = _client(world.users["lead"]).get(f"/people/{uuid.uuid4()}/chronology.{extension}")
    assert missing.status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: sent to sign in
    assert _exports() == 0


def test_exports_are_read_only_downloads(world: DemoWorld) -> None:
    person = _child(world)
    client = _client(world.users["lead"])
    assert client.post(f"/people/{person.pk}/chronology.csv").status_code == 405
    assert client.post(f"/people/{person.pk}/chronology.pdf").status_code == 405
    assert _exports() == 0


def test_every_formula_trigger_is_neutralised_in_every_column(world: DemoWorld) -> None:
    person = _child(world)
    entries = [
        _entry(kind=payload, title=payload, summary=payload, concern_id=payload)
        for payload in PAYLOADS
    ]
    _, *rows = _rows(exports.chronology_csv(person, entries))
    assert len(rows) == len(PAYLOADS)
    for payload, row in zip(PAYLOADS, rows, strict=True):
        assert row[2:] == ["'" + payload] * 4
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if c.startswith(exports.FORMULA_TRIGGERS)] == []
    # Ordinary text, and text with a trigger later on, is left exactly as written.
    assert exports.neutralise_cell("Fell in the playground - knee grazed") == (
        "Fell in the playground - knee grazed"
    )
    assert exports.neutralise_cell("") == ""


def test_a_formula_recorded_in_a_concern_is_neutralised_in_the_download(
    world: DemoWorld,
) -> None:
    person = _child(world)
    _concern_about(world, person, fact='=HYPERLINK("http://x","Click")')
    response = _client(world.users["lead"]).get(f"/people/{person.pk}/chronology.csv")
    _, row = _rows(response.content)
    assert row[4] == '\'=HYPERLINK("http://x","Click")'


def test_the_pdf_shows_who_it_is_about_who_made_it_and_the_marking(world: DemoWorld) -> None:
    person = _child(world, preferred_name="Amy")
    entries = [_entry(summary="Seen by the school nurse.", approximate=True)]
    generated_at = datetime(2026, 3, 1, 14, 5, tzinfo=timezone.get_current_timezone())
    content = exports.chronology_pdf(
        person,
        entries,
        generated_by="Lena Lead",
        generated_at=generated_at,
        compress=False,
        unicode_font=False,
    )
    assert content.startswith(b"%PDF-")
    for expected in (
        b"Chronology: Amy Testwell",
        b"Legal name: Amira Joy Testwell",
        b"Date of birth: 17 May 2014",
        b"Organisation: Riverside Academy",
        # The em dash is byte 0x97 in the built-in font's Windows-1252 encoding.
        b"Generated 1 March 2026 14:05 by Lena Lead \x97 OFFICIAL-SENSITIVE",
        b"(Page 1 of ) Tj (1) Tj",
        b"Seen by the school nurse.",
        rb"\(approximate\)",
    ):
        assert expected in content, expected
    assert b"could not be shown" not in content


def test_long_chronologies_wrap_and_run_onto_numbered_pages(world: DemoWorld) -> None:
    person = _child(world)
    long_summary = ("The child said that things at home were difficult this week. " * 5)[:300]
    entries = [_entry(summary=long_summary) for _ in range(40)]
    content = exports.chronology_pdf(
        person, entries, generated_by="Lena Lead", compress=False, unicode_font=False
    )
    pages = content.count(b"/Type /Page\n")
    assert pages >= 2
    assert content.count(b"(OFFICIAL-SENSITIVE) Tj") == 2 * pages  # header and footer
    last = str(pages).encode()
    assert b"(Page " + last + b" of ) Tj (" + last + b") Tj" in content
    # Headings repeat on each page, so a printed page stands on its own.
    assert content.count(b"(Summary) Tj") >= 2


@pytest.mark.parametrize("unicode_font", [True, False])
def test_unicode_names_and_text_never_break_either_file(
    world: DemoWorld, unicode_font: bool
) -> None:
    person = _child(world, given_names="Zoë", family_name="Ñúñez")
    strange = "Łukasz 😀 said 中文 \u202eevil\u202c — “quoted” \x00 end"
    entries = [_entry(title=strange, summary=strange * 5)]
    content = exports.chronology_pdf(
        person, entries, generated_by="Łena 🙂 Lead", unicode_font=unicode_font
    )
    assert content.startswith(b"%PDF-")
    _, row = _rows(exports.chronology_csv(person, entries))
    assert row[3] == strange  # the CSV keeps every character
    assert exports.export_filename(person, "pdf").startswith("chronology-nunez-")


def test_the_built_in_font_keeps_latin_names_and_says_when_it_replaced_something(
    world: DemoWorld,
) -> None:
    person = _child(world, given_names="Zoë", family_name="Ñúñez")
    content = exports.chronology_pdf(
        person,
        [_entry(summary="Łukasz 😀")],
        generated_by="Lena Lead",
        compress=False,
        unicode_font=False,
    )
    assert "Chronology: Zoë Ñúñez".encode("cp1252") in content
    assert b"(Lukasz ?)" in content or b"Lukasz ?" in content
    assert b"could not be shown" in content


@pytest.mark.skipif(exports.unicode_font_files() is None, reason="no Unicode font installed")
def test_with_a_unicode_font_other_scripts_are_drawn_as_written() -> None:
    pdf = exports.ChronologyPDF(unicode_font=True)
    assert pdf.shown("Łukasz Wójcik, Привет, Ελένη") == "Łukasz Wójcik, Привет, Ελένη"
    assert not pdf.lossy
    assert pdf.shown("中文") == "??"
    assert pdf.lossy


@pytest.mark.parametrize(
    ("text", "shown", "lossy"),
    [
        ("Zoë Ñúñez — “hi”", "Zoë Ñúñez — “hi”", False),
        ("Łódź Ştefan", "Lódz Stefan", True),
        ("smile 😀", "smile ?", True),
        ("a\u202eb\u200bc\x07d", "abcd", False),
        ("line\r\nbreak\ttab\rend", "line\nbreak tab end", False),
    ],
)
def test_text_the_built_in_font_cannot_draw_is_replaced_safely(
    text: str, shown: str, lossy: bool
) -> None:
    def cp1252(ch: str) -> bool:
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return True

    assert exports.printable(text, cp1252) == (shown, lossy)


def test_an_empty_chronology_still_exports(world: DemoWorld) -> None:
    person = _child(world)
    client = _client(world.users["lead"])
    csv_response = client.get(f"/people/{person.pk}/chronology.csv")
    assert len(_rows(csv_response.content)) == 1
    pdf_response = client.get(f"/people/{person.pk}/chronology.pdf")
    assert pdf_response.content.startswith(b"%PDF-")
    assert list(
        AuditEvent.objects.filter(action=AuditAction.CHRONOLOGY_EXPORTED).values_list(
            "changes", flat=True
        )
    ) == [{"format": "csv", "entries": 0}, {"format": "pdf", "entries": 0}]


def test_the_export_holds_only_what_the_viewer_may_see(world: DemoWorld) -> None:
    person = _child(world)
    child_concern = _concern_about(world, person)
    low_level = _concern_about(world, person, "case_worker", kind="low_level_adult")

    def exported_ids(persona: str) -> set[str]:
        response = _client(world.users[persona]).get(f"/people/{person.pk}/chronology.csv")
        assert response.status_code == 200
        return {row[5] for row in _rows(response.content)[1:]}

    assert exported_ids("lead") == {str(child_concern.pk), str(low_level.pk)}
    assert exported_ids("deputy") == {str(child_concern.pk)}
    deputy_pdf = _client(world.users["deputy"]).get(f"/people/{person.pk}/chronology.pdf")
    assert deputy_pdf.status_code == 200
    events = AuditEvent.objects.filter(action=AuditAction.CHRONOLOGY_EXPORTED).order_by("seq")
    assert [e.changes["entries"] for e in events] == [2, 1, 1]


def test_the_person_page_links_to_both_downloads(world: DemoWorld) -> None:
    person = _child(world)
    page = _client(world.users["lead"]).get(f"/people/{person.pk}/")
    assert f"/people/{person.pk}/chronology.csv".encode() in page.content
    assert f"/people/{person.pk}/chronology.pdf".encode() in page.content
