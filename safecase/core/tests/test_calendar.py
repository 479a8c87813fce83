"""Working days: weekends and England and Wales bank holidays are skipped, and the
installation's own closures (SAFECASE_EXTRA_HOLIDAYS) too."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from safecase.core.calendar import (
    BANK_HOLIDAYS_ENGLAND_AND_WALES,
    add_working_days,
    holidays,
    is_working_day,
)


def test_every_listed_bank_holiday_is_a_weekday_from_2025_to_2028() -> None:
    assert all(d.weekday() < 5 for d in BANK_HOLIDAYS_ENGLAND_AND_WALES)
    assert {d.year for d in BANK_HOLIDAYS_ENGLAND_AND_WALES} == {2025, 2026, 2027, 2028}
    assert all(
        sum(d.year == y for d in BANK_HOLIDAYS_ENGLAND_AND_WALES) == 8 for y in range(2025, 2029)
    )


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 3, 10), 1, date(2026, 3, 11)),  # Tuesday -> Wednesday
        (date(2026, 3, 13), 1, date(2026, 3, 16)),  # Friday -> Monday, over the weekend
        (date(2026, 3, 14), 1, date(2026, 3, 16)),  # Saturday -> Monday
        (date(2026, 3, 15), 1, date(2026, 3, 16)),  # Sunday -> Monday
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # Thursday before Easter -> Tuesday
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Friday before the spring bank holiday
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # Christmas, Boxing Day substitute (28th)
        (date(2027, 12, 24), 1, date(2027, 12, 29)),  # both substitutes (27th and 28th)
        (date(2027, 12, 31), 1, date(2028, 1, 4)),  # New Year's Day substitute (3 Jan 2028)
        (date(2026, 3, 9), 3, date(2026, 3, 12)),
        (date(2026, 3, 12), 3, date(2026, 3, 17)),  # Thursday + 3 over a weekend
        (date(2026, 3, 14), 0, date(2026, 3, 16)),  # 0 days: the next working day
        (date(2026, 3, 16), 0, date(2026, 3, 16)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_a_negative_number_of_days_is_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 10), -1)


def test_extra_holidays_from_the_settings_are_skipped() -> None:
    with override_settings(SAFECASE_EXTRA_HOLIDAYS=["2026-03-11", " 2026-03-12 "]):
        assert not is_working_day(date(2026, 3, 11))
        assert add_working_days(date(2026, 3, 10), 1) == date(2026, 3, 13)
    assert add_working_days(date(2026, 3, 10), 1) == date(2026, 3, 11)


def test_no_extra_holidays_setting_means_bank_holidays_only() -> None:
    with override_settings():
        from django.conf import settings

        del settings.SAFECASE_EXTRA_HOLIDAYS
        assert holidays() == BANK_HOLIDAYS_ENGLAND_AND_WALES


def test_a_malformed_extra_holiday_is_refused_loudly() -> None:
    with (
        override_settings(SAFECASE_EXTRA_HOLIDAYS=["2026-13-01"]),
        pytest.raises(ValueError, match="not a date"),
    ):
        holidays()
