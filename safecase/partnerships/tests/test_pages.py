"""The hub's pages: the flows through real forms, and query counts that do not grow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.core.tests.test_files import png
from safecase.partnerships import request_actions
from safecase.partnerships.choices import AgencyKind, RequestStatus
from safecase.partnerships.models import HubReferral, HubSettings, InformationRequest
from safecase.partnerships.tests import helpers

pytestmark = pytest.mark.django_db


def _count(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def test_the_queue_costs_the_same_with_more_referrals(world: Any) -> None:
    helpers.requested(world)
    client = client_for(world.users["hub"])
    small = _count(client, "/hub/")
    for _ in range(6):
        helpers.requested(world, kinds=(AgencyKind.POLICE, AgencyKind.HEALTH))
    assert _count(client, "/hub/") == small
    assert small <= 20


def test_the_referral_page_costs_the_same_with_more_sections(world: Any) -> None:
    one = helpers.answered(world, hold=False)
    three = helpers.requested(
        world, kinds=(AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.EDUCATION)
    )
    for request in InformationRequest.objects.filter(referral=three.referral):
        persona = {
            world.organisations["police"].pk: "partner_with_share",
            world.organisations["health"].pk: "partner_without",
            world.organisations["secondary"].pk: "lead",
        }[request.agency_organisation_id]
        request_actions.section_file_add(
            actor=actor_for(world, persona), request=request, name="p.png", data=png()
        )
        request.refresh_from_db()
        request_actions.request_answer(
            actor=actor_for(world, persona),
            request=request,
            version=request.version,
            answer="Synthetic.",
        )
    client = client_for(world.users["hub"])
    assert _count(client, f"/hub/referrals/{one.referral_id}/") == _count(
        client, f"/hub/referrals/{three.referral_id}/"
    )
    other = client_for(world.users["partner_with_share"])
    assert _count(other, "/hub/requests/") <= 20


def test_hub_staff_rate_request_and_decide_through_the_forms(world: Any) -> None:
    referral = helpers.referral(world)
    client = client_for(world.users["hub"])
    base = f"/hub/referrals/{referral.pk}"
    response = client.post(f"{base}/rate/", {"version": referral.version, "rating": "red"})
    assert response.status_code == 422
    response = client.post(
        f"{base}/rate/", {"version": referral.version, "rating": "red", "rationale": "Injury."}
    )
    assert response.status_code == 302
    stale = client.post(
        f"{base}/rate/", {"version": referral.version, "rating": "amber", "rationale": "Calmer."}
    )
    assert stale.status_code == 409
    agencies = list(referral.hub.agencies.filter(kind=AgencyKind.POLICE))
    response = client.post(f"{base}/request/", {"agencies": [str(agencies[0].pk)]})
    assert response.status_code == 302
    assert InformationRequest.objects.filter(referral=referral).count() == 1
    page = client.get(f"{base}/")
    assert b"Waiting" in page.content and b"Northshire Police" in page.content
    version = HubReferral.objects.get(pk=referral.pk).version
    response = client.post(
        f"{base}/decide/",
        {"version": version, "decision": "early_help", "rationale": "Support."},
    )
    assert response.status_code == 302
    lead = client_for(world.users["lead"])
    seen = lead.get(f"{base}/")
    assert b"Early help" in seen.content and b"Support." in seen.content
    assert b"Agencies&#x27; sections" not in seen.content
    outcomes = lead.get("/hub/our-referrals/")
    assert b"Early help" in outcomes.content


def test_a_school_refers_through_the_form(world: Any) -> None:
    helpers.hub(world)
    child = helpers.child(world)
    client = client_for(world.users["lead"])
    form = client.get("/hub/refer/")
    assert child.display_name.encode() in form.content
    data = {
        "subject_name": "Sam",
        "summary": "Synthetic.",
        "person": str(child.pk),
        "lawful_basis": "UK GDPR Art. 6(1)(e)",
        "consent": "not_sought",
    }
    refused = client.post("/hub/refer/", data)
    assert refused.status_code == 422 and b"say why" in refused.content
    assert not HubReferral.objects.exists()
    response = client.post("/hub/refer/", {**data, "consent_override_reason": "Risk."})
    assert response.status_code == 302
    assert HubReferral.objects.get().referring_organisation == world.organisations["secondary"]


def test_police_answer_hold_release_and_files_are_audited_as_seen(world: Any) -> None:
    request = helpers.requested(world)
    police = client_for(world.users["partner_with_share"])
    url = f"/hub/requests/{request.pk}/"
    home = police.get("/")
    assert b"Information requests from the hub" in home.content
    upload = police.post(f"{url}files/", {"file": _png_upload()})
    assert upload.status_code == 302
    response = police.post(url, {"version": request.version, "answer": "Caution.", "hold": "on"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.HELD
    hub = client_for(world.users["hub_manager"])
    page = hub.get(f"/hub/referrals/{request.referral_id}/")
    assert b"Caution." not in page.content and b"held for the agency" in page.content
    approver = client_for(world.users["police_approver"])
    assert approver.post(f"{url}release/", {"version": request.version}).status_code == 302
    page = hub.get(f"/hub/referrals/{request.referral_id}/")
    assert b"Caution." in page.content
    file_id = request.attachments.get().pk
    assert hub.get(f"/hub/files/{file_id}/").status_code == 200
    assert client_for(world.users["lead"]).get(f"/hub/files/{file_id}/").status_code == 404
    audit = hub.get(f"/hub/referrals/{request.referral_id}/audit/")
    assert audit.status_code == 200
    assert b"Milo Manager" in audit.content and b"Northshire Police" in audit.content
    viewed = AuditEvent.objects.filter(
        action=AuditAction.RECORD_VIEWED, subject_id=str(request.referral_id)
    )
    assert any(str(request.pk) in e.changes.get("sections", []) for e in viewed)


def _png_upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", png(), content_type="image/png")


def test_settings_page_saves_a_version(world: Any) -> None:
    hub = helpers.hub(world)
    client = client_for(world.users["hub_manager"])
    data = {
        "version": hub.version,
        "opens_at": "08:30",
        "closes_at": "17:30",
        "weekdays": ["0", "1", "2", "3", "4"],
        "closed_days": "2026-12-24\n",
        "red_working_hours": 4,
        "amber_working_hours": 24,
        "green_hours": 72,
        "reason": "Longer day",
    }
    assert client.post("/hub/settings/", {**data, "closed_days": "soon"}).status_code == 422
    assert client.post("/hub/settings/", data).status_code == 302
    saved = HubSettings.objects.get(pk=hub.pk)
    assert saved.closed_days == ["2026-12-24"] and saved.version == hub.version + 1
    assert client.post("/hub/settings/", data).status_code == 409


def test_timeliness_counts_in_time_and_late(world: Any) -> None:
    helpers.answered(world, hold=False)
    helpers.requested(world, kinds=(AgencyKind.HEALTH,))
    client = client_for(world.users["hub_manager"])
    response = client.get("/hub/timeliness/")
    rows = {r.agency: r for r in response.context["rows"]}
    assert rows["Northshire Police"].on_time == 1
    assert rows["Northshire Health Trust"].waiting == 1
    assert client.get("/hub/timeliness/?start=2026-05-01&end=2026-01-01").status_code == 422
    assert client.get("/hub/timeliness/?start=nope").status_code == 422


def _decide(world: Any, referral: HubReferral) -> None:
    from safecase.partnerships import actions

    fresh = HubReferral.objects.get(pk=referral.pk)
    actions.referral_decide(
        actor=actor_for(world, "hub"),
        referral=fresh,
        version=fresh.version,
        decision="nfa",
        rationale="Synthetic rationale.",
    )


def test_timeliness_keeps_an_agency_that_was_late_and_never_answered(world: Any) -> None:
    # Found walking the demo: health, late and escalated, vanished from the report once the
    # hub decided without its answer, and the police's 100% was all the page showed.
    late = helpers.requested(world, kinds=(AgencyKind.HEALTH,))
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        _decide(world, late.referral)
        # Decided before its due time: health was not late there, and it is not counted.
        early = helpers.requested(world, kinds=(AgencyKind.HEALTH,))
        _decide(world, early.referral)
        client = client_for(world.users["hub_manager"])
        response = client.get("/hub/timeliness/")
    rows = {r.agency: r for r in response.context["rows"]}
    health = rows["Northshire Health Trust"]
    assert (health.asked, health.never_answered_late, health.on_time) == (1, 1, 0)
    assert health.on_time_percent == "0%"
    assert "Late, never answered" in response.content.decode()


GARBAGE = {
    "version": "x",
    "rating": "pink",
    "rationale": "",
    "decision": "maybe",
    "agencies": ["not-a-uuid"],
    "answer": "",
    "hold": "perhaps",
    "reason": "",
    "source": "pigeon",
    "opens_at": "25:99",
    "closes_at": "soon",
    "weekdays": ["9"],
    "closed_days": "2026-13-45",
    "red_working_hours": "-1",
    "agency_organisation": "abc",
    "kind": "%%",
    "concerns": ["zz"],
    "case": "nope",
    "person": "abc",
    "consent": "?",
}


def test_garbage_on_every_hub_form_answers_below_500_and_writes_nothing(world: Any) -> None:
    from safecase.partnerships.demo import build_demo_hub

    referral = build_demo_hub(world)
    assert referral is not None
    police = InformationRequest.objects.get(
        referral=referral, agency_organisation=world.organisations["police"]
    )
    posts = [
        ("hub", "/hub/new/"),
        ("lead", "/hub/refer/"),
        ("hub", f"/hub/referrals/{referral.pk}/rate/"),
        ("hub", f"/hub/referrals/{referral.pk}/request/"),
        ("hub", f"/hub/referrals/{referral.pk}/decide/"),
        ("partner_with_share", f"/hub/requests/{police.pk}/"),
        ("police_approver", f"/hub/requests/{police.pk}/release/"),
        ("partner_with_share", f"/hub/requests/{police.pk}/files/"),
        ("hub", f"/hub/requests/{police.pk}/share/"),
        ("hub_manager", "/hub/settings/"),
        ("hub_manager", "/hub/settings/agencies/"),
    ]
    gets = [
        ("hub", "/hub/?after=%%%"),
        ("hub_manager", "/hub/timeliness/?start=x&end=y"),
        ("lead", "/hub/our-referrals/?after=garbage"),
        ("partner_with_share", "/hub/requests/?after=!!&show=all"),
        ("hub", "/hub/referrals/not-a-uuid/"),
        ("hub", "/hub/files/not-a-uuid/"),
    ]
    writes_before = AuditEvent.objects.exclude(
        action__in=(AuditAction.ACCESS_DENIED, AuditAction.RECORD_VIEWED, AuditAction.AUTH_LOGIN)
    ).count()
    for persona, url in posts:
        response = client_for(world.users[persona]).post(url, GARBAGE)
        assert response.status_code < 500, (url, response.status_code)
    for persona, url in gets:
        response = client_for(world.users[persona]).get(url)
        assert response.status_code < 500, (url, response.status_code)
    writes_after = AuditEvent.objects.exclude(
        action__in=(AuditAction.ACCESS_DENIED, AuditAction.RECORD_VIEWED, AuditAction.AUTH_LOGIN)
    ).count()
    assert writes_after == writes_before


def test_the_queue_orders_red_first_and_counts_late_requests(world: Any) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    tuesday = datetime(2026, 3, 10, 10, tzinfo=UTC)
    with time_machine.travel(tuesday, tick=False):
        green = helpers.requested(world, "green")
        red = helpers.requested(world, "red", kinds=(AgencyKind.POLICE, AgencyKind.HEALTH))
        unrated = helpers.referral(world)
    with time_machine.travel(tuesday + timedelta(hours=6), tick=False):
        rows = client_for(world.users["hub"]).get("/hub/").context["rows"]
    assert [r.pk for r in rows] == [red.referral_id, unrated.pk, green.referral_id]
    assert (rows[0].requests_total, rows[0].requests_late) == (2, 2)
    assert (rows[2].requests_waiting, rows[2].requests_late) == (1, 0)
