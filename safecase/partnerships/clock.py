"""The hub's clock: its calendar from its settings, and the due time a rating gives.

Red and amber count the hub's working hours (default 4 and 24); green counts plain hours
(default 72, nights and weekends included); blue has no target. A red referral rated while the
hub is closed is due 4 working hours from the next opening (the clock is the hub's), and is
marked to be worked at once: the domain rule is that red is completed even outside hours, so
it heads the queue with "work now" and the agencies' clocks run from the next opening at the
latest.
"""

from __future__ import annotations

from datetime import date, datetime, time

from safecase.core.calendar import (
    WorkingHours,
    add_calendar_hours,
    add_working_hours,
    is_open,
    working_hours,
)
from safecase.partnerships.choices import Rating
from safecase.partnerships.models import HubSettings


def parse_closed_days(raw: object) -> frozenset[date]:
    days = set()
    for value in raw if isinstance(raw, list) else []:
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue  # refused when saved (actions); a stray value never breaks a deadline
    return frozenset(days)


def calendar_for(hub: HubSettings) -> WorkingHours:
    opens = hub.opens_at if isinstance(hub.opens_at, time) else time(9, 0)
    closes = hub.closes_at if isinstance(hub.closes_at, time) else time(17, 0)
    return working_hours(
        opens=opens,
        closes=closes,
        weekdays=frozenset(int(d) for d in hub.weekdays if d.isdigit()),
        extra_closed=parse_closed_days(hub.closed_days),
    )


def due_for(hub: HubSettings, rating: str, start: datetime) -> datetime | None:
    """When an answer to a request made at ``start`` on a referral rated ``rating`` is due."""
    if rating == Rating.RED:
        return add_working_hours(start, hub.red_working_hours, calendar_for(hub))
    if rating == Rating.AMBER:
        return add_working_hours(start, hub.amber_working_hours, calendar_for(hub))
    if rating == Rating.GREEN:
        return add_calendar_hours(start, hub.green_hours)
    return None


def timescale_text(hub: HubSettings, rating: str) -> str:
    if rating == Rating.RED:
        return f"within {hub.red_working_hours} working hours"
    if rating == Rating.AMBER:
        return f"within {hub.amber_working_hours} working hours"
    if rating == Rating.GREEN:
        return f"within {hub.green_hours} hours"
    if rating == Rating.BLUE:
        return "no target"
    return "not rated yet"


def out_of_hours(hub: HubSettings, moment: datetime) -> bool:
    return not is_open(moment, calendar_for(hub))
