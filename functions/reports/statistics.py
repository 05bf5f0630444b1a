"""Sales statistics for operators: figures by region, insurer, product, category, channel or partner over
a range of China days, with the same figures for the equal window before, and a series by day, week or
month. Cost: one query per day of the range and of the window before, whatever the number of policies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from insuremall import errors
from insuremall.money import fen_to_text
from reports.domain import figures
from reports.domain.regions import province_name

MAX_DAYS = 366
GRANULARITIES = ("day", "week", "month")

Reader = Callable[[str, str], list[dict[str, Any]]]  # (day, dimension) -> [{key, name, figure: n}]


@dataclass(frozen=True)
class SalesQuery:
    start: date
    end: date  # inclusive
    by: str
    granularity: str

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def previous(self) -> SalesQuery:
        length = (self.end - self.start).days + 1
        return SalesQuery(
            self.start - timedelta(days=length), self.start - timedelta(days=1), self.by, self.granularity
        )


def parse_query(params: Mapping[str, str]) -> SalesQuery:
    problems: dict[str, str] = {}
    bounds = {}
    for name in ("from", "to"):
        try:
            bounds[name] = date.fromisoformat(params.get(name) or "")
        except ValueError:
            problems[name] = "give a day as YYYY-MM-DD"
    by = params.get("by") or "product"
    if by not in figures.DIMENSIONS:
        problems["by"] = f"one of {', '.join(figures.DIMENSIONS)}"
    granularity = params.get("granularity") or "day"
    if granularity not in GRANULARITIES:
        problems["granularity"] = f"one of {', '.join(GRANULARITIES)}"
    if not problems:
        if bounds["to"] < bounds["from"]:
            problems["to"] = "must not be before from"
        elif (bounds["to"] - bounds["from"]).days + 1 > MAX_DAYS:
            problems["to"] = f"a range is at most {MAX_DAYS} days"
    errors.check(problems)
    return SalesQuery(bounds["from"], bounds["to"], by, granularity)


def sales(query: SalesQuery, read: Reader) -> dict[str, Any]:
    per_day = {day: read(day.isoformat(), query.by) for day in query.days}
    before = [row for day in query.previous.days for row in read(day.isoformat(), query.by)]
    rows: dict[str, dict[str, Any]] = {}
    series: dict[str, dict[str, int]] = {}
    for day, found in per_day.items():
        period = series.setdefault(_period(day, query.granularity), defaultdict(int))
        for row in found:
            total = rows.setdefault(
                row["key"], {"key": row["key"], "name": None, "figures": defaultdict(int)}
            )
            total["name"] = total["name"] or row.get("name")
            for figure in figures.FIGURES:
                total["figures"][figure] += row.get(figure, 0)
                period[figure] += row.get(figure, 0)
    return {
        "from": query.start.isoformat(),
        "to": query.end.isoformat(),
        "by": query.by,
        "granularity": query.granularity,
        "totals": shown(_sum(r["figures"] for r in rows.values())),
        "previous": shown(_sum(before)),
        "rows": sorted(
            (
                {"key": r["key"], "name": _name(query.by, r["key"], r["name"]), **shown(r["figures"])}
                for r in rows.values()
            ),
            key=lambda r: (-int(r["policies_issued"]), r["key"]),
        ),
        "series": [{"period": period, **shown(totals)} for period, totals in series.items()],
        "definitions": figures.DEFINITIONS,
    }


def shown(totals: Mapping[str, int]) -> dict[str, Any]:
    """Figures as the API shows them: counts as integers, money as decimal strings in CNY."""
    gross, refunded = totals.get("gross_premium_cents", 0), totals.get("refunded_cents", 0)
    return {
        "policies_issued": totals.get("policies_issued", 0),
        "new_business": totals.get("new_business", 0),
        "renewals": totals.get("renewals", 0),
        "policies_cancelled": totals.get("policies_cancelled", 0),
        "gross_premium": fen_to_text(gross),
        "discounts": fen_to_text(totals.get("discounts_cents", 0)),
        "refunded_premium": fen_to_text(refunded),
        "net_premium": fen_to_text(gross - refunded),
        # The funnel's steps (its "issued" is policies_issued): counts.
        **{figure: totals.get(figure, 0) for figure in figures.FUNNEL.values()},
    }


def _sum(rows) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for figure in figures.FIGURES:
            total[figure] += row.get(figure, 0)
    return total


def _period(day: date, granularity: str) -> str:
    if granularity == "week":
        return (day - timedelta(days=day.weekday())).isoformat()  # the week's Monday
    if granularity == "month":
        return day.isoformat()[:7]
    return day.isoformat()


def _name(by: str, key: str, name: str | None) -> str:
    if by == "region":
        return province_name(key)
    if by == "partner" and key == figures.DIRECT:
        return "Direct (no partner)"
    return name or key


def day_by_dimension(day: date, read: Reader) -> dict[str, Any]:
    """One day's figures by every dimension (6 queries): what `GET /reports/sales/daily` answers."""
    by: dict[str, dict[str, Any]] = {}
    for dimension in figures.DIMENSIONS:
        by[dimension] = {
            row["key"]: {"name": _name(dimension, row["key"], row.get("name")), **shown(row)}
            for row in read(day.isoformat(), dimension)
        }
    totals = _sum(row for row in read(day.isoformat(), "channel"))
    return {"date": day.isoformat(), **shown(totals), "by": by, "definitions": figures.DEFINITIONS}
