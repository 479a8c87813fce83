"""Deny by default: every route declares a permission or is explicitly public (security bar Z1)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import get_resolver, path

from safecase.access.decorators import public, requires
from safecase.access.permissions import Permission
from tests.guard import iter_views, unguarded_routes

# The only pages anyone may open without signing in. Adding one here is a security decision.
EXPECTED_PUBLIC = {
    "login/",
    "healthz",
    "password/reset/",
    "password/reset/<uidb64>/<token>/",
    # Record transfer (ADR 0017): a receiver without Safecase (a one-time link and code), and
    # another installation delivering a bundle or a receipt (authenticated by its signature).
    "transfers/download/<str:token>/",
    "api/v1/transfers/inbound",
    "api/v1/transfers/receipts",
}


def test_every_route_declares_a_permission() -> None:
    assert unguarded_routes(get_resolver().url_patterns) == []


def test_public_routes_are_exactly_the_expected_ones() -> None:
    public_routes = {
        route
        for route, view in iter_views(get_resolver().url_patterns)
        if getattr(view, "safecase_public", False)
    }
    assert public_routes == EXPECTED_PUBLIC


def test_the_guard_catches_an_undecorated_view() -> None:
    def forgotten(request: HttpRequest) -> HttpResponse:
        return HttpResponse("oops")

    @requires(Permission.ACCOUNT_SELF)
    def declared(request: HttpRequest) -> HttpResponse:
        return HttpResponse("fine")

    patterns = [
        path("forgotten/", forgotten),
        path("declared/", declared),
        path("open/", public(lambda request: HttpResponse("hello"))),
    ]
    assert unguarded_routes(patterns) == ["forgotten/"]
