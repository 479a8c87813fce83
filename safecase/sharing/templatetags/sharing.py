"""``{% share_link kind item %}``: a small "Share" link on an item's page, for those who may
share it (their own organisation's item, permission ``share.grant``). Include it in one line::

    {% include "sharing/_share_link.html" with kind="case_note" object=note %}

``wrap="li"`` makes it a summary-card action, ``wrap="span"`` an inline link; the default is a
small paragraph. On a person's page it also offers to make a chronology extract to share.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from safecase.access.permissions import Permission
from safecase.access.policy import can

register = template.Library()

_WRAPS = {
    "li": ('<li class="govuk-summary-card__action">', "</li>"),
    "span": (" ", ""),
    "p": ('<p class="govuk-body-s">', "</p>"),
}


@register.simple_tag(takes_context=True)
def share_link(context: dict[str, Any], kind: str, item: Any, wrap: str = "p") -> str:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None or item is None:
        return ""
    if getattr(item, "organisation_id", None) != actor.organisation_id:
        return ""
    if not can(actor, Permission.SHARE_GRANT, item):
        return ""
    links = [
        (
            reverse("sharing:share", kwargs={"kind": kind, "object_id": item.pk}),
            "Share",
            " this item with a partner organisation",
        )
    ]
    if kind == "person":
        links.append(
            (
                reverse("sharing:extract_new", kwargs={"person_id": item.pk}),
                "Share part of the chronology",
                " (make an extract)",
            )
        )
    start, end = _WRAPS.get(wrap, _WRAPS["p"])
    inner: SafeString = format_html_join(
        " · ",
        '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden">{}</span></a>',
        links,
    )
    return format_html("{}{}{}", SafeString(start), inner, SafeString(end))
