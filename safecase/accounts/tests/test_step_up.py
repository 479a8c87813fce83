"""Step-up re-authentication before an export (security bar A5) and the new session id it
brings (S1). Time is moved by rewriting the session's step-up timestamp, never by sleeping."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import actor_for, client_for
from safecase.accounts import auth_actions
from safecase.accounts.models import RecoveryCode, User, UserSession
from safecase.accounts.step_up import SESSION_STEP_UP, safe_next_path
from safecase.accounts.tests.stepping_up import current_code, mark_stepped_up
from safecase.audit.events import AuditAction, Outcome
from safecase.audit.models import AuditEvent
from safecase.demo.personas import DEMO_PASSWORD, DemoWorld
from safecase.people import actions as people_actions
from safecase.people.models import Person
from tests.guard import iter_views

pytestmark = pytest.mark.django_db

STEP_UP = "/account/step-up/"


@pytest.fixture
def child(world: DemoWorld) -> Person:
    return people_actions.person_create(
        actor=actor_for(world, "lead"),
        kind="child",
        given_names="Amira",
        family_name="Testwell",
        date_of_birth=date(2014, 5, 17),
    )


def _csv(person: Person) -> str:
    return f"/people/{person.pk}/chronology.csv"


def _pdf(person: Person) -> str:
    return f"/people/{person.pk}/chronology.pdf"


def _step_up_for(url: str) -> str:
    return f"{STEP_UP}?next={quote(url, safe='')}"


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_an_export_without_a_step_up_asks_for_one_and_exports_nothing(
    world: DemoWorld, child: Person
) -> None:
    client = client_for(world.users["lead"])
    for url in (_csv(child), _pdf(child)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == _step_up_for(url)
    assert _events(AuditAction.CHRONOLOGY_EXPORTED) == []


def test_the_step_up_page_says_why_and_has_no_inline_script_or_style(
    world: DemoWorld, child: Person
) -> None:
    client = client_for(world.users["lead"])
    response = client.get(_step_up_for(_csv(child)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "You are about to download a record of a child's history" in body
    assert "Recovery codes do not work here" in body
    assert f'name="next" value="{_csv(child)}"' in body
    assert f"next {settings.SAFECASE_STEP_UP_SECONDS // 60} minutes" in body
    assert " style=" not in body and "<style" not in body
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", body))


def test_a_wrong_code_is_refused_recorded_and_changes_nothing(
    world: DemoWorld, child: Person
) -> None:
    lead = world.users["lead"]
    client = client_for(lead)
    key_before = client.session.session_key

    response = client.post(STEP_UP, {"token": "000000", "next": _csv(child)})
    if response.status_code == 302:  # one chance in a million that 000000 is the code
        pytest.skip("000000 happened to be the current code")

    assert response.status_code == 422
    assert b"That code did not work, so nothing has been downloaded" in response.content
    assert client.session.session_key == key_before
    assert SESSION_STEP_UP not in client.session
    [event] = _events(AuditAction.MFA_STEP_UP_FAILED)
    assert event.outcome == Outcome.DENIED
    assert event.actor_id == str(lead.pk)
    assert event.changes == {"for": _csv(child)}
    assert _events(AuditAction.MFA_STEP_UP) == []
    # Still no export.
    assert client.get(_csv(child)).status_code == 302
    assert _events(AuditAction.CHRONOLOGY_EXPORTED) == []


def test_the_right_code_gives_a_new_session_id_and_returns_to_the_export(
    world: DemoWorld, child: Person
) -> None:
    lead = world.users["lead"]
    client = client_for(lead)
    key_before = client.session.session_key
    assert UserSession.objects.filter(session_key=key_before).exists()

    response = client.post(STEP_UP, {"token": current_code(lead), "next": _csv(child)})

    assert response.status_code == 302 and response["Location"] == _csv(child)
    key_after = client.session.session_key
    assert key_after != key_before  # S1: a new session id after the step-up
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == key_after
    # The session list (and "sign out everywhere") follows the session under its new key.
    assert UserSession.objects.filter(session_key=key_after, user=lead).exists()
    assert not UserSession.objects.filter(session_key=key_before).exists()
    [event] = _events(AuditAction.MFA_STEP_UP)
    assert event.outcome == Outcome.SUCCESS
    assert event.changes == {"for": _csv(child)}

    download = client.get(_csv(child))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get(_pdf(child)).status_code == 200
    assert len(_events(AuditAction.CHRONOLOGY_EXPORTED)) == 2
    # The old session id no longer works.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = key_before
    assert stale.get(_csv(child)).status_code == 302
    assert stale.get(_csv(child))["Location"].startswith("/login/")


def test_the_step_up_lasts_the_configured_minutes(world: DemoWorld, child: Person) -> None:
    client = client_for(world.users["lead"])
    window = settings.SAFECASE_STEP_UP_SECONDS
    assert window == 5 * 60  # the default

    mark_stepped_up(client, seconds_ago=window - 5)
    assert client.get(_csv(child)).status_code == 200

    mark_stepped_up(client, seconds_ago=window + 1)
    response = client.get(_csv(child))
    assert response.status_code == 302 and response["Location"] == _step_up_for(_csv(child))

    # A timestamp from the future is not trusted.
    mark_stepped_up(client, seconds_ago=-60)
    assert client.get(_csv(child)).status_code == 302


def test_the_window_follows_the_setting(
    world: DemoWorld, child: Person, settings: pytest.FixtureRequest
) -> None:
    settings.SAFECASE_STEP_UP_SECONDS = 60  # type: ignore[attr-defined]
    client = client_for(world.users["lead"])
    mark_stepped_up(client, seconds_ago=50)
    assert client.get(_csv(child)).status_code == 200
    mark_stepped_up(client, seconds_ago=61)
    assert client.get(_csv(child)).status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/people/",
        "//evil.example/people/",
        "/\\evil.example/people/",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example/people/",
        "/people/\r\nSet-Cookie: x=1",
        "",
    ],
)
def test_next_can_only_be_a_path_on_this_site(world: DemoWorld, target: str) -> None:
    lead = world.users["lead"]
    client = client_for(lead)
    page = client.get(STEP_UP, {"next": target})
    assert page.status_code == 200
    assert b'name="next" value=""' in page.content
    response = client.post(STEP_UP, {"token": current_code(lead), "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_safe_next_path_keeps_only_local_paths() -> None:
    assert safe_next_path("/people/1/chronology.csv?x=1") == "/people/1/chronology.csv?x=1"
    for bad in (None, "", "people/", "//a.example", "/\\a.example", "https://a.example/", "/a\nb"):
        assert safe_next_path(bad) is None, bad
    assert safe_next_path("/" + "a" * 3000) is None


def test_recovery_codes_do_not_step_up(world: DemoWorld, child: Person) -> None:
    lead = world.users["lead"]
    key = auth_actions.new_totp_secret()
    codes = auth_actions.mfa_enrol_confirm(
        actor=actor_for(world, "lead"), key_hex=key, token=f"{totp(bytes.fromhex(key)):06d}"
    )
    assert codes is not None
    client = client_for(lead)
    unused = RecoveryCode.objects.count()

    response = client.post(STEP_UP, {"token": codes[0], "next": _csv(child)})

    assert response.status_code == 422
    assert RecoveryCode.objects.count() == unused  # the code was not spent
    assert _events(AuditAction.MFA_STEP_UP_FAILED)
    assert client.get(_csv(child)).status_code == 302


def test_wrong_codes_count_toward_the_authenticator_throttle(
    world: DemoWorld, child: Person
) -> None:
    lead = world.users["lead"]
    client = client_for(lead)
    client.post(STEP_UP, {"token": "not-a-code", "next": _csv(child)})
    device = TOTPDevice.objects.get(user=lead, confirmed=True)
    assert device.throttling_failure_count == 1  # the same counter sign-in's code check uses

    # At once, even the right code is refused until the delay has passed.
    response = client.post(STEP_UP, {"token": current_code(lead), "next": _csv(child)})
    assert response.status_code == 422
    assert b"Too many wrong codes, so nothing has been downloaded" in response.content
    refused = _events(AuditAction.MFA_STEP_UP_FAILED)
    assert [e.changes.get("throttled") for e in refused] == [None, True]
    assert SESSION_STEP_UP not in client.session


def test_a_code_already_used_is_refused(world: DemoWorld, child: Person) -> None:
    lead = world.users["lead"]
    client = client_for(lead)
    code = current_code(lead)
    assert client.post(STEP_UP, {"token": code, "next": _csv(child)}).status_code == 302
    other = client_for(lead)
    assert other.post(STEP_UP, {"token": code, "next": _csv(child)}).status_code == 422


def test_signing_in_with_an_authenticator_code_counts_as_a_step_up(
    world: DemoWorld, child: Person
) -> None:
    lead = world.users["lead"]
    TOTPDevice.objects.create(
        user=lead, name="Phone", key=auth_actions.new_totp_secret(), confirmed=True
    )
    client = Client()
    client.post("/login/", {"email": lead.email, "password": DEMO_PASSWORD})
    assert client.get(_csv(child))["Location"] == "/mfa/verify/"
    assert client.post("/mfa/verify/", {"token": current_code(lead)}).status_code == 302
    # No second code straight after signing in (the replay guard would make them wait for one).
    assert client.get(_csv(child)).status_code == 200


def test_signing_in_with_a_recovery_code_does_not(world: DemoWorld, child: Person) -> None:
    lead = world.users["lead"]
    key = auth_actions.new_totp_secret()
    codes = auth_actions.mfa_enrol_confirm(
        actor=actor_for(world, "lead"), key_hex=key, token=f"{totp(bytes.fromhex(key)):06d}"
    )
    assert codes is not None
    client = Client()
    client.post("/login/", {"email": lead.email, "password": DEMO_PASSWORD})
    assert client.post("/mfa/verify/", {"token": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200  # signed in
    assert client.get(_csv(child)).status_code == 302  # but not stepped up


def test_demo_personas_in_a_demo_installation_skip_it_as_they_skip_mfa(
    world: DemoWorld, child: Person, settings: pytest.FixtureRequest
) -> None:
    settings.SAFECASE_DEMO = True  # type: ignore[attr-defined]
    lead = world.users["lead"]
    User.objects.filter(pk=lead.pk).update(is_demo=True)
    client = Client()
    client.post("/login/", {"email": lead.email, "password": DEMO_PASSWORD})
    assert client.get(_csv(child)).status_code == 200
    # Asked for the page anyway, they are sent straight on.
    response = client.get(STEP_UP, {"next": _csv(child)})
    assert response.status_code == 302 and response["Location"] == _csv(child)


# Routes that hand over a file of case content. A new one must be added here and carry
# @requires_recent_step_up (docs/adr/0007 says which downloads are exports and which are not).
EXPORT_ROUTES = {
    "people/<uuid:person_id>/chronology.csv",
    "people/<uuid:person_id>/chronology.pdf",
    "cases/<uuid:case_id>/bundle.pdf",
    "cases/<uuid:case_id>/investigation/report.pdf",
    # Record transfer (ADR 0017): the sender's copy, the signed bundle, a received file's PDF.
    "transfers/sent/<uuid:transfer_id>/file.pdf",
    "transfers/sent/<uuid:transfer_id>/bundle.json",
    "transfers/files/<uuid:file_id>/file.pdf",
}
# Downloads that are not exports of case content (docs/adr/0007).
NOT_EXPORTS = {
    "concerns/attachments/<uuid:attachment_id>/",
    # An evidence file is read by downloading it, each download audited, like an attachment.
    "cases/<uuid:case_id>/investigation/evidence/<uuid:evidence_id>/download/",
    # A receiver without Safecase: no session to step up; its own one-time code instead.
    "transfers/download/<str:token>/",
}


def test_every_export_route_asks_for_a_step_up() -> None:
    views = dict(iter_views(get_resolver().url_patterns))
    for route in EXPORT_ROUTES:
        assert getattr(views[route], "safecase_step_up", False), route
    # Any route that looks like a file download is either an export or a known non-export.
    looks_like_a_file = {
        route
        for route in views
        if not route.startswith("api/")
        and re.search(r"\.(csv|pdf|xlsx?|zip|json)$|export|download|attachments/", route)
    }
    assert looks_like_a_file <= EXPORT_ROUTES | NOT_EXPORTS, looks_like_a_file
    stepped_up = {route for route, view in views.items() if getattr(view, "safecase_step_up", 0)}
    assert stepped_up == EXPORT_ROUTES
