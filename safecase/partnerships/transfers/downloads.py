"""Reading one-time downloads: hashing their token and code, finding one, and what state it
is in. The writes are in download_actions."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils import timezone

from safecase.partnerships.transfers.models import TransferDownload

MAX_ATTEMPTS = 5


def download_hours() -> int:
    return int(getattr(settings, "SAFECASE_TRANSFER_DOWNLOAD_HOURS", 72) or 72)


def token_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def code_hash(token: str, code: str) -> str:
    return token_hash(f"{token}:{code.strip()}")


def find_download(token: str) -> TransferDownload | None:
    if not token or len(token) > 100:
        return None
    return (
        TransferDownload.objects.filter(token_hash=token_hash(token))
        .select_related("transfer", "organisation")
        .first()
    )


def link_state(download: TransferDownload | None) -> str:
    if download is None:
        return "missing"
    if download.used_at is not None:
        return "used"
    if download.locked_at is not None:
        return "locked"
    if download.expires_at <= timezone.now():
        return "expired"
    return "open"


DEAD = {
    "missing": "This link does not work. Ask the sender for a new one.",
    "used": "This file was downloaded already: the link worked once. Ask the sender if you "
    "need it again.",
    "locked": "This link is locked after too many wrong codes. Ask the sender for a new one.",
    "expired": "This link has expired. Ask the sender for a new one.",
}
