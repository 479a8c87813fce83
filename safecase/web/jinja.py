"""The Jinja2 environment for the row-heavy fragments of the busiest pages (ADR 0019).

Every page is a Django template. Where one draws dozens of rows (the triage queue, a person's
chronology, the hub's queue), the rows are a Jinja2 fragment included with ``{% jinja "…" %}``
(``safecase.web.templatetags.safecase``): Jinja2 compiles a template to Python, so a row costs a
fraction of what Django's template language spends resolving each variable. The fragment sees
the including template's whole context (context processors included), plus ``csrf_input``.

Autoescaping is on, as in Django templates. Undefined names raise (``StrictUndefined``) instead
of printing nothing, so a misspelt variable fails the tests rather than hiding a field.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import get_template
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from safecase.web.templatetags.safecase import age, url_for, when


def django_include(template_name: str, **names: Any) -> Markup:
    """A Django template drawn inside a fragment, with only ``names``: one rule kept in one
    template (a section file's download link only once it was scanned clean), not copied."""
    return Markup(get_template(template_name, using="django").render(names))  # noqa: S704


def environment(**options: Any) -> Environment:
    options["undefined"] = StrictUndefined
    env = Environment(**options)  # noqa: S701  (autoescape is on: Django's backend sets it)
    env.globals.update(url_for=url_for, django_include=django_include)
    env.filters.update(when=when, age=age)
    return env
