"""Time as the business counts it: China days (UTC+8, no daylight saving), month and age arithmetic.

Use cases take `now` as an argument (a callable returning an aware datetime) so that tests pick the
moment; `utc_now` is the real one.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST, so a fixed offset is exact

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def now_iso(moment: datetime | None = None) -> str:
    """Timestamps in tables: UTC, ISO 8601 with milliseconds, so they sort as text."""
    return (moment or utc_now()).astimezone(UTC).isoformat(timespec="milliseconds")


def china_day(moment: datetime) -> date:
    """The China calendar day an instant falls on (23:30 China time on the 1st is the 1st)."""
    return moment.astimezone(CHINA).date()


def china_today(now: Clock = utc_now) -> date:
    return china_day(now())


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_begun(start: date, on: date) -> int:
    """Months of cover begun by the end of `on` (a part month counts whole); 1 on the start day."""
    months = 0
    while add_months(start, months) <= on:
        months += 1
    return months
