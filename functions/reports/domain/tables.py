"""The rows of a report export, and cells made safe for spreadsheets (pure)."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    ("policies_issued", "Policies issued"),
    ("new_business", "New business"),
    ("renewals", "Renewals"),
    ("policies_cancelled", "Policies cancelled"),
    ("gross_premium", "Gross premium (CNY)"),
    ("discounts", "Discounts (CNY)"),
    ("refunded_premium", "Refunded premium (CNY)"),
    ("net_premium", "Net premium (CNY)"),
    ("quotes", "Quotes"),
    ("orders", "Orders"),
    ("paid", "Orders paid"),
    ("declined", "Declined"),
    ("referred", "Referred"),
)
MONEY = {"gross_premium", "discounts", "refunded_premium", "net_premium"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is prefixed with ' (CSV/formula injection);
    numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def dimension_rows(by: str, statistics: dict[str, Any]) -> list[list[Any]]:
    """[dimension, key, name, figures...] per row of one dimension's statistics."""
    return [
        [by, neutralised(row["key"]), neutralised(row["name"]), *(row[c] for c, _ in COLUMNS)]
        for row in statistics["rows"]
    ]


def to_csv(start: str, end: str, by_dimension: dict[str, dict[str, Any]]) -> str:
    """One CSV of every dimension's rows for a period (a row per dimension value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["from", "to", "dimension", "key", "name", *(c for c, _ in COLUMNS)])
    for by, statistics in by_dimension.items():
        for row in dimension_rows(by, statistics):
            writer.writerow([start, end, *row])
    return out.getvalue()
