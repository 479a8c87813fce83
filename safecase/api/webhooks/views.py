"""The organisation administrator's webhook pages: endpoints, their delivery logs, re-delivery,
a test ping and the signing secret (shown once, on the page that created or rotated it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.api.webhooks import actions, selectors
from safecase.api.webhooks.forms import EndpointForm, VersionForm
from safecase.api.webhooks.models import WebhookEndpoint
from safecase.core.errors import Conflict, DomainError


def _apply_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _secret_page(
    request: HttpRequest, endpoint: WebhookEndpoint, secret: str, created: bool
) -> HttpResponse:
    response = render(
        request,
        "webhooks/secret.html",
        {"endpoint": endpoint, "secret": secret, "created": created},
        status=201 if created else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.WEBHOOK_MANAGE)
@require_http_methods(["GET"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    page = selectors.endpoint_list(actor, cursor=request.GET.get("after"))
    return render(request, "webhooks/endpoint_list.html", {"page": page})


@requires(Permission.WEBHOOK_MANAGE)
@require_http_methods(["GET", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = EndpointForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = actions.webhook_endpoint_create(
                actor=actor,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return _secret_page(request, endpoint, secret, created=True)
    return render(
        request,
        "webhooks/endpoint_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


def _detail(
    request: HttpRequest,
    endpoint: WebhookEndpoint,
    form: EndpointForm | None = None,
    status: int = 200,
) -> HttpResponse:
    form = form or EndpointForm(
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "is_active": endpoint.is_active,
            "version": endpoint.version,
        }
    )
    log = selectors.delivery_log_page(endpoint, cursor=request.GET.get("after"))
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "form": form, "log": log},
        status=status,
    )


@requires(Permission.WEBHOOK_MANAGE)
@require_http_methods(["GET", "POST"])
def endpoint_detail(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    if request.method != "POST":
        return _detail(request, endpoint)
    form = EndpointForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["version"] is None:
            form.add_error(None, "This form is out of date: open the endpoint again.")
            return _detail(request, endpoint, form, 422)
        try:
            actions.webhook_endpoint_update(
                actor=actor,
                endpoint=endpoint,
                version=form.cleaned_data["version"],
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                is_active=form.cleaned_data["is_active"],
            )
        except Conflict as exc:
            data = request.POST.copy()
            data["version"] = str(endpoint.version)
            form = EndpointForm(data)
            form.is_valid()
            form.add_error(None, f"{exc.message} Your changes are below; save again to apply them.")
            return _detail(request, endpoint, form, 409)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:detail", endpoint_id=endpoint.pk)
    return _detail(request, endpoint, form, 422)


def _versioned(request: HttpRequest, endpoint_id: str) -> tuple[WebhookEndpoint, int | None]:
    endpoint = selectors.access_endpoint(request.actor, endpoint_id)  # type: ignore[attr-defined]
    form = VersionForm(request.POST)
    return endpoint, form.cleaned_data["version"] if form.is_valid() else None


def _refused(
    request: HttpRequest, endpoint: WebhookEndpoint, message: str, status: int
) -> HttpResponse:
    messages.error(request, message)
    return _detail(request, endpoint, status=status)


@requires(Permission.WEBHOOK_MANAGE)
@require_POST
def endpoint_rotate_secret(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint, version = _versioned(request, endpoint_id)
    if version is None:
        return _refused(
            request, endpoint, "This form is out of date: open the endpoint again.", 422
        )
    try:
        endpoint, secret = actions.webhook_endpoint_rotate_secret(
            actor=request.actor,  # type: ignore[attr-defined]
            endpoint=endpoint,
            version=version,
        )
    except DomainError as exc:
        return _refused(request, endpoint, exc.message, 409 if isinstance(exc, Conflict) else 422)
    return _secret_page(request, endpoint, secret, created=False)


@requires(Permission.WEBHOOK_MANAGE)
@require_POST
def endpoint_deactivate(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint, version = _versioned(request, endpoint_id)
    if version is None:
        return _refused(
            request, endpoint, "This form is out of date: open the endpoint again.", 422
        )
    try:
        actions.webhook_endpoint_deactivate(
            actor=request.actor,  # type: ignore[attr-defined]
            endpoint=endpoint,
            version=version,
        )
    except DomainError as exc:
        return _refused(request, endpoint, exc.message, 409 if isinstance(exc, Conflict) else 422)
    messages.success(request, "Endpoint deactivated: nothing more is sent to it.")
    return redirect("webhooks:detail", endpoint_id=endpoint.pk)


@requires(Permission.WEBHOOK_MANAGE)
@require_POST
def endpoint_ping(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    try:
        actions.webhook_endpoint_ping(actor=actor, endpoint=endpoint)
    except DomainError as exc:
        return _refused(request, endpoint, exc.message, 422)
    messages.success(request, "Test event queued: its delivery appears in the log below.")
    return redirect("webhooks:detail", endpoint_id=endpoint.pk)


@requires(Permission.WEBHOOK_MANAGE)
@require_POST
def delivery_redeliver(request: HttpRequest, delivery_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    delivery = selectors.access_delivery(actor, delivery_id)
    try:
        actions.webhook_delivery_redeliver(actor=actor, delivery=delivery)
    except DomainError as exc:
        return _refused(request, delivery.endpoint, exc.message, 422)
    messages.success(request, "Sent again as a new delivery with the same event id.")
    return redirect("webhooks:detail", endpoint_id=delivery.endpoint_id)
