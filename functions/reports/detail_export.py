"""The policy-level detail export: every policy issued or cancelled in a period (China days), one row each,
as a CSV and an XLSX under dated keys in the reports bucket. Streamed: the rows come day by day from the
events index and go straight into files on disk (memory stays flat, whatever the number of policies);
the files are then uploaded. Re-running a period writes the same keys with the same rows."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reports.domain import detail, periods

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# China days first to last's policy events in time order: (event type, occurred_at as UTC ISO 8601, payload).
Reader = Callable[[date, date], Iterable[tuple[str, str, dict[str, Any]]]]
PutFile = Callable[..., None]  # (key, path, content type, kind=, period=)


@dataclass(frozen=True)
class DetailExported:
    start: str
    end: str
    keys: tuple[str, ...]
    rows: int
    sheets: int


def export_detail(
    start: date, end: date, *, read: Reader, put_file: PutFile, max_rows: int | None = None
) -> DetailExported:
    from reports.workbook import EXCEL_MAX_ROWS, DetailWorkbook  # XlsxWriter only when a workbook is made

    first, last = start.isoformat(), end.isoformat()
    money = frozenset(i for i, (name, _) in enumerate(detail.COLUMNS) if name in detail.MONEY)
    with tempfile.TemporaryDirectory(prefix="detail-") as folder:
        csv_path, xlsx_path = os.path.join(folder, "detail.csv"), os.path.join(folder, "detail.xlsx")
        created = datetime(end.year, end.month, end.day)  # fixed: a re-run writes the same bytes
        book = DetailWorkbook(xlsx_path, detail.HEADER, money, max_rows or EXCEL_MAX_ROWS, created)
        with open(csv_path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(detail.HEADER)
            for event_type, occurred_at, payload in read(start, end):
                values = detail.row(event_type, occurred_at, payload)
                if values is not None:
                    writer.writerow(values)
                    book.add(values)
        book.close()
        keys = (
            periods.export_key("detail", start, end, "csv"),
            periods.export_key("detail", start, end, "xlsx"),
        )
        put_file(keys[0], csv_path, "text/csv", kind="detail", period=(first, last))
        put_file(keys[1], xlsx_path, XLSX, kind="detail", period=(first, last))
    return DetailExported(first, last, keys, book.rows, book.sheets)
