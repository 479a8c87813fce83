"""The journey through the pages: Riverside's lead sends a child's file to Oakfield Primary,
Priya opens it (viewed), accepts it onto a new person (receipt confirmed), reads the received
file and its PDF; and the same through the API with If-Match (428 missing, 412 stale)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import DemoWorld, actor_for, client_for
from safecase.accounts.tests.stepping_up import stepped_up_client
from safecase.partnerships.transfers.choices import TransferStatus
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.partnerships.transfers.tests.helpers import REASON, child, send

pytestmark = pytest.mark.django_db


def test_send_view_accept_and_read_through_the_pages(world: DemoWorld) -> None:
    person = child(world)
    lead = client_for(world.users["lead"])
    page = lead.get(f"/transfers/send/{person.pk}/")
    assert page.status_code == 200 and b"Oakfield Primary School" in page.content
    assert b"Westbrook" not in page.content  # not in the partnership
    bad = lead.post(f"/transfers/send/{person.pk}/", {"receiver": "", "reason": ""})
    assert bad.status_code == 422 and not Transfer.objects.exists()
    sent = lead.post(
        f"/transfers/send/{person.pk}/",
        {"receiver": world.organisations["primary"].pk, "reason": REASON},
    )
    transfer = Transfer.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/transfers/sent/{transfer.pk}/"
    assert b"Waiting for the receiver" in lead.get(sent["Location"]).content

    priya = client_for(world.users["primary_lead"])
    assert person.family_name.encode() in priya.get("/transfers/received/").content
    opened = priya.get(f"/transfers/received/{transfer.pk}/")
    assert opened.status_code == 200 and b"no coat" in opened.content
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.VIEWED
    assert b"Opened by the receiver" in lead.get(f"/transfers/sent/{transfer.pk}/").content
    stale = priya.post(
        f"/transfers/received/{transfer.pk}/accept/", {"version": 1, "person": "new"}
    )
    assert stale.status_code == 409 and not ReceivedFile.objects.exists()
    accepted = priya.post(
        f"/transfers/received/{transfer.pk}/accept/",
        {"version": transfer.version, "person": "new"},
    )
    received = ReceivedFile.objects.get()
    assert (
        accepted.status_code == 302 and accepted["Location"] == f"/transfers/files/{received.pk}/"
    )
    file_page = priya.get(accepted["Location"])
    assert file_page.status_code == 200 and b"read-only" in file_page.content
    listing = priya.get(f"/transfers/people/{received.person_id}/")
    assert b"Riverside Academy" in listing.content
    pdf = stepped_up_client(world.users["primary_lead"]).get(
        f"/transfers/files/{received.pk}/file.pdf"
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"Receipt confirmed" in lead.get(f"/transfers/sent/{transfer.pk}/").content
    mine = stepped_up_client(world.users["lead"]).get(f"/transfers/sent/{transfer.pk}/file.pdf")
    assert mine.status_code == 200 and mine["Content-Disposition"].startswith("attachment")


def test_reject_and_resend_through_the_pages(world: DemoWorld) -> None:
    transfer = send(world)
    priya = client_for(world.users["primary_lead"])
    short = priya.post(
        f"/transfers/received/{transfer.pk}/reject/", {"version": transfer.version, "reason": "no"}
    )
    assert short.status_code == 422
    transfer.refresh_from_db()  # opening it (the page above) marked it viewed
    lead = client_for(world.users["lead"])
    resent = lead.post(
        f"/transfers/sent/{transfer.pk}/resend/",
        {"version": transfer.version, "reason": "The first bundle expired (synthetic)."},
    )
    assert resent.status_code == 302
    new = Transfer.objects.exclude(pk=transfer.pk).get()
    old = priya.post(
        f"/transfers/received/{transfer.pk}/reject/",
        {"version": transfer.version + 1, "reason": "The child never joined us (synthetic)."},
    )
    assert old.status_code == 422 and b"replaced" in old.content
    done = priya.post(
        f"/transfers/received/{new.pk}/reject/",
        {"version": new.version, "reason": "The child never joined us (synthetic)."},
    )
    assert done.status_code == 302
    assert Transfer.objects.get(pk=new.pk).status == TransferStatus.REJECTED


def _post(client: Client, url: str, data: dict[str, Any], etag: str | None = None) -> Any:
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_the_same_through_the_api(world: DemoWorld) -> None:
    person = child(world)
    lead = client_for(world.users["lead"])
    bad = _post(lead, "/api/v1/transfers/sent", {"person": str(person.pk)})
    assert bad.status_code == 400
    outside = _post(
        lead,
        "/api/v1/transfers/sent",
        {
            "person": str(person.pk),
            "receiver_organisation": str(world.organisations["outside"].pk),
            "reason": REASON,
        },
    )
    assert outside.status_code == 400 and "receiver_organisation" in outside.json()
    made = _post(
        lead,
        "/api/v1/transfers/sent",
        {
            "person": str(person.pk),
            "receiver_organisation": str(world.organisations["primary"].pk),
            "reason": REASON,
        },
    )
    assert made.status_code == 201, made.content
    transfer_id = made.json()["id"]
    priya = client_for(world.users["primary_lead"])
    inbox = priya.get("/api/v1/transfers/received").json()
    assert [t["id"] for t in inbox["results"]] == [transfer_id]
    opened = priya.get(f"/api/v1/transfers/received/{transfer_id}")
    assert opened.status_code == 200 and opened.json()["document"]["concerns"]
    etag = opened["ETag"]
    url = f"/api/v1/transfers/received/{transfer_id}/accept"
    assert _post(priya, url, {}).status_code == 428
    assert _post(priya, url, {}, '"99"').status_code == 412
    accepted = _post(priya, url, {}, etag)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["transfer"]["status"] == "accepted"
    status = lead.get(f"/api/v1/transfers/sent/{transfer_id}").json()
    assert status["status"] == "accepted" and status["receipt_confirmed_at"]


def test_the_inbox_costs_the_same_with_one_transfer_as_with_many(world: DemoWorld) -> None:
    priya = client_for(world.users["primary_lead"])
    person = child(world)
    send(world, person)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = priya.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count("/transfers/received/")  # the first request of a session reads a little more
    one = (count("/transfers/received/"), count("/api/v1/transfers/received"))
    for _ in range(6):
        send(world, person)
    many = (count("/transfers/received/"), count("/api/v1/transfers/received"))
    assert many == one
    assert one[0] <= 12
    lead = client_for(world.users["lead"])
    with CaptureQueriesContext(connection) as ctx:
        assert lead.get("/transfers/sent/").status_code == 200
    assert len(ctx.captured_queries) <= 12
    assert actor_for(world, "lead")


def test_the_receivers_home_shows_files_waiting(world: DemoWorld) -> None:
    transfer = send(world)
    home = client_for(world.users["primary_lead"]).get("/")
    assert home.status_code == 200
    assert b"Safeguarding files sent to you" in home.content
    assert f"/transfers/received/{transfer.pk}/".encode() in home.content
    assert transfer.person_label.encode() not in home.content  # no names on a home screen
    reporter_home = client_for(world.users["reporter"]).get("/")
    assert b"Safeguarding files sent to you" not in reporter_home.content
