"""Scheduled sales exports: a period's rows by dimension as CSV and as an Excel workbook with charts, under
dated keys in the reports bucket. Re-running a period writes the same keys with the same content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from reports import statistics
from reports.domain import figures, periods, tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Exported:
    kind: str
    start: str
    end: str
    keys: tuple[str, ...]
    policies_issued: int
    net_premium: str


def export_period(
    kind: str, start: date, end: date, *, read: statistics.Reader, put: Callable[..., None]
) -> Exported:
    granularity = "day" if (end - start).days < 62 else "month"
    by_dimension = {
        by: statistics.sales(statistics.SalesQuery(start, end, by, granularity), read)
        for by in figures.DIMENSIONS
    }
    summary = by_dimension["region"]  # every dimension's rows add up to the same totals
    first, last = start.isoformat(), end.isoformat()
    csv_key = periods.export_key(kind, start, end, "csv")
    xlsx_key = periods.export_key(kind, start, end, "xlsx")
    put(csv_key, tables.to_csv(first, last, by_dimension), "text/csv", kind=kind, period=(first, last))

    from reports.workbook import sales_workbook  # XlsxWriter only when a workbook is made

    put(xlsx_key, sales_workbook(first, last, summary, by_dimension), XLSX, kind=kind, period=(first, last))
    totals = summary["totals"]
    return Exported(kind, first, last, (csv_key, xlsx_key), totals["policies_issued"], totals["net_premium"])
