"""Files through the API: the web's checks (type from content, size, encryption at rest), scope,
bad input refused with nothing stored, downloads that never render, audit, and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from conftest import actor_for
from safecase.access.actions import share_grant
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Attachment, Concern
from safecase.core.tests.test_files import HTML, docx, jpeg, pdf, png
from safecase.demo.personas import DemoWorld

from .test_people_concerns_api import events, make_draft, make_submitted, send

pytestmark = pytest.mark.django_db

CANARY = b"CANARY-PLAINTEXT-4b1e"


def upload(client: Client, target: Concern, name: str, data: bytes, /, **fields: Any) -> Any:
    """POST one file (and any other form fields) as multipart/form-data, as a partner would."""
    body = {"file": SimpleUploadedFile(name, data), **fields}
    return client.post(f"/api/v1/concerns/{target.pk}/attachments", body)


def _stored_names(path: str = "") -> list[str]:
    directories, files = default_storage.listdir(path)
    names = [f"{path}/{name}" if path else name for name in files]
    for directory in directories:
        names += _stored_names(f"{path}/{directory}" if path else directory)
    return names


def stored_blobs() -> list[bytes]:
    """Everything in file storage (the test settings keep it in memory), read back raw."""
    found = []
    for name in _stored_names():
        with default_storage.open(name) as handle:
            found.append(handle.read())
    return found


@pytest.fixture(autouse=True)
def empty_storage() -> None:
    """The in-memory storage outlives a test's database: start each test with none."""
    for name in _stored_names():
        default_storage.delete(name)


def nothing_saved() -> bool:
    return (
        not Attachment.objects.exists()
        and events(AuditAction.ATTACHMENT_ADDED) == 0
        and stored_blobs() == []
    )


def test_a_file_on_a_draft_is_checked_encrypted_listed_and_downloaded(
    world: DemoWorld, api: Any
) -> None:
    draft = make_draft(world)
    data = pdf() + b"%" + CANARY
    response = upload(api("reporter"), draft, "../../Home visit note.pdf", data)
    assert response.status_code == 201, response.content
    body = response.json()
    attachment = Attachment.objects.get()
    assert body["id"] == str(attachment.pk) and body["concern_id"] == str(draft.pk)
    assert body["name"] == "Home visit note.pdf"  # no directories, only ever a display name
    assert (body["mime"], body["size"], body["reason"]) == ("application/pdf", len(data), "")
    assert body["uploaded_by"]["id"] == str(world.users["reporter"].pk)
    download_url = f"/api/v1/concerns/{draft.pk}/attachments/{attachment.pk}/download"
    assert body["download"] == download_url and response["Location"] == download_url
    # Encrypted at rest, under a generated name.
    (blob,) = stored_blobs()
    assert CANARY not in blob and b"%PDF" not in blob
    assert "Home" not in attachment.storage_name
    event = AuditEvent.objects.get(action=AuditAction.ATTACHMENT_ADDED)
    assert event.channel == "api" and "Home visit" not in str(event.changes)
    # Listed as metadata only.
    listed = api("reporter").get(f"/api/v1/concerns/{draft.pk}/attachments")
    assert listed.status_code == 200
    assert listed.json() == {"next": None, "results": [body]}
    assert CANARY.decode() not in listed.content.decode()
    # Downloaded whole, as a download that never renders, whatever the client accepts.
    download = api("reporter").get(download_url, headers={"accept": "application/pdf"})
    assert download.status_code == 200
    assert download.content == data
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Home visit note.pdf"'
    assert download["Cache-Control"] == "no-store"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert events(AuditAction.ATTACHMENT_DOWNLOADED) == 1


def test_a_file_on_a_submitted_concern_needs_a_reason(world: DemoWorld, api: Any) -> None:
    concern = make_submitted(world)
    refused = upload(api("lead"), concern, "note.png", png())
    assert refused.status_code == 400
    assert list(refused.json()) == ["reason"] and "why" in refused.json()["reason"][0]
    assert nothing_saved()
    added = upload(api("lead"), concern, "note.png", png(), reason="Photo of the note")
    assert added.status_code == 201, added.content
    assert added.json()["reason"] == "Photo of the note"
    # The recorder and the team see it and may download it; the concern itself is unchanged.
    for persona in ("reporter", "deputy"):
        listed = api(persona).get(f"/api/v1/concerns/{concern.pk}/attachments").json()
        assert [row["id"] for row in listed["results"]] == [added.json()["id"]]
        assert api(persona).get(added.json()["download"]).content == png()
    version = concern.version
    concern.refresh_from_db()
    assert concern.version == version


def test_ignores_fields_it_does_not_take(world: DemoWorld, api: Any) -> None:
    """The type, size, uploader and concern come from the file and the URL, never the form."""
    draft = make_draft(world)
    other = make_draft(world, "case_worker")
    response = upload(
        api("reporter"),
        draft,
        "photo.png",
        png(),
        mime="text/html",
        size="1",
        sha256="0" * 64,
        uploaded_by=str(world.users["lead"].pk),
        concern=str(other.pk),
        organisation_id=str(world.organisations["primary"].pk),
    )
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert (attachment.mime, attachment.size) == ("image/png", len(png()))
    assert attachment.concern_id == draft.pk
    assert attachment.uploaded_by == world.users["reporter"]
    assert attachment.organisation_id == draft.organisation_id


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("letter.pdf", HTML, "do not match its .pdf extension"),
        ("photo.pdf", png(), "do not match its .pdf extension"),
        ("photo.png", jpeg(), "do not match its .png extension"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', ".svg are not accepted"),
        ("page.html", HTML, ".html are not accepted"),
        ("run.exe", b"MZ\x90\x00", ".exe are not accepted"),
        ("README", b"plain words", "no extension"),
        ("empty.txt", b"", "empty"),
        ("huge.png", png(30_000, 30_000), "too large"),
        ("macro.docx", docx({"word/vbaProject.bin": b"x"}), "macros"),
        ("broken.pdf", b"%PDF-1.4 no end marker", "incomplete or damaged"),
    ],
)
def test_a_file_we_do_not_accept_is_refused_with_its_reason_and_nothing_stored(
    world: DemoWorld, api: Any, name: str, data: bytes, message: str
) -> None:
    draft = make_draft(world)
    response = upload(api("reporter"), draft, name, data)
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert message in response.json()["file"][0]
    assert nothing_saved()


def test_a_file_over_the_limit_is_refused_however_large(world: DemoWorld, api: Any) -> None:
    draft = make_draft(world)
    limit = settings.SAFECASE_MAX_UPLOAD_BYTES
    # One byte over: the file's own check refuses it.
    just_over = upload(api("reporter"), draft, "big.txt", b"a" * (limit + 1))
    assert just_over.status_code == 400
    assert just_over.json() == {"file": ["This file is larger than 10 MB"]}
    # Larger than the upload handler holds: refused from its length, before it is read.
    far_over = upload(
        api("reporter"), draft, "bigger.txt", b"a" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)
    )
    assert far_over.status_code == 400
    assert far_over.json() == {"file": ["This file is larger than 10 MB"]}
    assert nothing_saved()


@override_settings(SAFECASE_MAX_UPLOAD_BYTES=2048)
def test_the_limit_follows_the_setting(world: DemoWorld, api: Any) -> None:
    draft = make_draft(world)
    assert upload(api("reporter"), draft, "a.txt", b"a" * 2048).status_code == 201
    refused = upload(api("reporter"), draft, "b.txt", b"a" * 2049)
    assert refused.json() == {"file": ["This file is larger than 2 KB"]}
    length_over = upload(api("reporter"), draft, "c.txt", b"a" * (10 * 1024 * 1024 + 70_000))
    assert length_over.json() == {"file": ["This file is larger than 2 KB"]}


def test_malformed_uploads_answer_400_or_415_and_store_nothing(world: DemoWorld, api: Any) -> None:
    draft = make_draft(world)
    url = f"/api/v1/concerns/{draft.pk}/attachments"
    client = api("reporter")
    no_file = client.post(url, {"reason": "forgot the file"})
    assert no_file.status_code == 400 and list(no_file.json()) == ["file"]
    not_a_file = client.post(url, {"file": "just text"})
    assert not_a_file.status_code == 400 and list(not_a_file.json()) == ["file"]
    two = client.post(url, {"file": [SimpleUploadedFile(n, png()) for n in ("a.png", "b.png")]})
    assert two.json() == {"file": ["Send one file at a time."]}
    as_json = send(client, "POST", url, {"file": "cGRm", "name": "a.pdf"})
    assert as_json.status_code == 415
    garbled = client.generic(
        "POST", url, b"--nope\r\n\r\n", f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert garbled.status_code == 400
    no_boundary = client.generic("POST", url, b"x", "multipart/form-data")
    assert no_boundary.status_code in (400, 415)
    reason_too_long = client.post(
        url, {"file": SimpleUploadedFile("a.png", png()), "reason": "x" * 301}
    )
    assert reason_too_long.status_code == 400 and list(reason_too_long.json()) == ["reason"]
    bad_length = client.generic(
        "POST",
        url,
        encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("a.png", png())}),
        MULTIPART_CONTENT,
        CONTENT_LENGTH="lots",
    )
    assert bad_length.status_code < 500
    assert Attachment.objects.count() == 0 and events(AuditAction.ATTACHMENT_ADDED) == 0


def test_files_follow_the_concern_scope(world: DemoWorld, api: Any) -> None:
    """Someone else's draft, another organisation's concern, a missing concern: 404 and nothing
    stored; roles without concern content: 403."""
    worker_draft = make_draft(world, "case_worker")
    concern = make_submitted(world)
    elsewhere = make_submitted(world, "other_org")
    missing = "00000000-0000-0000-0000-000000000000"
    assert upload(api("reporter"), worker_draft, "a.png", png()).status_code == 404
    assert upload(api("lead"), worker_draft, "a.png", png()).status_code == 404
    assert upload(api("lead"), elsewhere, "a.png", png(), reason="x").status_code == 404
    gone = api("lead").post(
        f"/api/v1/concerns/{missing}/attachments", {"file": SimpleUploadedFile("a.png", png())}
    )
    assert gone.status_code == 404
    for persona in ("org_admin", "auditor"):
        assert upload(api(persona), concern, "a.png", png(), reason="x").status_code == 403
        assert api(persona).get(f"/api/v1/concerns/{concern.pk}/attachments").status_code == 403
    assert nothing_saved()
    for persona in ("other_org", "partner_with_share", "primary_lead"):
        listed = api(persona).get(f"/api/v1/concerns/{concern.pk}/attachments")
        assert listed.status_code == 404


def test_a_share_lets_a_partner_read_the_concern_but_never_add_or_fetch_its_files(
    world: DemoWorld, api: Any
) -> None:
    concern = make_submitted(world)
    attachment = concern_actions.attachment_add(
        actor=actor_for(world, "lead"), concern=concern, name="a.png", data=png(), reason="Note"
    )
    share_grant(
        actor=actor_for(world, "lead"),
        record=concern,
        to_organisation=world.organisations["primary"],
        purpose="Joint strategy discussion",
        lawful_basis="Children Act 1989 s47",
    )
    partner = api("primary_lead")
    base = f"/api/v1/concerns/{concern.pk}/attachments"
    assert upload(partner, concern, "b.png", png(), reason="Ours").status_code == 404
    assert partner.get(f"{base}/{attachment.pk}/download").status_code == 404
    assert partner.get(base).status_code == 404
    assert Attachment.objects.count() == 1
    assert events(AuditAction.ATTACHMENT_DOWNLOADED) == 0


def test_a_file_is_downloaded_only_through_its_own_concern(world: DemoWorld, api: Any) -> None:
    concern = make_submitted(world)
    other = make_submitted(world)
    attachment = concern_actions.attachment_add(
        actor=actor_for(world, "lead"), concern=concern, name="a.png", data=png(), reason="Note"
    )
    lead = api("lead")
    wrong_concern = f"/api/v1/concerns/{other.pk}/attachments/{attachment.pk}/download"
    assert lead.get(wrong_concern).status_code == 404
    missing = f"/api/v1/concerns/{concern.pk}/attachments/{'0' * 8}-0000-0000-0000-{'0' * 12}"
    assert lead.get(f"{missing}/download").status_code == 404
    # The draft's author alone reads a draft's files.
    draft = make_draft(world)
    on_draft = concern_actions.attachment_add(
        actor=actor_for(world, "reporter"), concern=draft, name="b.png", data=png()
    )
    url = f"/api/v1/concerns/{draft.pk}/attachments/{on_draft.pk}/download"
    assert lead.get(url).status_code == 404
    assert api("reporter").get(url).status_code == 200
    assert events(AuditAction.ATTACHMENT_DOWNLOADED) == 1
    # Each refusal of a record that exists is on the trail (the missing one is not).
    assert events(AuditAction.ACCESS_DENIED) == 2


def test_the_files_list_pages_with_constant_queries(
    world: DemoWorld, api: Any, django_assert_max_num_queries: Any
) -> None:
    concern = make_submitted(world)
    lead = actor_for(world, "lead")
    url = f"/api/v1/concerns/{concern.pk}/attachments"

    def add(count: int) -> None:
        start = Attachment.objects.count()
        for i in range(start, start + count):
            concern_actions.attachment_add(
                actor=lead, concern=concern, name=f"{i}.png", data=png(), reason="Note"
            )

    add(2)
    client = api("lead")
    with django_assert_max_num_queries(15) as few:
        assert len(client.get(url).json()["results"]) == 2
    add(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()["results"]) == 8
    first = client.get(f"{url}?page_size=5").json()
    rest = client.get(first["next"]).json()
    names = [row["name"] for row in first["results"] + rest["results"]]
    assert names == [f"{i}.png" for i in range(8)] and rest["next"] is None


def test_the_schema_describes_the_file_endpoints(world: DemoWorld, api: Any) -> None:
    text = api("reporter").get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/concerns/{concern_id}/attachments",
        "/api/v1/concerns/{concern_id}/attachments/{attachment_id}/download",
    ):
        assert path in text
    assert "multipart/form-data" in text and "format: binary" in text
