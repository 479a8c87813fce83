"""Sign-in, lockout, MFA, sessions and password reset (security bar A1–A8, S1–S4)."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest.mock import patch

import pytest
import time_machine
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecase.accounts.models import Membership, User
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.demo.personas import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')


def _post_login(client: Client, email: str, password: str) -> object:
    return client.post("/login/", {"email": email, "password": password})


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _pending_code(client: Client) -> str:
    """The current code for the secret being enrolled in this client's session."""
    key = bytes.fromhex(client.session["sc_pending_totp"])
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2id_and_old_hashes_upgraded(client: Client) -> None:
    user = User.objects.create_user(email="new@example.invalid", password="a long passphrase here")
    assert user.password.startswith("argon2$argon2id$")
    legacy = User.objects.create_user(email="old@example.invalid", full_name="Old Hash")
    legacy.password = (
        "md5$salt$" + __import__("hashlib").md5(b"saltanother long passphrase").hexdigest()
    )
    legacy.save()
    assert _post_login(client, "old@example.invalid", "another long passphrase").status_code == 302
    legacy.refresh_from_db()
    assert legacy.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("x7#kq9!", False),  # 7
        ("x7#kq9!m", False),  # 8
        ("x7#kq9!mzp4", False),  # 11
        ("x7#kq9!mzp4w", True),  # 12
        ("lantern orbit crane", True),  # words and spaces, no composition rules
        ("x7#kq9!mzp4w" * 5 + "abcd", True),  # 64
        ("q" + "x7#kq9!mzp4w" * 10 + "abcdefg", True),  # 128
        ("q" + "x7#kq9!mzp4w" * 10 + "abcdefgh", False),  # 129
        ("ñandú café ☂ señal", True),  # Unicode counts by character
        ("ñandú", False),
    ],
)
def test_password_length_rules(password: str, accepted: bool) -> None:
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


def test_common_passwords_are_rejected() -> None:
    common = sorted(CommonPasswordValidator().passwords)[:3000]
    rejected = 0
    for password in common:
        try:
            validate_password(password)
        except ValidationError:
            rejected += 1
    assert rejected == len(common) == 3000


def test_unknown_address_and_wrong_password_get_the_same_answer(
    client: Client, personas: dict[str, User]
) -> None:
    wrong = _post_login(client, personas["lead"].email, "not the password at all")
    unknown = _post_login(client, "nobody@demo.safecase.invalid", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    # The page echoes the typed address back; apart from that it must be byte-for-byte the same.
    wrong_page = CSRF_RE.sub(b"", wrong.content).replace(personas["lead"].email.encode(), b"")
    unknown_page = CSRF_RE.sub(b"", unknown.content).replace(b"nobody@demo.safecase.invalid", b"")
    assert wrong_page == unknown_page
    assert b"Enter a correct e-mail address and password." in wrong.content


def test_it_locks_out_after_the_configured_number_of_failures(
    client: Client, personas: dict[str, User], settings: object
) -> None:
    lead = personas["lead"]
    limit = settings.AXES_FAILURE_LIMIT  # type: ignore[attr-defined]
    for _ in range(limit):
        _post_login(client, lead.email, "wrong password, again")
    response = _post_login(client, lead.email, DEMO_PASSWORD)
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_LOCKOUT).count() >= 1
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_LOGIN_FAILED).count() == limit - 1


WRONG = "wrong password, again"
NOBODY = "nobody@demo.safecase.invalid"
NONCE_RE = re.compile(rb'nonce="[^"]*"')


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _spread_failures(email: str, count: int, first: int = 0) -> list[int]:
    """``count`` wrong passwords for ``email``, each from a client address of its own."""
    return [
        _post_login(_from(f"10.7.{i // 250}.{i % 250 + 1}"), email, WRONG).status_code  # type: ignore[attr-defined]
        for i in range(first, first + count)
    ]


def _page(response: object, email: str) -> bytes:
    content: bytes = response.content  # type: ignore[attr-defined]
    return NONCE_RE.sub(b"", CSRF_RE.sub(b"", content)).replace(email.encode(), b"")


def test_failures_spread_over_many_addresses_lock_the_account_for_everyone(
    personas: dict[str, User], settings: object
) -> None:
    lead, deputy = personas["lead"], personas["deputy"]
    limit = settings.SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT  # type: ignore[attr-defined]
    assert limit == 20 and limit > settings.AXES_FAILURE_LIMIT  # type: ignore[attr-defined]
    statuses = _spread_failures(lead.email, limit)
    # No single address reaches the per-address limit; the account-wide one stops the 20th.
    assert statuses == [200] * (limit - 1) + [429]
    # The right password is refused now, from a new address and from one of the guessers'.
    assert _post_login(_from("192.0.2.10"), lead.email, DEMO_PASSWORD).status_code == 429
    assert _post_login(_from("10.7.0.1"), lead.email, DEMO_PASSWORD).status_code == 429
    # Other accounts are not affected, even from the guessers' addresses.
    assert _post_login(_from("10.7.0.1"), deputy.email, DEMO_PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_LOGIN_FAILED).count() == limit - 1
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_LOCKOUT).count() == 3


def test_the_account_wide_lockout_says_no_more_than_the_per_address_one(
    personas: dict[str, User], settings: object
) -> None:
    lead, deputy = personas["lead"], personas["deputy"]
    for _ in range(settings.AXES_FAILURE_LIMIT):  # type: ignore[attr-defined]
        _post_login(_from("198.51.100.7"), deputy.email, WRONG)
    per_address = _post_login(_from("198.51.100.7"), deputy.email, DEMO_PASSWORD)
    _spread_failures(lead.email, settings.SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT)  # type: ignore[attr-defined]
    account_wide = _post_login(_from("192.0.2.10"), lead.email, DEMO_PASSWORD)
    assert per_address.status_code == account_wide.status_code == 429
    assert _page(per_address, deputy.email) == _page(account_wide, lead.email)
    assert b"Too many sign-in attempts" in account_wide.content  # type: ignore[attr-defined]


def test_the_account_wide_lockout_does_not_tell_real_accounts_from_unknown_addresses(
    personas: dict[str, User], settings: object
) -> None:
    lead = personas["lead"]
    limit = settings.SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT  # type: ignore[attr-defined]
    assert _spread_failures(lead.email, limit) == _spread_failures(NOBODY, limit, first=500)
    known = _post_login(_from("192.0.2.10"), lead.email, DEMO_PASSWORD)
    unknown = _post_login(_from("192.0.2.11"), NOBODY, DEMO_PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert _page(known, lead.email) == _page(unknown, NOBODY)
    # Both are refused before any password is hashed, so they take the same time too (A7).
    with patch("safecase.accounts.backends.EmailBackend.authenticate") as backend:
        _post_login(_from("192.0.2.12"), lead.email, DEMO_PASSWORD)
        _post_login(_from("192.0.2.13"), NOBODY, DEMO_PASSWORD)
    backend.assert_not_called()


def test_the_account_wide_lockout_ends_after_the_cool_off_however_often_it_is_tried(
    personas: dict[str, User], settings: object
) -> None:
    lead = personas["lead"]
    limit = settings.SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT  # type: ignore[attr-defined]
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)  # type: ignore[attr-defined]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _spread_failures(lead.email, limit)
        # Someone keeps trying all through the cool-off: refused, and not counted.
        for minute in range(1, int(cool_off.total_seconds() // 60)):
            traveller.shift(timedelta(minutes=1))
            address = f"203.0.113.{minute}"
            password = DEMO_PASSWORD if minute % 2 else WRONG
            assert _post_login(_from(address), lead.email, password).status_code == 429
        traveller.shift(timedelta(minutes=1, seconds=1))
        response = _post_login(_from("192.0.2.10"), lead.email, DEMO_PASSWORD)
    assert response.status_code == 302


def test_failed_sign_in_is_audited_without_the_password(
    client: Client, personas: dict[str, User]
) -> None:
    _post_login(client, personas["lead"].email, "Sup3r-secret-guess")
    event = AuditEvent.objects.get(action=AuditAction.AUTH_LOGIN_FAILED)
    assert event.chain == "global" and event.ip == "127.0.0.1"
    assert "Sup3r" not in str(event.changes) + event.reason + event.subject_id


def test_session_key_rotates_at_sign_in_and_at_mfa(
    client: Client, personas: dict[str, User]
) -> None:
    client.get("/login/")
    client.session.save()
    before_login = client.session.session_key
    _post_login(client, personas["lead"].email, DEMO_PASSWORD)
    after_login = client.session.session_key
    assert after_login != before_login
    enrol = client.get("/mfa/enrol/")
    assert enrol.status_code == 200
    response = client.post("/mfa/enrol/", {"token": _pending_code(client)})
    assert response.status_code == 200 and b"Save your recovery codes" in response.content
    assert client.session.session_key not in (before_login, after_login)
    assert client.get("/").status_code == 200


def test_every_page_waits_for_mfa_where_it_is_required(
    client: Client, personas: dict[str, User]
) -> None:
    _post_login(client, personas["lead"].email, DEMO_PASSWORD)
    for url in ("/", "/account/", "/api-tokens/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/mfa/enrol/", url
    assert client.get("/api/v1/me").status_code == 401


def test_a_reporter_needs_no_mfa_unless_their_organisation_says_so(
    client: Client, personas: dict[str, User]
) -> None:
    reporter = personas["reporter"]
    _post_login(client, reporter.email, DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    organisation = Membership.objects.get(user=reporter).organisation
    organisation.mfa_required_for_reporters = True
    organisation.save()
    assert client.get("/").status_code == 302


def _enrolled(client: Client, user: User) -> list[str]:
    _post_login(client, user.email, DEMO_PASSWORD)
    client.get("/mfa/enrol/")
    response = client.post("/mfa/enrol/", {"token": _pending_code(client)})
    codes = re.findall(rb"<code>([0-9a-f-]{35})</code>", response.content)
    client.post("/logout/")
    return [c.decode() for c in codes]


def test_a_totp_code_works_once(personas: dict[str, User]) -> None:
    lead = personas["lead"]
    _enrolled(Client(), lead)
    device = TOTPDevice.objects.get(user=lead, confirmed=True)
    code = _current_code(device)
    assert device.verify_token(code) is False  # used at enrolment already: replay refused
    # Forget that use (and the throttle the refusal set) to see one fresh use then a replay.
    device.last_t = -1
    device.throttle_reset(commit=True)
    assert device.verify_token(code) is True
    device.throttle_reset(commit=True)
    assert device.verify_token(code) is False


def test_recovery_codes_are_hashed_and_work_once(personas: dict[str, User]) -> None:
    lead = personas["lead"]
    codes = _enrolled(Client(), lead)
    assert len(codes) == 10
    from safecase.accounts.models import RecoveryCode

    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not any(c.replace("-", "") in stored for c in codes)
    first = Client()
    _post_login(first, lead.email, DEMO_PASSWORD)
    assert first.post("/mfa/verify/", {"token": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200
    second = Client()
    _post_login(second, lead.email, DEMO_PASSWORD)
    assert second.post("/mfa/verify/", {"token": codes[0]}).status_code == 422
    assert AuditEvent.objects.filter(action=AuditAction.MFA_RECOVERY_USED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED).count() == 1


def test_idle_sessions_expire_on_the_server(
    client: Client, personas: dict[str, User], settings: object
) -> None:
    reporter = personas["reporter"]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _post_login(client, reporter.email, DEMO_PASSWORD)
        assert client.get("/").status_code == 200
        idle = settings.SAFECASE_SESSION_IDLE_SECONDS  # type: ignore[attr-defined]
        traveller.shift(timedelta(seconds=idle - 5))
        assert client.get("/").status_code == 200  # activity keeps it alive
        traveller.shift(timedelta(seconds=idle + 1))
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_SESSION_EXPIRED).count() == 1


def test_sessions_end_at_the_absolute_lifetime_despite_activity(
    client: Client, personas: dict[str, User], settings: object
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _post_login(client, personas["reporter"].email, DEMO_PASSWORD)
        absolute = settings.SAFECASE_SESSION_ABSOLUTE_SECONDS  # type: ignore[attr-defined]
        step = settings.SAFECASE_SESSION_IDLE_SECONDS // 2  # type: ignore[attr-defined]
        for _ in range(absolute // step):
            traveller.shift(timedelta(seconds=step))
            client.get("/")
        traveller.shift(timedelta(seconds=step))
        response = client.get("/")
    assert response.status_code == 302


def test_logout_ends_the_session_for_good(client: Client, personas: dict[str, User]) -> None:
    _post_login(client, personas["reporter"].email, DEMO_PASSWORD)
    cookie = client.cookies.output()
    response = client.post("/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    replay = Client()
    replay.cookies.load(cookie.replace("Set-Cookie: ", ""))
    assert replay.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_LOGOUT).count() == 1


def test_logout_needs_post(client: Client, personas: dict[str, User]) -> None:
    _post_login(client, personas["reporter"].email, DEMO_PASSWORD)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_password_reset_is_single_use_and_still_demands_mfa(
    client: Client, personas: dict[str, User]
) -> None:
    lead = personas["lead"]
    known = client.post("/password/reset/", {"email": lead.email})
    unknown = client.post("/password/reset/", {"email": "nobody@demo.safecase.invalid"})
    assert known.status_code == unknown.status_code == 200
    assert CSRF_RE.sub(b"", known.content) == CSRF_RE.sub(b"", unknown.content)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [lead.email]
    link = re.search(r"https?://\S+/password/reset/\S+/", mail.outbox[0].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[1]
    form = client.get(path, follow=True)
    set_path = form.redirect_chain[-1][0] if form.redirect_chain else path
    new = "a brand new passphrase for lena"
    done = client.post(set_path, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    again = client.get(path, follow=True)
    assert b"has expired or has been used" in again.content
    assert _post_login(client, lead.email, new).status_code == 302
    assert client.get("/")["Location"] == "/mfa/enrol/"


def test_changing_the_password_needs_the_current_one(
    client: Client, personas: dict[str, User]
) -> None:
    _post_login(client, personas["reporter"].email, DEMO_PASSWORD)
    new = "another brand new passphrase"
    refused = client.post(
        "/password/change/",
        {"old_password": "a wrong guess here", "new_password1": new, "new_password2": new},
    )
    assert refused.status_code == 422
    accepted = client.post(
        "/password/change/",
        {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert accepted.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.AUTH_PASSWORD_CHANGED).count() == 1
    # This session stays signed in and is still tracked, so it can be ended later.
    assert client.get("/").status_code == 200
    from safecase.accounts.models import UserSession

    assert UserSession.objects.filter(session_key=client.session.session_key).exists()


def test_changing_the_password_ends_the_other_sessions(
    client: Client, personas: dict[str, User]
) -> None:
    reporter = personas["reporter"]
    other = Client()
    _post_login(other, reporter.email, DEMO_PASSWORD)
    _post_login(client, reporter.email, DEMO_PASSWORD)
    new = "another brand new passphrase"
    client.post(
        "/password/change/",
        {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_each_session_enrols_its_own_secret_and_failures_are_audited(
    personas: dict[str, User],
) -> None:
    lead = personas["lead"]
    first, second = Client(), Client()
    for client in (first, second):
        _post_login(client, lead.email, DEMO_PASSWORD)
        client.get("/mfa/enrol/")
    assert first.session["sc_pending_totp"] != second.session["sc_pending_totp"]
    assert not TOTPDevice.objects.filter(user=lead).exists()  # nothing stored until confirmed
    wrong = first.post("/mfa/enrol/", {"token": "000000"})
    assert wrong.status_code == 422
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED).count() == 1
    # The secret seen by the other session is useless once this one enrols.
    assert second.post("/mfa/enrol/", {"token": _pending_code(second)}).status_code == 200
    device = TOTPDevice.objects.get(user=lead)
    assert device.key == second.session.get("sc_pending_totp", device.key)
    assert first.post("/mfa/enrol/", {"token": _pending_code(first)}).status_code == 302


def test_repeated_wrong_enrolment_codes_replace_the_secret(personas: dict[str, User]) -> None:
    client = Client()
    _post_login(client, personas["lead"].email, DEMO_PASSWORD)
    client.get("/mfa/enrol/")
    original = client.session["sc_pending_totp"]
    for _ in range(5):
        client.post("/mfa/enrol/", {"token": "000000"})
    assert client.session["sc_pending_totp"] != original
