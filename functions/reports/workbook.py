"""A period's sales as an Excel workbook: a summary sheet (totals, the previous period, the change, the
definitions and a trend chart) and a sheet per dimension with its rows and a bar chart. Native Excel
charts by XlsxWriter (imported here only, when a workbook is made: 0.05 s)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any

from reports.domain.tables import COLUMNS, MONEY, dimension_rows

TITLES = {
    "region": "Region",
    "insurer": "Insurer",
    "product": "Product",
    "category": "Category",
    "channel": "Channel",
    "partner": "Partner",
}


def _cell(column: str, value: Any) -> Any:
    return _money_cell(value) if column in MONEY else value


def _money_cell(text: Any) -> float:
    return float(Decimal(text))  # Excel stores numbers as doubles


def sales_workbook(
    start: str, end: str, summary: dict[str, Any], by_dimension: dict[str, dict[str, Any]]
) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    percent = book.add_format({"num_format": "0.0%"})
    _summary_sheet(book, start, end, summary, bold, money, percent)
    for by, statistics in by_dimension.items():
        _dimension_sheet(book, TITLES[by], by, statistics, bold, money)
    book.close()
    return buffer.getvalue()


def _summary_sheet(book, start, end, summary, bold, money, percent) -> None:
    sheet = book.add_worksheet("Summary")
    sheet.write_row(0, 0, ["Sales", f"{start} to {end} (China days)"], bold)
    sheet.write_row(2, 0, ["Figure", "This period", "Previous period", "Change", "Definition"], bold)
    definitions = summary["definitions"]
    for i, (column, title) in enumerate(COLUMNS, start=3):
        now, before = _cell(column, summary["totals"][column]), _cell(column, summary["previous"][column])
        fmt = money if column in MONEY else None
        sheet.write(i, 0, title)
        sheet.write_number(i, 1, now, fmt)
        sheet.write_number(i, 2, before, fmt)
        if before:
            sheet.write_number(i, 3, (now - before) / before, percent)
        else:
            sheet.write_string(i, 3, "new" if now else "")
        sheet.write_string(i, 4, definitions.get(column.removesuffix("_cents"), ""))
    first = 3 + len(COLUMNS) + 2
    sheet.write_row(first, 0, ["Period", "Gross premium (CNY)", "Net premium (CNY)", "Policies issued"], bold)
    series = summary["series"]
    for i, point in enumerate(series, start=first + 1):
        sheet.write_string(i, 0, point["period"])
        sheet.write_number(i, 1, _cell("gross_premium", point["gross_premium"]), money)
        sheet.write_number(i, 2, _cell("net_premium", point["net_premium"]), money)
        sheet.write_number(i, 3, point["policies_issued"])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 3, 18)
    sheet.set_column(4, 4, 60)
    if series:
        chart = book.add_chart({"type": "line"})
        last = first + len(series)
        for column, name in ((1, "Gross premium"), (2, "Net premium")):
            chart.add_series(
                {
                    "name": name,
                    "categories": ["Summary", first + 1, 0, last, 0],
                    "values": ["Summary", first + 1, column, last, column],
                }
            )
        chart.set_title({"name": "Premium by period (CNY)"})
        chart.set_size({"width": 720, "height": 320})
        sheet.insert_chart(2, 6, chart)


def _dimension_sheet(book, title, by, statistics, bold, money) -> None:
    sheet = book.add_worksheet(title)
    sheet.write_row(0, 0, ["Key", "Name", *(t for _, t in COLUMNS)], bold)
    rows = dimension_rows(by, statistics)
    for i, row in enumerate(rows, start=1):
        sheet.write_string(i, 0, str(row[1]))
        sheet.write_string(i, 1, str(row[2]))
        for j, (column, _) in enumerate(COLUMNS, start=2):
            sheet.write_number(i, j, _cell(column, row[j + 1]), money if column in MONEY else None)
    sheet.set_column(0, 1, 24)
    sheet.set_column(2, 1 + len(COLUMNS), 16)
    if rows:
        chart = book.add_chart({"type": "bar"})
        net = 2 + [c for c, _ in COLUMNS].index("net_premium")
        chart.add_series(
            {
                "name": f"Net premium by {title.lower()}",
                "categories": [title, 1, 1, len(rows), 1],
                "values": [title, 1, net, len(rows), net],
            }
        )
        chart.set_title({"name": f"Net premium by {title.lower()} (CNY)"})
        chart.set_legend({"none": True})
        sheet.insert_chart(len(rows) + 3, 0, chart)


EXCEL_MAX_ROWS = 1_048_576  # rows on one Excel sheet, the header included


class DetailWorkbook:
    """The policy-level detail as an XLSX written row by row to a file (XlsxWriter's constant_memory: a row
    is flushed when the next begins, so memory stays flat however many rows). A sheet that is full
    continues on the next ("Policies", "Policies 2", ...), each with the header; `max_rows` is Excel's
    limit unless a test makes it small."""

    def __init__(
        self,
        path: str,
        header: tuple[str, ...],
        money: frozenset[int],
        max_rows: int = EXCEL_MAX_ROWS,
        created: datetime | None = None,
    ):
        import xlsxwriter

        self._book = xlsxwriter.Workbook(
            path,
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False},
        )  # fmt: skip
        # The file's dates (and its zip entries' times) fixed: the same rows make the same bytes.
        if created is not None:
            self._book.set_properties({"created": created})
        self._bold = self._book.add_format({"bold": True})
        self._money = self._book.add_format({"num_format": "#,##0.00"})
        self._header, self._money_columns, self._max_rows = header, money, max_rows
        self._sheet, self._row, self.sheets, self.rows = None, 0, 0, 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        self._sheet = self._book.add_worksheet("Policies" if self.sheets == 1 else f"Policies {self.sheets}")
        self._sheet.set_column(0, len(self._header) - 1, 16)
        self._sheet.write_row(0, 0, self._header, self._bold)
        self._sheet.freeze_panes(1, 0)
        self._row = 1

    def add(self, values: tuple[Any, ...]) -> None:
        if self._row >= self._max_rows:
            self._new_sheet()
        for column, value in enumerate(values):
            if value == "" or value is None:
                continue
            if column in self._money_columns:
                self._sheet.write_number(self._row, column, _money_cell(value), self._money)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                self._sheet.write_number(self._row, column, value)
            else:
                self._sheet.write_string(self._row, column, str(value))
        self._row += 1
        self.rows += 1

    def close(self) -> None:
        self._book.close()
