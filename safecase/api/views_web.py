"""Managing your own API tokens in the browser."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access import scoping
from safecase.access.decorators import requires
from safecase.access.lookups import access_api_token
from safecase.access.permissions import Permission
from safecase.accounts import auth_actions
from safecase.accounts.forms import ApiTokenForm
from safecase.core.errors import DomainError
from safecase.core.pagination import keyset_page


@requires(Permission.TOKEN_MANAGE_OWN)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = auth_actions.api_token_create(
                actor=actor,
                with_mfa=request.user.is_verified(),  # type: ignore[union-attr]
                **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = ApiTokenForm()
    page = keyset_page(
        scoping.api_tokens_visible_to(actor), key="created_at", cursor=None, descending=True
    )
    return render(
        request,
        "api/token_list.html",
        {"form": form, "page": page, "secret": secret},
        status=422 if form.errors else 200,
    )


@requires(Permission.TOKEN_MANAGE_OWN)
@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    token = access_api_token(actor, token_id, Permission.TOKEN_MANAGE_OWN)
    auth_actions.api_token_revoke(actor=actor, token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api_tokens:list")
