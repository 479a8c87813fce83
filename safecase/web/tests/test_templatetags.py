"""The list helpers give what Django's own filters and reverse() would, for every row."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.template.defaultfilters import date as django_date
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from jinja2 import UndefinedError

from safecase.web.templatetags.safecase import age, url_for, when


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 4, 9, 5, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 7, 14, 23, 59, tzinfo=ZoneInfo("UTC")),  # BST: next day locally
        datetime(2025, 12, 31, 0, 0, tzinfo=ZoneInfo("Europe/London")),
    ],
)
def test_when_matches_the_date_filter(moment: datetime) -> None:
    # In a template Django's date filter first turns the moment into local time; so does when.
    local = timezone.localtime(moment)
    assert when(moment) == django_date(local, "j M Y H:i")
    assert when(moment, False) == django_date(local, "j M Y")
    assert when(None) == ""


def test_age_says_the_largest_whole_unit() -> None:
    now = timezone.now()
    assert age(now - timedelta(minutes=5)) == "under an hour"
    assert age(now - timedelta(hours=1, minutes=1)) == "1 hour"
    assert age(now - timedelta(days=3, hours=2)) == "3 days"
    assert age(now - timedelta(days=15)) == "2 weeks"
    assert age(now - timedelta(days=800)) == "2 years"
    assert age(None) == ""


def test_url_for_matches_reverse_and_refuses_what_is_not_a_uuid() -> None:
    pk = uuid.uuid4()
    assert url_for("concerns:triage", pk) == reverse("concerns:triage", args=[pk])
    assert url_for("concerns:detail", str(pk)) == reverse("concerns:detail", args=[pk])
    with pytest.raises(ValueError):
        url_for("concerns:detail", "../../admin")
    with pytest.raises(NoReverseMatch):
        url_for("concerns:no_such_page", pk)


# --- {% jinja %}: Jinja2 fragments inside Django templates (ADR 0019) -----------------------


def _page(source: str) -> str:
    return "{% load safecase %}" + source


def test_jinja_fragment_sees_the_context_and_escapes_it() -> None:
    request = RequestFactory().get("/")
    template = engines["django"].from_string(_page('{% jinja "people/_chronology_rows.html" %}'))
    moment = datetime(2026, 3, 4, 9, 5, tzinfo=ZoneInfo("UTC"))
    entry = {
        "when": moment,
        "approximate": False,
        "kind": "Concern",
        "significant": True,
        "title": "<script>alert(1)</script>",
        "is_concern": True,
        "concern_id": uuid.uuid4(),
        "case_id": None,
        "preview": "Said <b>hello</b> & left",
    }
    person = {"pk": uuid.uuid4()}
    html = template.render({"chronology": [entry], "may_mark": True, "person": person}, request)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "Said &lt;b&gt;hello&lt;/b&gt; &amp; left" in html
    # The same local time as the when filter, once in full and once as the date alone.
    assert f">{when(moment)}" in html
    assert f"entry of {when(moment, False)}</span>" in html
    # A working form: the CSRF field and the URL of the entry's concern.
    assert 'name="csrfmiddlewaretoken"' in html
    assert reverse("concerns:significance", args=[entry["concern_id"]]) in html
    assert reverse("concerns:detail", args=[entry["concern_id"]]) in html
    assert "Significant" in html


def test_jinja_fragment_refuses_a_missing_name() -> None:
    template = engines["django"].from_string(_page('{% jinja "people/_chronology_rows.html" %}'))
    with pytest.raises(UndefinedError):
        template.render({"chronology": [{"when": None}]}, RequestFactory().get("/"))
