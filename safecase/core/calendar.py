"""Working days: the deadlines safeguarding partners work to (a LADO referral within one
working day, a children's social care response within three) count neither weekends nor bank
holidays.

The England and Wales bank holidays are kept here as data (gov.uk/bank-holidays, 2025-2028,
substitute days included); an installation adds its own closures (a local holiday, a later
year not yet listed here) with ``SAFECASE_EXTRA_HOLIDAYS``. A date past the listed years is
treated as an ordinary weekday unless it is added there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

BANK_HOLIDAYS_ENGLAND_AND_WALES: frozenset[date] = frozenset(
    date.fromisoformat(day)
    for day in (
        # 2025
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-08-25",
        "2025-12-25",
        "2025-12-26",
        # 2026 (Boxing Day falls on a Saturday: the substitute is Monday 28 December)
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
        # 2027 (Christmas and Boxing Day on a weekend: substitutes 27 and 28 December)
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
        # 2028 (New Year's Day on a Saturday: the substitute is Monday 3 January)
        "2028-01-03",
        "2028-04-14",
        "2028-04-17",
        "2028-05-01",
        "2028-05-29",
        "2028-08-28",
        "2028-12-25",
        "2028-12-26",
    )
)


def extra_holidays() -> frozenset[date]:
    """The installation's own closures, from ``settings.SAFECASE_EXTRA_HOLIDAYS`` (ISO dates,
    as strings or dates). A malformed entry is refused loudly: a deadline silently computed
    without it would be a day early."""
    days = set()
    for raw in getattr(settings, "SAFECASE_EXTRA_HOLIDAYS", ()) or ():
        if isinstance(raw, date):
            days.add(raw)
            continue
        try:
            days.add(date.fromisoformat(str(raw).strip()))
        except ValueError as exc:
            raise ValueError(
                f"SAFECASE_EXTRA_HOLIDAYS holds {raw!r}, which is not a date (YYYY-MM-DD)."
            ) from exc
    return frozenset(days)


def holidays() -> frozenset[date]:
    return BANK_HOLIDAYS_ENGLAND_AND_WALES | extra_holidays()


def is_working_day(day: date, *, closed: frozenset[date] | None = None) -> bool:
    return day.weekday() < 5 and day not in (holidays() if closed is None else closed)


def add_working_days(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself never counts: a referral
    made on a Friday with a one-working-day deadline is due on Monday, or on Tuesday when
    Monday is a bank holiday). ``n`` = 0 gives ``start`` if it is a working day, else the next
    working day."""
    if n < 0:
        raise ValueError("n must be zero or more working days.")
    closed = holidays()
    day = start
    if n == 0:
        while not is_working_day(day, closed=closed):
            day += timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, closed=closed):
            remaining -= 1
    return day


# --- Working hours (the MASH's clock, issue 5) -------------------------------------------------
#
# A hub counts its RAG timescales in its own opening hours: red within 4 working hours, amber
# within 24 working hours. ``WorkingHours`` says when the hub is open (local wall-clock hours on
# its working weekdays, not on bank holidays or its own closed days); ``add_working_hours``
# walks forward through those opening windows. Local hours are Europe/London by default, so a
# window on the day the clocks change is still 09:00-17:00 on the wall; what is returned is
# timezone-aware UTC, ready to store.

LONDON = "Europe/London"


@dataclass(frozen=True)
class WorkingHours:
    """When a hub is open: ``opens``-``closes`` local time on ``weekdays`` (0 = Monday), not on
    ``closed_days`` (bank holidays plus the hub's own). Build one with ``working_hours()``."""

    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    closed_days: frozenset[date] = frozenset()
    timezone_name: str = LONDON

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError("The hub must close after it opens (no overnight windows).")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("Give at least one working weekday, 0 (Monday) to 6 (Sunday).")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.closed_days

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The opening window of ``day`` as aware datetimes, or None when the hub is closed."""
        if not self.is_working_day(day):
            return None
        zone = self.zone
        return (
            datetime.combine(day, self.opens, tzinfo=zone),
            datetime.combine(day, self.closes, tzinfo=zone),
        )

    @property
    def hours_per_day(self) -> float:
        opens = self.opens.hour * 60 + self.opens.minute
        closes = self.closes.hour * 60 + self.closes.minute
        return (closes - opens) / 60


def working_hours(
    *,
    opens: time = time(9, 0),
    closes: time = time(17, 0),
    weekdays: frozenset[int] | None = None,
    extra_closed: frozenset[date] | set[date] | None = None,
    timezone_name: str = LONDON,
) -> WorkingHours:
    """A hub calendar closed on bank holidays (and the installation's extra holidays) and on
    ``extra_closed`` (the partnership's own closed days)."""
    return WorkingHours(
        opens=opens,
        closes=closes,
        weekdays=frozenset({0, 1, 2, 3, 4}) if weekdays is None else frozenset(weekdays),
        closed_days=holidays() | frozenset(extra_closed or ()),
        timezone_name=timezone_name,
    )


# Far enough to cross any run of closures (Christmas, a long local shutdown) but finite, so a
# calendar that is never open fails loudly instead of looping.
_MAX_DAYS_SEARCHED = 3 * 366


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Give a timezone-aware moment (UTC is stored).")
    return moment


def is_open(moment: datetime, calendar: WorkingHours) -> bool:
    """True when ``moment`` falls inside one of the calendar's opening windows."""
    local = _aware(moment).astimezone(calendar.zone)
    window = calendar.window(local.date())
    return window is not None and window[0] <= local < window[1]


def next_opening(moment: datetime, calendar: WorkingHours) -> datetime:
    """``moment`` itself when the hub is open then, else the start of its next window (UTC)."""
    return add_working_hours(moment, 0, calendar)


def add_working_hours(start: datetime, hours: float, calendar: WorkingHours) -> datetime:
    """The moment ``hours`` of opening time after ``start``, in UTC.

    Time outside the windows does not count: a referral rated at 16:00 on a Friday with four
    working hours is due at 12:00 on Monday (Tuesday when Monday is a bank holiday). A start
    out of hours counts from the next opening. ``hours`` = 0 gives the next moment the hub is
    open (``start`` itself when it is open)."""
    if hours < 0:
        raise ValueError("hours must be zero or more.")
    zone = calendar.zone
    local = _aware(start).astimezone(zone)
    remaining = timedelta(hours=hours)
    day = local.date()
    for _ in range(_MAX_DAYS_SEARCHED):
        window = calendar.window(day)
        if window is not None and local < window[1]:
            begin = max(local, window[0])
            # Wall-clock arithmetic inside a window: on the day the clocks change the window is
            # still its local hours (UTC subtraction would make it an hour longer or shorter).
            available = window[1].replace(tzinfo=None) - begin.replace(tzinfo=None)
            if remaining <= available:
                due = (begin.replace(tzinfo=None) + remaining).replace(tzinfo=zone)
                return due.astimezone(UTC)
            remaining -= available
        day += timedelta(days=1)
        local = datetime.combine(day, time(0, 0), tzinfo=zone)
    raise ValueError("The calendar has no opening hours in the next three years.")


def add_calendar_hours(start: datetime, hours: float) -> datetime:
    """Plain elapsed hours (green: within 72 hours, nights and weekends included), in UTC."""
    return (_aware(start) + timedelta(hours=hours)).astimezone(UTC)
