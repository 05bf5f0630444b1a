"""Report periods in China days: yesterday, last week (Monday to Sunday), last month (pure)."""

from __future__ import annotations

from datetime import date, timedelta

KINDS = ("daily", "weekly", "monthly")


def period(kind: str, within: date) -> tuple[date, date]:
    """The period of `kind` that contains `within` (first and last day, inclusive)."""
    if kind == "daily":
        return within, within
    if kind == "weekly":
        monday = within - timedelta(days=within.weekday())
        return monday, monday + timedelta(days=6)
    if kind == "monthly":
        first = within.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    raise ValueError(f"unknown period kind {kind!r}")


def last_complete(kind: str, today: date) -> tuple[date, date]:
    """What a schedule running on China day `today` exports: yesterday, last week or last month."""
    if kind == "daily":
        return period(kind, today - timedelta(days=1))
    if kind == "weekly":
        return period(kind, today - timedelta(days=today.weekday() + 1))
    return period(kind, today.replace(day=1) - timedelta(days=1))


def export_key(kind: str, start: date, end: date, extension: str) -> str:
    """Dated keys: a re-run of a period writes the same key."""
    if kind == "daily":
        name = start.isoformat()
    elif kind == "weekly":
        year, week, _ = start.isocalendar()
        name = f"{year}-W{week:02d}"
    elif kind == "monthly":
        name = start.isoformat()[:7]
    else:
        name = f"{start.isoformat()}_{end.isoformat()}"
    return f"sales/{kind}/{start.year}/{name}.{extension}"
