"""The permission matrix for the transfer pages and API: the sender's leads (Riverside's lead)
see their side, the receiver's (Priya at Oakfield Primary) theirs; the other organisation, the
police partner with a share, the reporter, the auditor, the deputy and the case worker see
nothing they should not. POSTs carry stale versions or bad input, so every persona meets the
same state. Every 403 and 404 leaves one denial in the audit trail (tests.matrix checks)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import DemoWorld, actor_for
from safecase.partnerships.transfers import actions
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.partnerships.transfers.tests.helpers import REASON, child, send
from tests.matrix import Endpoint, run_matrix

pytestmark = pytest.mark.django_db

PERSONAS = (
    "reporter",
    "lead",
    "deputy",
    "case_worker",
    "partner_with_share",
    "auditor",
    "other_org",
    "primary_lead",
)
SENDERS = ("lead", "other_org", "primary_lead")  # transfer.send: the leads
RECEIVERS = ("lead", "deputy", "other_org", "primary_lead")  # transfer.receive
STALE = 999
Url = Callable[[DemoWorld], str]


def _pending(w: DemoWorld) -> Transfer:
    return Transfer.objects.filter(status__in=("pending", "viewed")).get()


def _file(w: DemoWorld) -> ReceivedFile:
    return ReceivedFile.objects.get()


def _t(prefix: str, suffix: str = "") -> Url:
    return lambda w: f"{prefix}{_pending(w).pk}{suffix}"


def _riverside_child(w: DemoWorld) -> str:
    return str(_pending(w).person_id)


def _only(allowed: dict[str, int], holders: tuple[str, ...], missing: int = 404) -> dict[str, int]:
    return {**dict.fromkeys(holders, missing), **allowed}


SENT_SIDE = _only({"lead": 200}, SENDERS)
RECEIVED_SIDE = _only({"primary_lead": 200}, RECEIVERS)
FILE_READERS = {**dict.fromkeys(("lead", "deputy", "case_worker", "other_org"), 404)}
FILE_READERS |= {"partner_with_share": 404, "primary_lead": 200}

ENDPOINTS = [
    Endpoint("outbox", "GET", lambda w: "/transfers/sent/", 403, dict.fromkeys(SENDERS, 200)),
    Endpoint("inbox", "GET", lambda w: "/transfers/received/", 403, dict.fromkeys(RECEIVERS, 200)),
    Endpoint(
        "send page",
        "GET",
        lambda w: f"/transfers/send/{_riverside_child(w)}/",
        403,
        SENT_SIDE,
    ),
    Endpoint(
        "send (empty form)",
        "POST",
        lambda w: f"/transfers/send/{_riverside_child(w)}/",
        403,
        _only({"lead": 422}, SENDERS),
    ),
    Endpoint(
        "export page",
        "GET",
        lambda w: f"/transfers/seal/{_riverside_child(w)}/",
        403,
        SENT_SIDE,
    ),
    Endpoint(
        "download link page",
        "GET",
        lambda w: f"/transfers/one-time-link/{_riverside_child(w)}/",
        403,
        SENT_SIDE,
    ),
    Endpoint("sent page", "GET", _t("/transfers/sent/", "/"), 403, SENT_SIDE),
    Endpoint(
        "resend (stale)",
        "POST",
        _t("/transfers/sent/", "/resend/"),
        403,
        _only({"lead": 409}, SENDERS),
        data={"version": STALE, "reason": "No answer in five working days (synthetic)."},
    ),
    Endpoint(
        "sent pdf (no step-up yet)",
        "GET",
        _t("/transfers/sent/", "/file.pdf"),
        403,
        # The step-up comes before the lookup, as for the chronology's downloads.
        dict.fromkeys(SENDERS, 302),
    ),
    Endpoint("received page", "GET", _t("/transfers/received/", "/"), 403, RECEIVED_SIDE),
    Endpoint(
        "accept (stale)",
        "POST",
        _t("/transfers/received/", "/accept/"),
        403,
        _only({"primary_lead": 409}, RECEIVERS),
        data={"version": STALE, "person": "new"},
    ),
    Endpoint(
        "reject (stale)",
        "POST",
        _t("/transfers/received/", "/reject/"),
        403,
        _only({"primary_lead": 409}, RECEIVERS),
        data={"version": STALE, "reason": "The child never joined us (synthetic)."},
    ),
    Endpoint(
        "received file", "GET", lambda w: f"/transfers/files/{_file(w).pk}/", 403, FILE_READERS
    ),
    Endpoint(
        "person's received files",
        "GET",
        lambda w: f"/transfers/people/{_file(w).person_id}/",
        403,
        FILE_READERS,
    ),
    # The API
    Endpoint(
        "api outbox",
        "GET",
        lambda w: "/api/v1/transfers/sent",
        403,
        dict.fromkeys(SENDERS, 200),
        api=True,
    ),
    Endpoint(
        "api inbox",
        "GET",
        lambda w: "/api/v1/transfers/received",
        403,
        dict.fromkeys(RECEIVERS, 200),
        api=True,
    ),
    Endpoint(
        "api send (empty)",
        "POST",
        lambda w: "/api/v1/transfers/sent",
        403,
        dict.fromkeys(SENDERS, 400),
        api=True,
    ),
    Endpoint(
        "api one-time download (empty)",
        "POST",
        lambda w: "/api/v1/transfers/sent/downloads",
        403,
        dict.fromkeys(SENDERS, 400),
        api=True,
    ),
    Endpoint(
        "api exports (empty)",
        "POST",
        lambda w: "/api/v1/transfers/sent/exports",
        403,
        dict.fromkeys(SENDERS, 400),
        api=True,
    ),
    Endpoint(
        "api receipt (none yet)",
        "GET",
        _t("/api/v1/transfers/received/", "/receipt"),
        403,
        _only({"primary_lead": 409}, RECEIVERS),
        api=True,
    ),
    Endpoint(
        "api keys",
        "GET",
        lambda w: "/api/v1/transfers/keys",
        403,
        dict.fromkeys(SENDERS, 200),
        api=True,
    ),
    Endpoint("api sent", "GET", _t("/api/v1/transfers/sent/"), 403, SENT_SIDE, api=True),
    Endpoint(
        "api sent bundle", "GET", _t("/api/v1/transfers/sent/", "/bundle"), 403, SENT_SIDE, api=True
    ),
    Endpoint(
        "api resend (no If-Match)",
        "POST",
        _t("/api/v1/transfers/sent/", "/resend"),
        403,
        _only({"lead": 428}, SENDERS),
        api=True,
    ),
    Endpoint(
        "api received", "GET", _t("/api/v1/transfers/received/"), 403, RECEIVED_SIDE, api=True
    ),
    Endpoint(
        "api accept (no If-Match)",
        "POST",
        _t("/api/v1/transfers/received/", "/accept"),
        403,
        _only({"primary_lead": 428}, RECEIVERS),
        api=True,
    ),
    Endpoint(
        "api reject (no If-Match)",
        "POST",
        _t("/api/v1/transfers/received/", "/reject"),
        403,
        _only({"primary_lead": 428}, RECEIVERS),
        api=True,
    ),
]


def test_the_transfer_matrix(world: DemoWorld) -> None:
    person = child(world)
    accepted = send(world, child(world))
    actions.transfer_accept(
        actor=actor_for(world, "primary_lead"), transfer=accepted, version=accepted.version
    )
    send(world, person)
    assert run_matrix(world, ENDPOINTS, personas=PERSONAS) == []


def test_a_shared_in_person_cannot_be_sent_on(world: DemoWorld) -> None:
    """The police see a Riverside child through a share; it is not theirs to send."""
    from safecase.access.actions import share_grant
    from safecase.access.models import Consent

    person = child(world)
    share_grant(
        actor=actor_for(world, "lead"),
        record=person,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
        consent=Consent.NOT_SOUGHT,
        consent_override_reason="Seeking consent could put the child at risk (synthetic).",
    )
    from django.http import Http404

    from safecase.partnerships.transfers import selectors

    with pytest.raises(Http404):
        selectors.sendable_person(actor_for(world, "partner_with_share"), person.pk)
    assert REASON
