"""Template helpers for long lists, where Django's general ones cost too much per row.

``{% load safecase %}``, then ``{{ c.submitted_at|age }}`` ("3 days"), and
``{% url_for "concerns:triage" c.pk %}`` (a reverse() resolved once per URL name, then filled in
by string joining: a 50-row list would otherwise resolve 50 times), and
``{% jinja "people/_chronology_rows.html" %}`` (a Jinja2 fragment drawn with this template's
context: safecase.web.jinja, ADR 0019).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django import template
from django.template import engines
from django.template.context import Context
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from safecase.core.urls import url_for

register = template.Library()


@register.simple_tag(name="url_for")
def url_for_tag(url_name: str, pk: uuid.UUID | str) -> str:
    return url_for(url_name, pk)


@register.simple_tag(name="jinja", takes_context=True)
def jinja_tag(context: Context, template_name: str) -> SafeString:
    """Draws the Jinja2 template ``template_name`` with everything this template can see.

    ``csrf_input`` is made once, from the page's own token. Django's Jinja2 backend would pass
    a lazy one that masks the token afresh each time it is printed: 50 forms in a list cost
    ~8 ms that way. Jinja2 escapes what it prints (autoescape is on), so its output goes in
    unescaped.
    """
    fragment = engines["jinja2"].get_template(template_name)
    names = context.flatten()
    token = names.get("csrf_token")
    if token is not None:
        names["csrf_input"] = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token
        )
    return mark_safe(fragment.template.render(names))  # noqa: S308


_UNITS = (("year", 365 * 86400), ("week", 7 * 86400), ("day", 86400), ("hour", 3600))


@register.filter
def age(moment: datetime | None) -> str:
    """How long ago, in its largest whole unit: "3 days", "1 hour", "under an hour"."""
    if moment is None:
        return ""
    seconds = (timezone.now() - moment).total_seconds()
    for unit, size in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under an hour"


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def when(moment: datetime | None, with_time: bool = True) -> str:
    """A moment in local time as "4 Mar 2026 09:05" (``date:"j M Y H:i"``), or with ``False``
    as "4 Mar 2026". Django's date filter parses its format string for every row; this does not.
    """
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    day = f"{local.day} {_MONTHS[local.month]} {local.year}"
    return f"{day} {local.hour:02d}:{local.minute:02d}" if with_time else day
