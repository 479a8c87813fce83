"""The receiver without Safecase: a one-time, expiring, code-protected download of the PDF."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.partnerships.transfers import download_actions
from safecase.partnerships.transfers.choices import TransferStatus
from safecase.partnerships.transfers.models import TransferDownload
from safecase.partnerships.transfers.tests.helpers import REASON, child

pytestmark = pytest.mark.django_db


def _made(world: DemoWorld) -> download_actions.DownloadCreated:
    return download_actions.transfer_create_download(
        actor=actor_for(world, "lead"),
        person=child(world),
        recipient_name="St Elsewhere Independent School (synthetic)",
        recipient_email="dsl@st-elsewhere.example.invalid",
        reason=REASON,
        base_url="https://safecase.example.invalid/",
    )


def _url(made: download_actions.DownloadCreated) -> str:
    return f"/transfers/download/{made.token}/"


def test_the_link_is_emailed_and_the_code_is_not(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = _made(world)
    [message] = [m for m in mail.outbox if "dsl@st-elsewhere" in m.to[0]]
    assert _url(made) in message.body
    assert made.code not in message.body
    stored = TransferDownload.objects.get()
    assert made.token not in stored.token_hash and made.code not in stored.code_hash


def test_the_right_code_serves_the_pdf_once_then_the_link_is_dead(world: DemoWorld) -> None:
    made = _made(world)
    client = Client()
    assert client.get(_url(made)).status_code == 200
    response = client.post(_url(made), {"code": made.code})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")
    made.transfer.refresh_from_db()
    assert made.transfer.status == TransferStatus.ACCEPTED
    assert made.transfer.receipt_confirmed_at is not None
    again = client.post(_url(made), {"code": made.code})
    assert again.status_code == 410 and b"downloaded already" in again.content
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_DOWNLOADED).count() == 1


def test_five_wrong_codes_lock_the_link(world: DemoWorld) -> None:
    made = _made(world)
    client = Client()
    wrong = "000000" if made.code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = client.post(_url(made), {"code": wrong})
        assert response.status_code == 422
        assert f"{left} more" in response.content.decode()
    locked = client.post(_url(made), {"code": wrong})
    assert locked.status_code == 410 and b"locked" in locked.content
    # Even the right code no longer works.
    assert client.post(_url(made), {"code": made.code}).status_code == 410
    assert TransferDownload.objects.get().locked_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_DOWNLOAD_LOCKED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.TRANSFER_DOWNLOAD_FAILED).count() >= 4


def test_an_expired_link_is_dead(world: DemoWorld) -> None:
    made = _made(world)
    TransferDownload.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client = Client()
    assert client.get(_url(made)).status_code == 410
    assert client.post(_url(made), {"code": made.code}).status_code == 410


def test_an_unknown_token_is_dead_and_never_a_500(world: DemoWorld) -> None:
    client = Client()
    assert client.get("/transfers/download/nope/").status_code == 410
    assert client.post("/transfers/download/" + "x" * 300 + "/", {"code": "1"}).status_code == 410


def test_the_sender_sees_the_code_once_on_the_page(world: DemoWorld, login: object) -> None:
    person = child(world)
    client = login(world.users["lead"])  # type: ignore[operator]
    response = client.post(
        f"/transfers/one-time-link/{person.pk}/",
        {
            "recipient_name": "St Elsewhere (synthetic)",
            "recipient_email": "dsl@st-elsewhere.example.invalid",
            "reason": REASON,
        },
    )
    assert response.status_code == 200
    code = re.search(rb"<strong>(\d{6})</strong>", response.content)
    assert code is not None


def test_bad_input_is_refused_with_a_message(world: DemoWorld) -> None:
    with pytest.raises(download_actions.DomainError, match="e-mail"):
        download_actions.transfer_create_download(
            actor=actor_for(world, "lead"),
            person=child(world),
            recipient_name="Somewhere",
            recipient_email="not an address",
            reason=REASON,
            base_url="https://x.invalid/",
        )
    assert not TransferDownload.objects.exists()


def test_a_download_through_the_api(world: DemoWorld) -> None:
    import json

    from conftest import client_for

    person = child(world)
    lead = client_for(world.users["lead"])
    response = lead.post(
        "/api/v1/transfers/sent/downloads",
        json.dumps(
            {
                "person": str(person.pk),
                "recipient_name": "St Elsewhere (synthetic)",
                "recipient_email": "dsl@st-elsewhere.example.invalid",
                "reason": REASON,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"\d{6}", body["code"]) and body["transfer"]["mode"] == "download"
    assert response["Cache-Control"] == "no-store"
    stored = TransferDownload.objects.get()
    assert body["code"] not in stored.code_hash
    reporter = client_for(world.users["reporter"])
    assert (
        reporter.post(
            "/api/v1/transfers/sent/downloads", "{}", content_type="application/json"
        ).status_code
        == 403
    )
