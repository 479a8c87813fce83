"""Sign-in, sign-out, MFA, password reset and change, and the user's own sessions."""

from __future__ import annotations

import base64
import math
import time
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecase.access.decorators import public, requires
from safecase.access.permissions import Permission
from safecase.accounts import auth_actions
from safecase.accounts.forms import LoginForm, PasswordResetRequestForm, TokenForm
from safecase.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from safecase.accounts.models import Organisation, RecoveryCodeDevice, User, UserSession
from safecase.accounts.selectors import active_memberships_of, sessions_of
from safecase.accounts.step_up import mark_stepped_up, safe_next_path, step_up_needed
from safecase.accounts.tasks import send_password_reset
from safecase.core.actors import Actor
from safecase.core.middleware import client_ip

GENERIC_LOGIN_ERROR = "Enter a correct e-mail address and password."


def _actor_for(
    request: HttpRequest, user: User | None, organisation: Organisation | None = None
) -> Actor:
    return Actor(
        user=user,
        organisation=organisation,
        request_id=request.request_id,  # type: ignore[attr-defined]
        ip=client_ip(request),
    )


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if isinstance(user, User):
            login(request, user)  # rotates the session key
            now = int(time.time())
            request.session[SESSION_STARTED] = now
            request.session[SESSION_SEEN] = now
            request.session.save()
            # Recorded in the chain of the organisation the user starts in, for its auditors.
            memberships = active_memberships_of(user)
            auth_actions.auth_login_succeeded(
                actor=_actor_for(
                    request, user, memberships[0].organisation if memberships else None
                ),
                session_key=request.session.session_key or "",
                user_agent=request.headers.get("user-agent", ""),
            )
            return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
        locked_out = bool(getattr(request, "axes_locked_out", False))
        auth_actions.auth_login_failed(
            actor=_actor_for(request, None), email=email, locked_out=locked_out
        )
        form.add_error(None, GENERIC_LOGIN_ERROR)
    elif request.method == "POST":
        form.errors.clear()
        form.add_error(None, GENERIC_LOGIN_ERROR)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _safe_next(request) or ""},
        status=200,
    )


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this once the limit is reached: the same page for every address."""
    return render(request, "accounts/locked_out.html", status=429)


@requires(Permission.ACCOUNT_SELF)
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_actions.auth_logout(actor=request.actor, session_key=request.session.session_key)  # type: ignore[attr-defined]
    logout(request)
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    # Tell the browser to drop anything it kept for this site (security bar D4).
    response["Clear-Site-Data"] = '"cache", "storage"'
    messages.success(request, "You have signed out.")
    return response


PENDING_SECRET = "sc_pending_totp"  # noqa: S105 - a session key name, not a secret
PENDING_FAILURES = "sc_pending_totp_failures"
MAX_ENROL_FAILURES = 5


@requires(Permission.ACCOUNT_SELF)
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:mfa_verify")
    if PENDING_SECRET not in request.session:
        request.session[PENDING_SECRET] = auth_actions.new_totp_secret()
        request.session[PENDING_FAILURES] = 0
    key_hex = request.session[PENDING_SECRET]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = auth_actions.mfa_enrol_confirm(
            actor=request.actor,  # type: ignore[attr-defined]
            key_hex=key_hex,
            token=form.cleaned_data["token"],
        )
        if codes is not None:
            del request.session[PENDING_SECRET]
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            _rotate_after_mfa(request, device)
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})
        failures = request.session.get(PENDING_FAILURES, 0) + 1
        request.session[PENDING_FAILURES] = failures
        if failures >= MAX_ENROL_FAILURES:
            # Too many wrong codes: start again with a new secret rather than allow guessing.
            request.session[PENDING_SECRET] = auth_actions.new_totp_secret()
            request.session[PENDING_FAILURES] = 0
            key_hex = request.session[PENDING_SECRET]
            form.add_error(
                "token", "Too many wrong codes. Scan the new QR code below and try again."
            )
        else:
            form.add_error("token", "That code did not work. Check your app and try the new code.")
    issuer = settings.OTP_TOTP_ISSUER
    config_url = (
        f"otpauth://totp/{quote(issuer)}:{quote(user.email)}?secret="
        f"{base64.b32encode(bytes.fromhex(key_hex)).decode('ascii').rstrip('=')}"
        f"&issuer={quote(issuer)}&digits=6&period=30&algorithm=SHA1"
    )
    qr = segno.make(config_url, error="m")
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "secret": _base32_secret(bytes.fromhex(key_hex)),
        },
        status=422 if form.errors else 200,
    )


def _base32_secret(key: bytes) -> str:
    raw = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _rotate_after_mfa(request: HttpRequest, device: Any) -> None:
    old_key = request.session.session_key
    otp_login(request, device)
    request.session.cycle_key()  # a new session id once the second factor is proven (S1)
    UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
    if isinstance(device, TOTPDevice):
        # A code from the authenticator just now is also a step-up for the next few minutes
        # (a recovery code is not): no second code straight after signing in (docs/adr/0007).
        mark_stepped_up(request.session)


@requires(Permission.ACCOUNT_SELF)
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:mfa_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        matched = auth_actions.mfa_verify(
            actor=request.actor,  # type: ignore[attr-defined]
            token=form.cleaned_data["token"],
        )
        recovery = isinstance(matched, RecoveryCodeDevice)
        if matched is not None:
            _rotate_after_mfa(request, matched)
            if recovery:
                messages.warning(
                    request,
                    "You signed in with a recovery code. Each code works once: "
                    "if you have lost your authenticator, ask your administrator to reset it.",
                )
            return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
        form.add_error(
            "token",
            "That code did not work. Try the current code from your app, or a recovery code.",
        )
    return render(
        request, "accounts/mfa_verify.html", {"form": form}, status=422 if form.errors else 200
    )


STEP_UP_REFUSED = (
    "That code did not work, so nothing has been downloaded. Enter the current 6-digit code "
    "from your authenticator app. Each code works once: if you have just used one, wait for "
    "the next."
)
STEP_UP_THROTTLED = (
    "Too many wrong codes, so nothing has been downloaded and this code was not checked. "
    "Wait {wait}, then enter the current code from your authenticator app."
)


@requires(Permission.ACCOUNT_SELF)
@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    """Ask for a fresh authenticator code before an export, then go back to it (A5, S1)."""
    user = request.user
    assert isinstance(user, User)
    next_path = safe_next_path(request.POST.get("next") or request.GET.get("next"))
    if not step_up_needed(request) and request.method == "GET" and next_path:
        return redirect(next_path)  # stepped up a moment ago, or not asked to (demo personas)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:mfa_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, throttle = device.verify_is_allowed()
        matched = auth_actions.mfa_step_up(
            actor=request.actor,  # type: ignore[attr-defined]
            token=form.cleaned_data["token"],
            purpose=next_path or "",
        )
        if matched is not None:
            _rotate_after_mfa(request, matched)
            return redirect(next_path or "accounts:account")
        if allowed:
            form.add_error("token", STEP_UP_REFUSED)
        else:
            until = (throttle or {}).get("locked_until") or timezone.now()
            seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
            wait = f"{seconds} second{'' if seconds == 1 else 's'}"
            form.add_error("token", STEP_UP_THROTTLED.format(wait=wait))
    return render(
        request,
        "accounts/step_up.html",
        {
            "form": form,
            "next": next_path or "",
            "minutes": settings.SAFECASE_STEP_UP_SECONDS // 60,
        },
        status=422 if form.errors else 200,
    )


@public
@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    """The same page and the same work whether or not the address has an account."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_actions.auth_password_reset_requested(actor=_actor_for(request, None))
        send_password_reset.enqueue(
            email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")
        )
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset_request.html", {"form": form})


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    form_class = SetPasswordForm
    post_reset_login = False  # the next sign-in still asks for the second factor (A8)

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        # Not form.save(): the password, the ended sessions and the audit event commit together.
        auth_actions.auth_password_set(
            actor=_actor_for(self.request, form.user),
            user=form.user,
            new_password=form.cleaned_data["new_password1"],
            keep_session_key=None,
            reset=True,
        )
        # The link is single use: forget the token this session was given for it.
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(self.request, "Your password has been set. You can now sign in.")
        return HttpResponseRedirect(self.get_success_url())


password_reset_confirm = public(PasswordResetConfirm.as_view())


@requires(Permission.ACCOUNT_SELF)
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Changing the password needs the current one (re-authentication)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        old_key = request.session.session_key
        auth_actions.auth_password_set(
            actor=request.actor,  # type: ignore[attr-defined]
            user=form.user,
            new_password=form.cleaned_data["new_password1"],
            keep_session_key=old_key,
            reset=False,
        )
        # Keep this session signed in under a new key, and keep tracking it under that key,
        # so that "sign out everywhere" and deactivation still reach it.
        update_session_auth_hash(request, form.user)
        UserSession.objects.filter(session_key=old_key).update(
            session_key=request.session.session_key
        )
        messages.success(request, "Your password has been changed. Other sessions have ended.")
        return redirect("accounts:account")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=422 if form.errors else 200
    )


@requires(Permission.ACCOUNT_SELF)
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    sessions = sessions_of(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "accounts/account.html",
        {"sessions": sessions, "current_key": request.session.session_key},
    )


@requires(Permission.ACCOUNT_SELF)
@require_POST
def end_other_sessions(request: HttpRequest) -> HttpResponseRedirect:
    ended = auth_actions.user_end_other_sessions(
        actor=request.actor,
        keep_session_key=request.session.session_key,  # type: ignore[attr-defined]
    )
    messages.success(request, f"Signed out of {ended} other session(s).")
    return redirect("accounts:account")
