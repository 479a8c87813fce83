"""Attachments: checked, encrypted at rest, downloaded only by those who may see the concern."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions
from safecase.concerns.models import Attachment, Concern
from safecase.concerns.tests.test_concerns import actor_for, client_for, submitted_concern
from safecase.core.errors import DomainError, NotPermitted
from safecase.core.tests.test_files import HTML, pdf, png
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db

CANARY = b"CANARY-PLAINTEXT-7d3f"


def _form(extra: dict[str, object]) -> dict[str, object]:
    return {
        "kind": "child",
        "person_0_name": "Jamie Example-Child",
        "person_0_role": "subject",
        "happened_on": "2026-11-20",
        "location": "Hall",
        "categories": ["neglect"],
        "fact": "Arrived without a coat in the snow.",
        "save": "1",
        **extra,
    }


def test_a_file_attached_while_recording_is_encrypted_and_served_to_the_lead(
    world: DemoWorld,
) -> None:
    reporter = client_for(world.users["reporter"])
    data = pdf() + b"%" + CANARY
    response = reporter.post(
        "/concerns/new/", _form({"attachment": SimpleUploadedFile("note.pdf", data)})
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    with default_storage.open(attachment.storage_name) as stored:
        assert CANARY not in stored.read()
    concern = Concern.objects.get()
    reporter.post(
        f"/concerns/{concern.pk}/edit/",
        {**_form({}), "version": concern.version, "submit": "1"},
    )
    download = client_for(world.users["lead"]).get(f"/concerns/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download.content == data
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOADED).count() == 1
    for outsider in ("other_org", "primary_lead", "partner_with_share"):
        assert (
            client_for(world.users[outsider])
            .get(f"/concerns/attachments/{attachment.pk}/")
            .status_code
            == 404
        )
    assert (
        client_for(world.users["org_admin"])
        .get(f"/concerns/attachments/{attachment.pk}/")
        .status_code
        == 403
    )


def test_a_mislabelled_file_is_refused_with_a_clear_message(world: DemoWorld) -> None:
    reporter = client_for(world.users["reporter"])
    response = reporter.post(
        "/concerns/new/", _form({"attachment": SimpleUploadedFile("letter.pdf", HTML)})
    )
    assert response.status_code == 422
    assert b"There is a problem" in response.content
    assert not Attachment.objects.exists()


def test_files_on_someone_elses_draft_or_submitted_concern_without_reason(
    world: DemoWorld,
) -> None:
    worker = actor_for(world, "case_worker")
    draft = actions.concern_save_draft(
        actor=worker,
        concern=None,
        version=None,
        people=[{"name": "A Child"}],
        category_codes=["neglect"],
    )
    with pytest.raises(NotPermitted):
        actions.attachment_add(
            actor=actor_for(world, "reporter"), concern=draft, name="a.png", data=png()
        )
    concern = submitted_concern(world)
    with pytest.raises(DomainError, match="why"):
        actions.attachment_add(
            actor=actor_for(world, "lead"), concern=concern, name="a.png", data=png()
        )
    added = actions.attachment_add(
        actor=actor_for(world, "lead"),
        concern=concern,
        name="../../etc/passwd.png",
        data=png(),
        reason="Photo of the handwritten note",
    )
    assert added.display_name == "passwd.png"
    assert added.storage_name.startswith("attachments/")


def test_ciphertext_moved_to_another_attachment_does_not_decrypt(world: DemoWorld) -> None:
    from safecase.core.crypto import DecryptionError

    concern = submitted_concern(world)
    lead = actor_for(world, "lead")
    first = actions.attachment_add(
        actor=lead, concern=concern, name="a.png", data=png(), reason="x"
    )
    second = actions.attachment_add(
        actor=lead, concern=concern, name="b.png", data=png(2, 2), reason="y"
    )
    Attachment.objects.filter(pk=second.pk).update(storage_name=first.storage_name)
    second.refresh_from_db()
    with pytest.raises(DecryptionError):
        actions.attachment_read(actor=lead, attachment=second)
