"""Sharing across organisations (issue 5): the receiving side sees exactly what was shared.

Riverside (the secondary school) holds a child, a concern about them with a file, a case with
two notes and a risk assessment, and a chronology extract. It shares one note and the extract
with the police (in the partnership) and the child's person record with Oakfield Primary (in the
partnership); nothing with the health trust (in it) nor with Westbrook Swimming Club (outside).

- Every list, search, count, chronology, export and API route of each other organisation shows
  the shared items and nothing else: an unshared item is 404 and never appears; a revoked share
  disappears at once.
- The permission matrix for every sharing page and endpoint, for every persona.
"""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from safecase.access import actions as access_actions
from safecase.access.models import ShareGrant
from safecase.accounts.step_up import SESSION_STEP_UP
from safecase.cases.tests.helpers import restricted_case
from safecase.demo.personas import DemoWorld
from safecase.sharing import actions as sharing_actions
from safecase.sharing.tests.helpers import SECRET_FACT, SHARED_FACT, Scene, build_scene, share
from tests.matrix import PERSONAS, Endpoint, run_matrix, signed_in_client

pytestmark = pytest.mark.django_db

RECEIVERS = (
    "partner_with_share",
    "police_approver",
    "partner_without",
    "primary_lead",
    "other_org",
)


def _actor(world: DemoWorld, persona: str):  # type: ignore[no-untyped-def]
    from conftest import actor_for

    return actor_for(world, persona)


def _client(world: DemoWorld, persona: str) -> Client:
    client = signed_in_client(world.users[persona])
    session = client.session
    session[SESSION_STEP_UP] = int(time.time())  # exports need a fresh step-up
    session.save()
    return client


LISTS = (
    "/",
    "/people/",
    "/people/?q=Example-Sharechild",
    "/cases/",
    "/cases/caseload/",
    "/concerns/mine/",
    "/concerns/queue/",
    "/search/?q=Example-Sharechild",
    f"/search/?q={SECRET_FACT}",
    "/sharing/received/",
    "/api/v1/people?q=Example-Sharechild",
    "/api/v1/cases",
    "/api/v1/concerns/mine",
    "/api/v1/concerns/queue",
    "/api/v1/alerts",
    "/api/v1/sharing/shared",
)


def _unshared_routes(s: Scene) -> list[str]:
    """Every route that reads a record none of the receivers was given."""
    c, n = s.case.pk, s.secret_note.pk
    return [
        f"/cases/{c}/",
        f"/cases/{c}/notes/",
        f"/cases/{c}/risk/",
        f"/cases/{c}/risk/history/",
        f"/cases/{c}/bundle.pdf",
        f"/concerns/{s.concern.pk}/",
        f"/api/v1/cases/{c}",
        f"/api/v1/cases/{c}/notes",
        f"/api/v1/cases/{c}/notes/{n}",
        f"/api/v1/cases/{c}/notes/{s.note.pk}",
        f"/api/v1/cases/{c}/risk",
        f"/api/v1/concerns/{s.concern.pk}",
        f"/api/v1/concerns/{s.concern.pk}/attachments/{s.attachment.pk}/download",
    ]


def _person_routes(s: Scene) -> list[str]:
    p = s.person.pk
    return [
        f"/people/{p}/",
        f"/people/{p}/chronology.csv",
        f"/people/{p}/chronology.pdf",
        f"/api/v1/people/{p}",
        f"/api/v1/people/{p}/chronology",
    ]


def _never_shown(s: Scene) -> list[str]:
    """What no receiver may ever read: the unshared narrative and the unshared records' keys."""
    return [
        SECRET_FACT,
        s.case.reference,
        str(s.case.pk),
        str(s.concern.pk),
        str(s.secret_note.pk),
        str(s.risk.pk),
        str(s.attachment.pk),
    ]


def _text(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response.status_code, body.decode("utf-8", "replace")


def test_each_other_organisation_sees_exactly_what_was_shared(world: DemoWorld) -> None:
    s = build_scene(world)
    note = share(world, s.note, "case_note")
    extract = share(world, s.extract, "chronology_extract")
    person = share(world, s.person, "person", to="primary")
    clients = {p: _client(world, p) for p in RECEIVERS}
    police = ("partner_with_share", "police_approver")
    for persona, client in clients.items():
        for url in LISTS:
            status, text = _text(client, url)
            assert status < 500, (persona, url, status)
            for secret in _never_shown(s):
                # (A search page repeats its own query back: that is not a leak.)
                assert secret in url or secret not in text, (persona, url, secret)
            if persona not in police:
                assert SHARED_FACT not in text, (persona, url)
            if persona != "primary_lead":
                assert str(s.person.pk) not in text, (persona, url)
        for url in _unshared_routes(s):
            status, _ = _text(client, url)
            assert status in (403, 404), (persona, url, status)
        for url in _person_routes(s):
            status, text = _text(client, url)
            if persona == "primary_lead":
                # The person was shared: their record, and a chronology without the unshared
                # concern and case (none of its lines reaches them).
                assert status == 200, (persona, url, status)
                for secret in _never_shown(s):
                    assert secret not in text, (persona, url, secret)
            else:
                assert status in (403, 404), (persona, url, status)
    # What was shared, to whom it was shared.
    for persona in police:
        status, text = _text(clients[persona], "/sharing/received/")
        assert str(note.pk) in text and str(extract.pk) in text
        assert _text(clients[persona], f"/sharing/received/{note.pk}/")[0] == 200
        api = json.loads(_text(clients[persona], "/api/v1/sharing/shared")[1])
        assert {row["id"] for row in api["results"]} == {str(note.pk), str(extract.pk)}
    assert str(person.pk) in _text(clients["primary_lead"], "/sharing/received/")[1]
    # The shared person is found where the primary looks for people: list, search, API.
    for url in ("/people/?q=Example-Sharechild", "/search/?q=Example-Sharechild"):
        assert str(s.person.pk) in _text(clients["primary_lead"], url)[1], url
    api_people = _text(clients["primary_lead"], "/api/v1/people?q=Example-Sharechild")[1]
    assert str(s.person.pk) in api_people
    for persona in ("partner_without", "other_org", "primary_lead"):
        assert _text(clients[persona], f"/sharing/received/{note.pk}/")[0] == 404
        assert _text(clients[persona], f"/api/v1/sharing/shared/{note.pk}")[0] == 404
    # A revoked share disappears at once, everywhere.
    lead = _actor(world, "lead")
    access_actions.share_revoke(actor=lead, grant=note, reason="No longer needed (synthetic).")
    access_actions.share_revoke(actor=lead, grant=person, reason="No longer needed (synthetic).")
    for persona in police:
        status, text = _text(clients[persona], "/sharing/received/")
        assert SHARED_FACT not in text and str(note.pk) not in text
        assert _text(clients[persona], f"/sharing/received/{note.pk}/")[0] == 404
        api = _text(clients[persona], "/api/v1/sharing/shared")[1]
        assert str(note.pk) not in api
    for url in _person_routes(s):
        assert _text(clients["primary_lead"], url)[0] in (403, 404), url
    assert "Example-Sharechild" not in _text(clients["primary_lead"], "/people/")[1]


def test_nothing_can_be_shared_with_an_organisation_outside_the_partnership(
    world: DemoWorld,
) -> None:
    from safecase.core.errors import DomainError

    s = build_scene(world)
    with pytest.raises(DomainError):
        share(world, s.note, "case_note", to="outside")
    assert not ShareGrant.objects.exists()


# --- The matrix of the sharing pages and endpoints -------------------------------------------

LEADS = {"lead": 200, "deputy": 200}
OTHER_LEADS_404 = {"primary_lead": 404, "other_org": 404}
SHARED_VIEWERS = ("lead", "deputy", "case_worker", "partner_with_share", "partner_without")
SHARED_VIEWERS += ("other_org", "primary_lead")


def _g(name: str):  # type: ignore[no-untyped-def]
    return lambda w: w._sharing[name]  # type: ignore[attr-defined]


def _world_with_sharing(world: DemoWorld) -> DemoWorld:
    s = build_scene(world)
    note = share(world, s.note, "case_note")
    primary = share(world, s.person, "person", to="primary")
    case = restricted_case(world)
    opening = sharing_actions.break_glass_open(
        actor=_actor(world, "lead"),
        record=case,
        reason="The named people are away today (synthetic).",
        code_checked_at=time.time(),
    )
    world._sharing = {  # type: ignore[attr-defined]
        "note_grant": f"/sharing/received/{note.pk}/",
        "primary_grant": f"/sharing/received/{primary.pk}/",
        "disclosure": f"/sharing/grants/{note.pk}/",
        "revoke": f"/sharing/given/{note.pk}/revoke/",
        "share_note": f"/sharing/share/case_note/{s.note.pk}/",
        "extract_new": f"/sharing/extracts/new/{s.person.pk}/",
        "extract": f"/sharing/extracts/{s.extract.pk}/",
        "opening": f"/sharing/break-glass/{opening.pk}/",
        "review": f"/sharing/break-glass/{opening.pk}/review/",
        "break_glass": f"/sharing/break-glass/case/{case.pk}/",
        "api_item": f"/api/v1/sharing/shared/{note.pk}",
        "api_revoke": f"/api/v1/sharing/given/{note.pk}/revoke",
    }
    return world


def _shared_viewers(status: int, **more: int) -> dict[str, int]:
    return {**dict.fromkeys(SHARED_VIEWERS, status), **more}


ENDPOINTS = [
    Endpoint(
        "shares given",
        "GET",
        lambda w: "/sharing/given/",
        403,
        {**LEADS, "primary_lead": 200, "other_org": 200},
    ),
    Endpoint("shared with us", "GET", lambda w: "/sharing/received/", 403, _shared_viewers(200)),
    Endpoint(
        "a shared note (police)",
        "GET",
        _g("note_grant"),
        403,
        _shared_viewers(404, partner_with_share=200),
    ),
    Endpoint(
        "a shared person (primary)",
        "GET",
        _g("primary_grant"),
        403,
        _shared_viewers(404, primary_lead=200),
    ),
    Endpoint(
        "the record of a disclosure", "GET", _g("disclosure"), 403, {**LEADS, **OTHER_LEADS_404}
    ),
    Endpoint("revoke (form)", "GET", _g("revoke"), 403, {**LEADS, **OTHER_LEADS_404}),
    Endpoint(
        "revoke without a reason",
        "POST",
        _g("revoke"),
        403,
        {"lead": 422, "deputy": 422, **OTHER_LEADS_404},
        data={"reason": ""},
    ),
    Endpoint("share a note (form)", "GET", _g("share_note"), 403, {**LEADS, **OTHER_LEADS_404}),
    Endpoint(
        "share a note with nothing filled in",
        "POST",
        _g("share_note"),
        403,
        {"lead": 422, "deputy": 422, **OTHER_LEADS_404},
    ),
    Endpoint("make an extract (form)", "GET", _g("extract_new"), 403, {**LEADS, **OTHER_LEADS_404}),
    Endpoint("an extract", "GET", _g("extract"), 403, {**LEADS, **OTHER_LEADS_404}),
    Endpoint("break-glass report", "GET", lambda w: "/sharing/break-glass/", 403, {"auditor": 200}),
    Endpoint(
        "a break-glass opening",
        "GET",
        _g("opening"),
        404,
        {"auditor": 200, "lead": 200, "deputy": 200},
    ),
    Endpoint(
        "review with a stale version",
        "POST",
        _g("review"),
        403,
        {"auditor": 409},
        data={"version": 999},
    ),
    Endpoint("break-glass (form)", "GET", _g("break_glass"), 403, {"lead": 200, **OTHER_LEADS_404}),
    Endpoint(
        "api shared with us",
        "GET",
        lambda w: "/api/v1/sharing/shared",
        403,
        _shared_viewers(200),
        api=True,
    ),
    Endpoint(
        "api a shared note",
        "GET",
        _g("api_item"),
        403,
        _shared_viewers(404, partner_with_share=200),
        api=True,
    ),
    Endpoint(
        "api shares given",
        "GET",
        lambda w: "/api/v1/sharing/given",
        403,
        {**LEADS, "primary_lead": 200, "other_org": 200},
        api=True,
    ),
    Endpoint(
        "api share with nothing filled in",
        "POST",
        lambda w: "/api/v1/sharing/given",
        403,
        {"lead": 400, "deputy": 400, "primary_lead": 400, "other_org": 400},
        api=True,
    ),
    Endpoint(
        "api revoke without a reason",
        "POST",
        _g("api_revoke"),
        403,
        {"lead": 400, "deputy": 400, **OTHER_LEADS_404},
        data={"reason": ""},
        api=True,
    ),
]


def test_the_sharing_matrix(world: DemoWorld) -> None:
    assert run_matrix(_world_with_sharing(world), ENDPOINTS, personas=PERSONAS) == []
