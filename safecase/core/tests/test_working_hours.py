"""The hub's working-hours clock: weekends, bank holidays, across midnight, across the change
of the clocks, starts out of hours; with a frozen clock where "now" is the start."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from safecase.core.calendar import (
    WorkingHours,
    add_calendar_hours,
    add_working_hours,
    is_open,
    next_opening,
    working_hours,
)

LONDON = ZoneInfo("Europe/London")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def hub() -> WorkingHours:
    return working_hours()


def test_within_one_day(hub: WorkingHours) -> None:
    # Tuesday 10 March 2026, 10:00 (GMT): four working hours later is 14:00 the same day.
    assert add_working_hours(local(2026, 3, 10, 10), 4, hub) == local(2026, 3, 10, 14)


def test_the_result_is_utc(hub: WorkingHours) -> None:
    due = add_working_hours(local(2026, 6, 9, 10), 4, hub)
    assert due.tzinfo == UTC
    assert due == datetime(2026, 6, 9, 13, tzinfo=UTC)  # 14:00 BST


def test_across_the_evening_and_midnight(hub: WorkingHours) -> None:
    # 15:00 Tuesday + 4 h: two hours on Tuesday, two from Wednesday's opening.
    assert add_working_hours(local(2026, 3, 10, 15), 4, hub) == local(2026, 3, 11, 11)


def test_over_a_weekend(hub: WorkingHours) -> None:
    # Friday 13 March 2026 16:00 + 4 h: one hour on Friday, three on Monday.
    assert add_working_hours(local(2026, 3, 13, 16), 4, hub) == local(2026, 3, 16, 12)


def test_over_a_bank_holiday_weekend(hub: WorkingHours) -> None:
    # Thursday 2 April 2026 16:00; Good Friday 3 April and Easter Monday 6 April are closed.
    assert add_working_hours(local(2026, 4, 2, 16), 4, hub) == local(2026, 4, 7, 12)


def test_amber_24_working_hours_is_three_working_days(hub: WorkingHours) -> None:
    # Monday 09:00 + 24 h of 8-hour days: Wednesday 17:00.
    assert add_working_hours(local(2026, 3, 9, 9), 24, hub) == local(2026, 3, 11, 17)


def test_start_out_of_hours_counts_from_the_next_opening(hub: WorkingHours) -> None:
    # Saturday night: the clock starts on Monday at 09:00.
    assert add_working_hours(local(2026, 3, 14, 23, 30), 4, hub) == local(2026, 3, 16, 13)
    # Before opening on a weekday: from 09:00 the same day.
    assert add_working_hours(local(2026, 3, 10, 6), 4, hub) == local(2026, 3, 10, 13)
    # After closing: from 09:00 the next day.
    assert add_working_hours(local(2026, 3, 10, 19), 1, hub) == local(2026, 3, 11, 10)


def test_exactly_at_closing_carries_to_the_next_day(hub: WorkingHours) -> None:
    assert add_working_hours(local(2026, 3, 10, 17), 2, hub) == local(2026, 3, 11, 11)
    assert not is_open(local(2026, 3, 10, 17), hub)
    assert is_open(local(2026, 3, 10, 9), hub)


def test_zero_hours_is_the_next_opening(hub: WorkingHours) -> None:
    assert next_opening(local(2026, 3, 10, 12), hub) == local(2026, 3, 10, 12)
    assert next_opening(local(2026, 3, 14, 12), hub) == local(2026, 3, 16, 9)


def test_across_the_spring_clock_change(hub: WorkingHours) -> None:
    # Clocks go forward on Sunday 29 March 2026. Friday 27th 15:00 GMT + 4 h -> Monday 30th
    # 11:00 BST (10:00 UTC): the window is still 09:00-17:00 on the wall.
    due = add_working_hours(local(2026, 3, 27, 15), 4, hub)
    assert due == local(2026, 3, 30, 11)
    assert due == datetime(2026, 3, 30, 10, tzinfo=UTC)


def test_across_the_autumn_clock_change(hub: WorkingHours) -> None:
    # Clocks go back on Sunday 25 October 2026.
    due = add_working_hours(local(2026, 10, 23, 16), 3, hub)
    assert due == local(2026, 10, 26, 11)
    assert due == datetime(2026, 10, 26, 11, tzinfo=UTC)


def test_a_hub_closed_day_and_its_own_hours() -> None:
    hub = working_hours(opens=time(8, 0), closes=time(18, 0), extra_closed={date(2026, 3, 11)})
    # Tuesday 16:00 + 4 h: two on Tuesday, Wednesday closed, two from Thursday 08:00.
    assert add_working_hours(local(2026, 3, 10, 16), 4, hub) == local(2026, 3, 12, 10)


def test_a_seven_day_hub_counts_weekends() -> None:
    hub = working_hours(weekdays=frozenset(range(7)), extra_closed=set())
    assert add_working_hours(local(2026, 3, 13, 16), 4, hub) == local(2026, 3, 14, 12)


def test_green_counts_plain_hours_over_a_weekend() -> None:
    assert add_calendar_hours(local(2026, 3, 13, 16), 72) == local(2026, 3, 16, 16)


def test_with_a_frozen_clock_now_on_a_friday_afternoon(hub: WorkingHours) -> None:
    with time_machine.travel(datetime(2026, 12, 24, 16, 30, tzinfo=UTC), tick=False):
        # Christmas Eve 16:30 -> Christmas Day and the Boxing Day substitute (28th) are closed.
        due = add_working_hours(timezone.now(), 4, hub)
    assert due == local(2026, 12, 29, 12, 30)


def test_bad_arguments_are_refused(hub: WorkingHours) -> None:
    with pytest.raises(ValueError):
        add_working_hours(datetime(2026, 3, 10, 10), 4, hub)  # noqa: DTZ001 # naive on purpose
    with pytest.raises(ValueError):
        add_working_hours(local(2026, 3, 10, 10), -1, hub)
    with pytest.raises(ValueError):
        WorkingHours(opens=time(17), closes=time(9))
    with pytest.raises(ValueError):
        WorkingHours(weekdays=frozenset())
