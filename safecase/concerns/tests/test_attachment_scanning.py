"""Virus scanning of attachments (security bar F2): no file is downloadable (web or API) before
its scan finds it clean; EICAR is quarantined, audited, shown on the concern and never served;
a scanner that gives no verdict leaves the file pending: the scan task tries again later, a
bounded number of times, and ``manage.py attachments_scan`` scans what is left. Word documents
lose their properties on the way in, and a damaged one is refused with nothing stored.

The scanner here is the real clamscan with a one-signature database made by the test (the
official signatures cannot be downloaded on CI): see safecase/core/tests/clamav.py.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction
from PIL import ExifTags, Image

from conftest import actor_for, client_for
from safecase.accounts import auth_actions
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions
from safecase.concerns.models import Attachment, Concern, ScanState
from safecase.concerns.tasks import SCAN_ATTEMPTS, SCAN_RETRY_DELAYS, scan_attachment
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.concerns.tests.test_patterns import make_lead_too, restrict_to_deputy
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, NotPermitted
from safecase.core.files import RejectedFile
from safecase.core.tests.clamav import SIGNATURE, eicar, require_clamscan, write_database
from safecase.core.tests.test_files import png
from safecase.core.tests.test_metadata import word_document_with_properties
from safecase.demo.personas import DemoWorld
from safecase.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def clamscan(tmp_path: Path) -> Iterator[None]:
    with override_settings(
        SAFECASE_AV_MODE="clamscan",
        SAFECASE_AV_CLAMSCAN=require_clamscan(),
        SAFECASE_AV_DATABASE=str(write_database(tmp_path)),
    ):
        yield


@pytest.fixture
def scanner_down(tmp_path: Path) -> Iterator[None]:
    """clamscan that cannot give a verdict (as with no signatures installed)."""
    with override_settings(
        SAFECASE_AV_MODE="clamscan", SAFECASE_AV_CLAMSCAN=str(tmp_path / "missing-clamscan")
    ):
        yield


def _api(world: DemoWorld, persona: str) -> Client:
    _, secret = auth_actions.api_token_create(
        actor=actor_for(world, persona), name="tests", days=30, with_mfa=True
    )
    return Client(headers={"authorization": f"Bearer {secret}"})


def _add(world: DemoWorld, capture: Any, concern: Concern, name: str, data: bytes) -> Attachment:
    """Add a file as the lead, running what waits for the commit (the scan task)."""
    with capture(execute=True):
        added = actions.attachment_add(
            actor=actor_for(world, "lead"), concern=concern, name=name, data=data, reason="x"
        )
    added.refresh_from_db()
    return added


def _downloads(world: DemoWorld, attachment: Attachment) -> tuple[Any, Any]:
    web = client_for(world.users["lead"]).get(f"/concerns/attachments/{attachment.pk}/")
    api = _api(world, "lead").get(
        f"/api/v1/concerns/{attachment.concern_id}/attachments/{attachment.pk}/download"
    )
    return web, api


@pytest.mark.usefixtures("clamscan")
def test_eicar_is_quarantined_audited_shown_to_the_lead_and_never_served(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    concern = submitted_concern(world)
    added = _add(world, django_capture_on_commit_callbacks, concern, "eicar.txt", eicar())

    assert added.scan_state == ScanState.QUARANTINED
    assert added.scan_signature.startswith(SIGNATURE) and added.scanned_by == "clamscan"
    event = AuditEvent.objects.get(action=AuditAction.ATTACHMENT_QUARANTINED)
    assert event.changes["attachment"] == str(added.pk)
    assert event.changes["signature"].startswith(SIGNATURE)
    assert event.actor_label == "system:scanner"
    web, api = _downloads(world, added)
    assert web.status_code == 409 and b"quarantined" in web.content
    assert api.status_code == 409 and "quarantined" in api.json()["detail"]
    for response in (web, api):
        assert eicar() not in response.content
    with pytest.raises(Conflict):
        actions.attachment_read(actor=actor_for(world, "lead"), attachment=added)
    assert not AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOADED).exists()
    # The lead sees it on the concern, with no link to download it.
    page = client_for(world.users["lead"]).get(f"/concerns/{concern.pk}/")
    assert b"Quarantined: a virus was found" in page.content
    assert f"/concerns/attachments/{added.pk}/".encode() not in page.content
    listed = _api(world, "lead").get(f"/api/v1/concerns/{concern.pk}/attachments").json()
    assert listed["results"][0]["scan"] == "quarantined"
    # The leads are told in Safecase, with no detail beyond a time and a link to the concern.
    told = Notification.objects.get(kind=NotificationKind.FILE_QUARANTINED)
    assert (told.recipient, told.target_id) == (world.users["lead"], concern.pk)
    assert "eicar" not in told.text.lower() and SIGNATURE not in told.text


@pytest.mark.usefixtures("clamscan")
def test_a_file_held_back_on_a_draft_is_told_to_its_author_only(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    reporter = actor_for(world, "reporter")
    draft = actions.concern_save_draft(
        actor=reporter,
        concern=None,
        version=None,
        people=[{"name": "Jamie Example-Child"}],
        category_codes=[],
    )
    with django_capture_on_commit_callbacks(execute=True):
        added = actions.attachment_add(actor=reporter, concern=draft, name="e.txt", data=eicar())
    added.refresh_from_db()
    assert added.scan_state == ScanState.QUARANTINED
    told = Notification.objects.filter(kind=NotificationKind.FILE_QUARANTINED)
    # Nobody but the author may open a draft, so nobody else is sent to it.
    assert [(n.recipient, n.target_id) for n in told] == [(world.users["reporter"], draft.pk)]


@pytest.mark.usefixtures("clamscan")
def test_a_file_held_back_on_a_restricted_concern_is_told_only_to_leads_who_may_open_it(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """An allegation against the lead, restricted to the deputy (a lead as well): the lead
    left out must not learn from a notification that the concern exists."""
    concern = submitted_concern(world)
    make_lead_too(world)
    restrict_to_deputy(world, concern)
    with django_capture_on_commit_callbacks(execute=True):
        added = actions.attachment_add(
            actor=actor_for(world, "deputy"),
            concern=concern,
            name="e.txt",
            data=eicar(),
            reason="Photo of the note",
        )
    added.refresh_from_db()
    assert added.scan_state == ScanState.QUARANTINED
    told = Notification.objects.filter(kind=NotificationKind.FILE_QUARANTINED)
    assert [(n.recipient, n.target_id) for n in told] == [(world.users["deputy"], concern.pk)]


@pytest.mark.usefixtures("clamscan")
def test_whoever_added_a_file_is_not_told_once_the_concern_is_closed_to_them(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """The lead adds a file; before its scan runs, the concern is restricted away from them."""
    concern = submitted_concern(world)
    make_lead_too(world)
    with django_capture_on_commit_callbacks() as after_commit:
        added = actions.attachment_add(
            actor=actor_for(world, "lead"),
            concern=concern,
            name="e.txt",
            data=eicar(),
            reason="Photo of the note",
        )
    restrict_to_deputy(world, concern)
    for callback in after_commit:
        callback()  # the scan
    added.refresh_from_db()
    assert added.scan_state == ScanState.QUARANTINED
    told = Notification.objects.filter(kind=NotificationKind.FILE_QUARANTINED)
    assert [(n.recipient, n.target_id) for n in told] == [(world.users["deputy"], concern.pk)]


@pytest.mark.usefixtures("clamscan")
def test_a_clean_file_passes_the_scan_and_can_be_downloaded(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    concern = submitted_concern(world)
    added = _add(world, django_capture_on_commit_callbacks, concern, "photo.png", png())

    assert (added.scan_state, added.scanned_by, added.scan_signature) == ("clean", "clamscan", "")
    scanned = AuditEvent.objects.get(action=AuditAction.ATTACHMENT_SCANNED)
    assert scanned.changes == {"attachment": str(added.pk), "scanner": "clamscan"}
    web, api = _downloads(world, added)
    assert web.status_code == 200 and web.content == png()
    assert api.status_code == 200 and api.content == png()
    assert not Notification.objects.filter(kind=NotificationKind.FILE_QUARANTINED).exists()
    page = client_for(world.users["lead"]).get(f"/concerns/{concern.pk}/")
    assert f"/concerns/attachments/{added.pk}/".encode() in page.content
    assert b"Not scanned" not in page.content


@pytest.mark.usefixtures("scanner_down")
def test_a_file_waits_unserved_while_the_scanner_is_down_then_the_command_scans_it(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any], tmp_path: Path
) -> None:
    concern = submitted_concern(world)
    added = _add(world, django_capture_on_commit_callbacks, concern, "eicar.txt", eicar())
    waiting = _add(world, django_capture_on_commit_callbacks, concern, "photo.png", png())

    assert added.scan_state == waiting.scan_state == ScanState.PENDING
    web, api = _downloads(world, waiting)
    assert web.status_code == 409 and b"still being checked" in web.content
    assert api.status_code == 409 and "still being checked" in api.json()["detail"]
    page = client_for(world.users["reporter"]).get(f"/concerns/{concern.pk}/")
    assert page.content.count(b"Being checked for viruses") == 2
    with pytest.raises(CommandError, match="2 file"):
        call_command("attachments_scan", stdout=io.StringIO(), stderr=io.StringIO())
    assert Attachment.objects.filter(scan_state=ScanState.PENDING).count() == 2

    with override_settings(
        SAFECASE_AV_CLAMSCAN=require_clamscan(),
        SAFECASE_AV_DATABASE=str(write_database(tmp_path)),
    ):
        out = io.StringIO()
        call_command("attachments_scan", stdout=out)
    assert "1 clean, 1 quarantined, 0 still pending" in out.getvalue()
    added.refresh_from_db()
    waiting.refresh_from_db()
    assert (added.scan_state, waiting.scan_state) == ("quarantined", "clean")
    assert _downloads(world, waiting)[0].status_code == 200


def test_with_scanning_off_files_are_marked_clean_unscanned_and_say_so(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    concern = submitted_concern(world)
    added = _add(world, django_capture_on_commit_callbacks, concern, "photo.png", png())
    assert (added.scan_state, added.scanned_by) == ("clean", "off")
    assert not AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_SCANNED).exists()
    added_event = AuditEvent.objects.get(action=AuditAction.ATTACHMENT_ADDED)
    assert added_event.changes["scan"] == "clean"
    page = client_for(world.users["lead"]).get(f"/concerns/{concern.pk}/")
    assert b"Not scanned for viruses" in page.content


def test_only_the_scanner_of_the_files_organisation_records_a_verdict(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    added = actions.attachment_add(
        actor=actor_for(world, "lead"), concern=concern, name="a.png", data=png(), reason="x"
    )
    Attachment.objects.filter(pk=added.pk).update(scan_state=ScanState.PENDING)
    added.refresh_from_db()
    for actor in (
        actor_for(world, "lead"),
        Actor.system("scanner", organisation=world.organisations["police"]),
    ):
        with pytest.raises(NotPermitted):
            actions.attachment_scan(actor=actor, attachment=added)
    added.refresh_from_db()
    assert added.scan_state == ScanState.PENDING


def test_a_photo_is_stored_without_its_gps_and_the_audit_keeps_both_hashes(
    world: DemoWorld,
) -> None:
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 1.0, 2.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    concern = submitted_concern(world)
    added = actions.attachment_add(
        actor=actor_for(world, "lead"), concern=concern, name="arm.jpg", data=data, reason="x"
    )
    download = client_for(world.users["lead"]).get(f"/concerns/attachments/{added.pk}/")
    assert download.status_code == 200
    stored = Image.open(io.BytesIO(download.content))
    assert not stored.getexif() and "exif" not in stored.info
    assert (
        added.sha256
        == hashlib.sha256(download.content).hexdigest()
        != hashlib.sha256(data).hexdigest()
    )
    event = AuditEvent.objects.get(action=AuditAction.ATTACHMENT_ADDED)
    assert event.changes["received_sha256"] == hashlib.sha256(data).hexdigest()
    assert event.changes["metadata"] == "removed"


def _stored_names(path: str = "") -> set[str]:
    directories, files = default_storage.listdir(path)
    names = {f"{path}/{name}" if path else name for name in files}
    for directory in directories:
        names |= _stored_names(f"{path}/{directory}" if path else directory)
    return names


def test_a_word_document_is_stored_without_its_properties(world: DemoWorld) -> None:
    data = word_document_with_properties()
    concern = submitted_concern(world)
    added = actions.attachment_add(
        actor=actor_for(world, "lead"), concern=concern, name="visit.docx", data=data, reason="x"
    )
    download = client_for(world.users["lead"]).get(f"/concerns/attachments/{added.pk}/")
    assert download.status_code == 200
    assert download.content != data and b"Jo Example-Author" not in download.content
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert "docProps/custom.xml" not in archive.namelist()
        assert b"Example Academy Trust" not in archive.read("docProps/app.xml")
    event = AuditEvent.objects.get(action=AuditAction.ATTACHMENT_ADDED)
    assert event.changes["metadata"] == "removed"
    assert event.changes["received_sha256"] == hashlib.sha256(data).hexdigest() != added.sha256


def test_a_damaged_word_document_is_refused_and_nothing_is_stored(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    before = _stored_names()
    for data in (
        word_document_with_properties()[:-40],  # a cut zip: the upload checks refuse it
        word_document_with_properties(rels=b"<Relationships><oops></Relationships>"),  # cleaner
    ):
        with pytest.raises(RejectedFile, match="This Word document is damaged"):
            actions.attachment_add(
                actor=actor_for(world, "lead"),
                concern=concern,
                name="d.docx",
                data=data,
                reason="x",
            )
    assert not Attachment.objects.filter(concern=concern).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_ADDED).exists()
    assert _stored_names() == before


# --- Retrying a scan that got no verdict ------------------------------------------------------
# These run the real database task backend (django-tasks-db) and its worker, as `manage.py
# db_worker --batch` does, instead of the immediate backend the other tests use.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class _Collect(logging.Handler):
    """The scan task's log records (the suite runs with pytest's logging plugin off)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def task_log() -> Iterator[_Collect]:
    handler = _Collect()
    task_logger = logging.getLogger("safecase.concerns.tasks")
    task_logger.addHandler(handler)
    try:
        yield handler
    finally:
        task_logger.removeHandler(handler)


def _run_worker() -> None:
    """Run everything due now, then stop: the worker's own claim and run steps, as in
    `db_worker --batch`, without its loop's connection housekeeping (which would close the
    connection holding the test's transaction)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while True:
        with exclusive_transaction():
            due = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if due is None:
                return
            due.claim(worker.worker_id)
        worker.run_task(due)


def _kwargs(queued: DBTaskResult) -> dict[str, Any]:
    kwargs: dict[str, Any] = queued.args_kwargs["kwargs"]
    return kwargs


def _scan_tasks() -> list[DBTaskResult]:
    path = "safecase.concerns.tasks.scan_attachment"
    tasks = DBTaskResult.objects.filter(task_path=path)
    # By attempt: with the clock stopped, several were enqueued at the same instant.
    return sorted(tasks, key=lambda t: _kwargs(t).get("attempt", 1))


def _waiting(attachment: Attachment) -> DBTaskResult:
    """The one scan still queued for this file."""
    (queued,) = [
        t
        for t in _scan_tasks()
        if t.status == TaskResultStatus.READY and _kwargs(t)["attachment_id"] == str(attachment.pk)
    ]
    return queued


@pytest.mark.usefixtures("scanner_down")
def test_a_scan_without_a_verdict_is_tried_again_later_until_it_gets_one(
    world: DemoWorld,
    django_capture_on_commit_callbacks: Callable[..., Any],
    tmp_path: Path,
    task_log: _Collect,
) -> None:
    concern = submitted_concern(world)
    start = timezone.now()
    with override_settings(TASKS=DATABASE_TASKS), time_machine.travel(start, tick=False) as clock:
        added = _add(world, django_capture_on_commit_callbacks, concern, "eicar.txt", eicar())
        assert added.scan_state == ScanState.PENDING and len(_scan_tasks()) == 1  # queued
        _run_worker()

        # No verdict: the file stays pending and a second attempt waits a minute.
        added.refresh_from_db()
        assert added.scan_state == ScanState.PENDING
        first, queued = _scan_tasks()
        assert (first.status, first.return_value) == (TaskResultStatus.SUCCESSFUL, "pending")
        assert _kwargs(queued) == {"attachment_id": str(added.pk), "attempt": 2}
        assert queued.run_after == start + SCAN_RETRY_DELAYS[0]
        assert "attempt 1 of 6" in task_log.records[-1].getMessage()
        _run_worker()  # not due yet: nothing runs
        assert _waiting(added) == queued

        clock.move_to(start + SCAN_RETRY_DELAYS[0])
        _run_worker()  # second attempt, still no verdict: the third waits five minutes more
        third = _waiting(added)
        assert _kwargs(third)["attempt"] == 3
        assert third.run_after == start + SCAN_RETRY_DELAYS[0] + SCAN_RETRY_DELAYS[1]
        verdicts = (AuditAction.ATTACHMENT_SCANNED, AuditAction.ATTACHMENT_QUARANTINED)
        assert not AuditEvent.objects.filter(action__in=verdicts).exists()

        # The scanner comes back before the third attempt: it records the verdict, and no
        # further attempt is queued.
        with override_settings(
            SAFECASE_AV_CLAMSCAN=require_clamscan(),
            SAFECASE_AV_DATABASE=str(write_database(tmp_path)),
        ):
            clock.move_to(third.run_after)
            _run_worker()
    added.refresh_from_db()
    assert added.scan_state == ScanState.QUARANTINED
    assert AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_QUARANTINED).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.FILE_QUARANTINED).exists()
    tasks = _scan_tasks()
    assert [t.status for t in tasks] == [TaskResultStatus.SUCCESSFUL] * 3
    assert tasks[-1].return_value == "quarantined"


@pytest.mark.usefixtures("scanner_down")
def test_after_the_last_attempt_the_file_stays_pending_and_the_operator_is_told(
    world: DemoWorld,
    django_capture_on_commit_callbacks: Callable[..., Any],
    tmp_path: Path,
    task_log: _Collect,
) -> None:
    concern = submitted_concern(world)
    start = timezone.now()
    with override_settings(TASKS=DATABASE_TASKS), time_machine.travel(start, tick=False) as clock:
        added = _add(world, django_capture_on_commit_callbacks, concern, "photo.png", png())
        for delay in (*SCAN_RETRY_DELAYS, timedelta(days=1)):
            _run_worker()
            clock.shift(delay)

        tasks = _scan_tasks()
        assert len(tasks) == SCAN_ATTEMPTS == 6  # bounded: nothing more is queued
        assert [_kwargs(t).get("attempt") for t in tasks] == [None, 2, 3, 4, 5, 6]
        assert [t.status for t in tasks] == [TaskResultStatus.SUCCESSFUL] * 5 + [
            TaskResultStatus.FAILED
        ]
        # The last attempt fails the task, as the operator's queue check looks for (section 4).
        assert tasks[-1].exception_class_path == "safecase.core.scanning.ScannerUnavailable"
        spacing = [b.run_after - a.run_after for a, b in itertools.pairwise(tasks[1:])]
        assert spacing == list(SCAN_RETRY_DELAYS[1:])
    added.refresh_from_db()
    assert added.scan_state == ScanState.PENDING
    assert _downloads(world, added)[0].status_code == 409
    # The operator is told in the worker's log, with no file name or content.
    warnings = [r.getMessage() for r in task_log.records if r.levelno == logging.WARNING]
    assert len(warnings) == SCAN_ATTEMPTS
    assert "after 6 attempt(s)" in warnings[-1] and "attachments_scan" in warnings[-1]
    assert all(str(added.pk) in w and "photo" not in w for w in warnings)

    # The hourly command still scans it once the scanner is back.
    with override_settings(
        SAFECASE_AV_CLAMSCAN=require_clamscan(),
        SAFECASE_AV_DATABASE=str(write_database(tmp_path)),
    ):
        out = io.StringIO()
        call_command("attachments_scan", stdout=out)
    assert "1 clean, 0 quarantined, 0 still pending" in out.getvalue()
    added.refresh_from_db()
    assert added.scan_state == ScanState.CLEAN


@pytest.mark.usefixtures("clamscan")
def test_a_retry_of_a_file_already_scanned_records_nothing(
    world: DemoWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    concern = submitted_concern(world)
    added = _add(world, django_capture_on_commit_callbacks, concern, "photo.png", png())
    assert added.scan_state == ScanState.CLEAN
    with override_settings(TASKS=DATABASE_TASKS):
        scan_attachment.enqueue(attachment_id=str(added.pk), attempt=4)
        _run_worker()
        (retry,) = _scan_tasks()
    assert (retry.status, retry.return_value) == (TaskResultStatus.SUCCESSFUL, "clean")
    assert AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_SCANNED).count() == 1
