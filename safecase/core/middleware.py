"""Request id and security headers, applied to every response."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; X-Forwarded-For only behind a trusted proxy (SAFECASE_TRUSTED_PROXY).

    The proxy appends the address it saw, so the right-most entry is the one we trust.
    """
    if settings.SAFECASE_TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45] or None
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Gives each request an id (or keeps a well-formed one from the proxy) for audit and logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        trusted = settings.SAFECASE_TRUSTED_PROXY and _REQUEST_ID_RE.match(incoming)
        request.request_id = incoming if trusted else uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy and no-store caching on every dynamic response.

    Static files are served by WhiteNoise before this runs and keep their long cache headers;
    everything else may carry personal data, so browsers and proxies must not store it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.SAFECASE_CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response["Cache-Control"] = "no-store"
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
