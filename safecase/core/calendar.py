"""Working days: the deadlines safeguarding partners work to (a LADO referral within one
working day, a children's social care response within three) count neither weekends nor bank
holidays.

The England and Wales bank holidays are kept here as data (gov.uk/bank-holidays, 2025-2028,
substitute days included); an installation adds its own closures (a local holiday, a later
year not yet listed here) with ``SAFECASE_EXTRA_HOLIDAYS``. A date past the listed years is
treated as an ordinary weekday unless it is added there.
"""

from __future__ import annotations

from datetime import date, timedelta

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
