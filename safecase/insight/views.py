"""The search page: one box, hits the actor may see, each linking to its record's own page.

Every signed-in member may open it (org.view); what they find is decided by the records' own
selectors, so a reporter finds only the concerns they recorded and an administrator nothing.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.permissions import Permission
from safecase.insight import search as search_index
from safecase.insight.query import MAX_QUERY_CHARS


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search people and concerns",
        help_text="Names, NHS numbers, UPNs or words from a concern. Use quotes for an exact "
        "phrase and OR for either word.",
        max_length=MAX_QUERY_CHARS,
        required=False,
        error_messages={"max_length": "Enter at most %(limit_value)d characters to search for."},
        widget=forms.TextInput(
            attrs={"type": "search", "class": "govuk-input", "autocomplete": "off"}
        ),
    )


@requires(Permission.ORG_VIEW)
@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    hits = search_index.search(actor, query) if query else []
    return render(
        request,
        "insight/search.html",
        {"form": form, "q": query, "hits": hits, "limit": search_index.DEFAULT_LIMIT},
    )
