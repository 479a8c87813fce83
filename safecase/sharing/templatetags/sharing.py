"""``{% share_link kind item %}``: a small "Share" link on an item's page, for those who may
share it. Include it in one line::

    {% include "sharing/_share_link.html" with kind="case_note" object=note %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from safecase.access.permissions import Permission
from safecase.access.policy import can

register = template.Library()


@register.simple_tag(takes_context=True)
def share_link(context: dict[str, Any], kind: str, item: Any) -> str:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if (
        actor is None
        or item is None
        or getattr(item, "organisation_id", None) != actor.organisation_id
    ):
        return ""
    if not can(actor, Permission.SHARE_GRANT, item):
        return ""
    url = reverse("sharing:share", kwargs={"kind": kind, "object_id": item.pk})
    return format_html(
        '<a class="govuk-link" href="{}">Share<span class="govuk-visually-hidden"> this item '
        "with a partner organisation</span></a>",
        url,
    )
