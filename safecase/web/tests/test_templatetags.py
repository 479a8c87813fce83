"""The list helpers give what Django's own filters and reverse() would, for every row."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import date as django_date
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

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
