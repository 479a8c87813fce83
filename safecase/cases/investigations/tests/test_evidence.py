"""The evidence register's files: checked and stored exactly as a concern's attachments
(allow-list against the content, size limit, generated names, encrypted at rest), the SHA-256
of the plaintext recorded, and served only through the permission-checked, audited download."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from conftest import DemoWorld, actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases.investigations import evidence_actions
from safecase.cases.investigations.models import EvidenceItem
from safecase.cases.investigations.tests.helpers import TEXT, evidence, open_investigation
from safecase.concerns.models import ScanState
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.core.scanning import ScanResult
from safecase.core.tests.test_files import png

pytestmark = pytest.mark.django_db


def _url(item: EvidenceItem) -> str:
    return f"/cases/{item.investigation.case_id}/investigation/evidence/{item.pk}/download/"


def test_the_file_is_encrypted_on_disk_and_its_sha256_recorded(world: DemoWorld) -> None:
    item = evidence(world, open_investigation(world))
    assert item.sha256 == hashlib.sha256(TEXT).hexdigest() == item.received_sha256
    assert item.display_name == "register.txt" and item.mime == "text/plain"
    # A generated name, never the user's; the bytes stored are not the plaintext.
    assert "register" not in item.storage_name
    with default_storage.open(item.storage_name, "rb") as handle:
        stored = handle.read()
    assert TEXT not in stored and b"Session register" not in stored
    data = evidence_actions.evidence_read_file(actor=actor_for(world, "lead"), evidence=item)
    assert data == TEXT and hashlib.sha256(data).hexdigest() == item.sha256
    [event] = AuditEvent.objects.filter(action=AuditAction.EVIDENCE_RECORDED)
    assert event.changes["sha256"] == item.sha256


def test_a_blob_moved_to_another_item_does_not_decrypt(world: DemoWorld) -> None:
    inv = open_investigation(world)
    first, second = evidence(world, inv), evidence(world, inv, file_name="", file_data=None)
    EvidenceItem.objects.filter(pk=second.pk).update(
        storage_name=first.storage_name, scan_state=ScanState.CLEAN
    )
    second.refresh_from_db()
    with pytest.raises(Exception, match="authentication"):
        evidence_actions.evidence_read_file(actor=actor_for(world, "lead"), evidence=second)


@override_settings(SAFECASE_MAX_UPLOAD_BYTES=64)
def test_an_oversize_file_is_refused_and_nothing_saved(world: DemoWorld) -> None:
    inv = open_investigation(world)
    with pytest.raises(DomainError, match="larger than") as refused:
        evidence(world, inv, file_data=b"x" * 65)
    assert refused.value.field == "file"
    assert not EvidenceItem.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.pdf", png(), "do not match its .pdf"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "do not match its .txt"),
        ("drawing.svg", b"<svg></svg>", "not accepted"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_a_mislabelled_or_unaccepted_file_is_refused(
    world: DemoWorld, name: str, data: bytes, message: str
) -> None:
    inv = open_investigation(world)
    with pytest.raises(DomainError, match=message):
        evidence(world, inv, file_name=name, file_data=data)
    assert not EvidenceItem.objects.exists()


def test_a_date_obtained_in_the_future_is_refused(world: DemoWorld) -> None:
    inv = open_investigation(world)
    with pytest.raises(DomainError) as refused:
        evidence(world, inv, obtained_on=timezone.localdate() + timedelta(days=1))
    assert refused.value.field == "obtained_on"
    with pytest.raises(DomainError) as refused:
        evidence(world, inv, source=" ")
    assert refused.value.field == "source"
    assert not EvidenceItem.objects.exists()


def test_a_file_is_added_once(world: DemoWorld) -> None:
    item = evidence(world, open_investigation(world), file_name="", file_data=None)
    assert not item.has_file and item.sha256 == ""
    lead = actor_for(world, "lead")
    item = evidence_actions.evidence_add_file(actor=lead, evidence=item, name="a.txt", data=TEXT)
    assert item.sha256 == hashlib.sha256(TEXT).hexdigest()
    with pytest.raises(DomainError, match="already has its file"):
        evidence_actions.evidence_add_file(actor=lead, evidence=item, name="b.txt", data=b"B\n")
    with pytest.raises(NotPermitted):
        evidence_actions.evidence_add_file(
            actor=actor_for(world, "other_org"), evidence=item, name="c.txt", data=b"C\n"
        )


def test_a_file_waiting_for_its_scan_is_not_served(world: DemoWorld) -> None:
    item = evidence(world, open_investigation(world))
    EvidenceItem.objects.filter(pk=item.pk).update(scan_state=ScanState.PENDING)
    item.refresh_from_db()
    with pytest.raises(Conflict, match="being checked"):
        evidence_actions.evidence_read_file(actor=actor_for(world, "lead"), evidence=item)
    response = client_for(world.users["lead"]).get(_url(item))
    assert response.status_code == 409


def test_the_download_is_an_attachment_and_audited(world: DemoWorld) -> None:
    item = evidence(world, open_investigation(world))
    response = client_for(world.users["case_worker"]).get(_url(item))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == TEXT
    [event] = AuditEvent.objects.filter(action=AuditAction.EVIDENCE_FILE_DOWNLOADED)
    assert event.actor_id == str(world.users["case_worker"].pk)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lead", 200),
        ("deputy", 200),
        ("reporter", 403),
        ("auditor", 403),
        ("partner_with_share", 404),
        ("other_org", 404),
        ("primary_lead", 404),
    ],
)
def test_who_may_download_an_evidence_file(world: DemoWorld, persona: str, status: int) -> None:
    item = evidence(world, open_investigation(world))
    assert client_for(world.users[persona]).get(_url(item)).status_code == status


class _FoundSomething:
    name = "clamd"

    def scan(self, data: bytes) -> ScanResult:
        return ScanResult(infected=True, scanner=self.name, signature="Eicar-Test-Signature")


@override_settings(SAFECASE_AV_MODE="clamd")
def test_with_scanning_on_a_file_waits_for_its_scan_and_a_virus_quarantines_it(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(evidence_actions, "get_scanner", lambda: _FoundSomething())
    inv = open_investigation(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = evidence(world, inv)
    assert item.scan_state == ScanState.PENDING and len(callbacks) == 1
    with pytest.raises(Conflict, match="being checked"):
        evidence_actions.evidence_read_file(actor=actor_for(world, "lead"), evidence=item)
    callbacks[0]()  # the scan task, run as the system
    item.refresh_from_db()
    assert item.scan_state == ScanState.QUARANTINED
    assert item.scan_signature == "Eicar-Test-Signature"
    assert AuditEvent.objects.filter(action=AuditAction.EVIDENCE_FILE_QUARANTINED).count() == 1
    assert client_for(world.users["lead"]).get(_url(item)).status_code == 409
