"""Test helpers for step-up re-authentication (security bar A5), shared by the export tests."""

from __future__ import annotations

import time

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import client_for
from safecase.accounts.models import User
from safecase.accounts.step_up import SESSION_STEP_UP


def mark_stepped_up(client: Client, *, seconds_ago: int = 0) -> None:
    """As if the user had entered a code on the step-up page ``seconds_ago`` seconds ago."""
    session = client.session
    session[SESSION_STEP_UP] = int(time.time()) - seconds_ago
    session.save()


def stepped_up_client(user: User) -> Client:
    """A client signed in as ``user`` through the real form, MFA done, stepped up just now."""
    client = client_for(user)
    mark_stepped_up(client)
    return client


def current_code(user: User) -> str:
    """The current code of the user's (only) confirmed authenticator."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
