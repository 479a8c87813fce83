"""Virus scanning of the files in an agency's section (security bar F2), as for a concern's
attachments: no file is downloadable before its scan finds it clean; EICAR is quarantined,
audited and shown as held back, and never served to the agency or the hub; a scanner that gives
no verdict leaves the file pending until ``manage.py hub_files_scan`` scans it; with scanning
off a file counts as clean at once, marked as not scanned.

The scanner is the real clamscan with a one-signature database made by the test (see
safecase/core/tests/clamav.py): skipped without clamscan, except under CI=true.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from conftest import actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns.models import ScanState
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.core.tests.clamav import SIGNATURE, eicar, require_clamscan, write_database
from safecase.core.tests.test_files import png
from safecase.partnerships import request_actions
from safecase.partnerships.models import InformationRequest, SectionAttachment
from safecase.partnerships.tests import helpers

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


def _add(
    world: Any, capture: Any, request: InformationRequest, name: str, data: bytes
) -> SectionAttachment:
    """Add a file as the police answerer, running what waits for the commit (the scan task)."""
    with capture(execute=True):
        added = request_actions.section_file_add(
            actor=actor_for(world, "partner_with_share"), request=request, name=name, data=data
        )
    added.refresh_from_db()
    return added


def _release(world: Any, request: InformationRequest) -> None:
    request.refresh_from_db()
    request_actions.request_answer(
        actor=actor_for(world, "partner_with_share"),
        request=request,
        version=request.version,
        answer="Synthetic police answer.",
    )


def _get(world: Any, persona: str, attachment: SectionAttachment) -> Any:
    return client_for(world.users[persona]).get(f"/hub/files/{attachment.pk}/")


@pytest.mark.usefixtures("clamscan")
def test_eicar_is_quarantined_audited_shown_held_back_and_never_served(
    world: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    request = helpers.requested(world)
    added = _add(world, django_capture_on_commit_callbacks, request, "eicar.txt", eicar())

    assert added.scan_state == ScanState.QUARANTINED
    assert added.scan_signature.startswith(SIGNATURE) and added.scanned_by == "clamscan"
    event = AuditEvent.objects.get(action=AuditAction.HUB_FILE_QUARANTINED)
    assert event.subject_id == str(added.pk)
    assert event.changes["signature"].startswith(SIGNATURE)
    assert event.actor_label == "system:scanner"
    assert not AuditEvent.objects.filter(action=AuditAction.HUB_FILE_SCANNED).exists()

    page = client_for(world.users["partner_with_share"]).get(f"/hub/requests/{request.pk}/")
    assert b"Held back: a virus was found" in page.content
    assert f"/hub/files/{added.pk}/".encode() not in page.content
    _release(world, request)
    hub_page = client_for(world.users["hub"]).get(f"/hub/referrals/{request.referral_id}/")
    assert b"Held back: a virus was found" in hub_page.content
    assert f"/hub/files/{added.pk}/".encode() not in hub_page.content
    viewed_before = AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED).count()
    for persona in ("partner_with_share", "hub"):
        response = _get(world, persona, added)
        assert response.status_code == 409
        assert b"a virus was found" in response.content
        assert eicar() not in response.content
        assert "attachment" not in response.get("Content-Disposition", "")
    # Nothing was shown, so no read of the section is recorded for these refusals.
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED).count() == viewed_before


@pytest.mark.usefixtures("clamscan")
def test_a_clean_file_waits_for_its_scan_then_is_served(
    world: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    request = helpers.requested(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        added = request_actions.section_file_add(
            actor=actor_for(world, "partner_with_share"), request=request, name="p.png", data=png()
        )
    assert added.scan_state == ScanState.PENDING and len(callbacks) == 1
    added_event = AuditEvent.objects.get(action=AuditAction.HUB_SECTION_FILE_ADDED)
    assert added_event.changes["scan"] == ScanState.PENDING
    page = client_for(world.users["partner_with_share"]).get(f"/hub/requests/{request.pk}/")
    assert b"Waiting for the virus check" in page.content
    waiting = _get(world, "partner_with_share", added)
    assert waiting.status_code == 409 and b"waiting for the virus check" in waiting.content

    callbacks[0]()  # the scan task, run as the system for the hub's organisation
    added.refresh_from_db()
    assert added.scan_state == ScanState.CLEAN and added.scanned_by == "clamscan"
    event = AuditEvent.objects.get(action=AuditAction.HUB_FILE_SCANNED)
    assert event.organisation_id == str(added.organisation_id)
    assert event.actor_label == "system:scanner"
    served = _get(world, "partner_with_share", added)
    assert served.status_code == 200 and served.content.startswith(b"\x89PNG")
    page = client_for(world.users["partner_with_share"]).get(f"/hub/requests/{request.pk}/")
    assert f"/hub/files/{added.pk}/".encode() in page.content


def test_with_scanning_off_a_file_is_clean_at_once_and_marked_not_scanned(
    world: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    request = helpers.requested(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        added = request_actions.section_file_add(
            actor=actor_for(world, "partner_with_share"), request=request, name="p.png", data=png()
        )
    assert not callbacks  # no scan task
    assert added.scan_state == ScanState.CLEAN and added.scanned_by == "off"
    page = client_for(world.users["partner_with_share"]).get(f"/hub/requests/{request.pk}/")
    assert b"Not scanned for viruses" in page.content
    assert _get(world, "partner_with_share", added).status_code == 200


@pytest.mark.usefixtures("scanner_down")
def test_a_file_waits_unserved_while_the_scanner_is_down_then_the_command_scans_it(
    world: Any, django_capture_on_commit_callbacks: Callable[..., Any], tmp_path: Path
) -> None:
    request = helpers.requested(world)
    infected = _add(world, django_capture_on_commit_callbacks, request, "eicar.txt", eicar())
    waiting = _add(world, django_capture_on_commit_callbacks, request, "p.png", png())
    assert infected.scan_state == waiting.scan_state == ScanState.PENDING
    assert _get(world, "partner_with_share", infected).status_code == 409
    with pytest.raises(CommandError, match="2 file"):
        call_command("hub_files_scan", stdout=io.StringIO(), stderr=io.StringIO())
    assert SectionAttachment.objects.filter(scan_state=ScanState.PENDING).count() == 2

    with override_settings(
        SAFECASE_AV_CLAMSCAN=require_clamscan(),
        SAFECASE_AV_DATABASE=str(write_database(tmp_path)),
    ):
        out = io.StringIO()
        call_command("hub_files_scan", stdout=out)
    assert "1 clean, 1 quarantined, 0 still pending" in out.getvalue()
    infected.refresh_from_db()
    assert infected.scan_state == ScanState.QUARANTINED
    response = _get(world, "partner_with_share", infected)
    assert response.status_code == 409 and eicar() not in response.content
    assert _get(world, "partner_with_share", waiting).status_code == 200


def test_only_the_scanner_of_the_hubs_organisation_records_a_verdict(world: Any) -> None:
    request = helpers.requested(world)
    added = request_actions.section_file_add(
        actor=actor_for(world, "partner_with_share"), request=request, name="p.png", data=png()
    )
    SectionAttachment.objects.filter(pk=added.pk).update(scan_state=ScanState.PENDING)
    added.refresh_from_db()
    police = world.organisations["police"]
    for actor in (
        actor_for(world, "hub"),
        actor_for(world, "partner_with_share"),
        Actor.system("scanner", organisation=police),
        Actor.system("scanner"),
    ):
        with pytest.raises(NotPermitted):
            request_actions.section_file_scan(actor=actor, attachment=added)
    added.refresh_from_db()
    assert added.scan_state == ScanState.PENDING
    assert not AuditEvent.objects.filter(action=AuditAction.HUB_FILE_SCANNED).exists()
