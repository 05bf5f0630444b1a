"""Report periods in China days, dated keys, cells safe from formula injection, and the workbook's shape."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from reports import exporting
from reports.domain import periods, tables


@pytest.mark.parametrize(
    ("kind", "today", "first", "last"),
    [
        ("daily", date(2026, 12, 1), date(2026, 11, 30), date(2026, 11, 30)),
        ("weekly", date(2026, 12, 7), date(2026, 11, 30), date(2026, 12, 6)),  # a Monday: last week
        ("weekly", date(2026, 12, 3), date(2026, 11, 23), date(2026, 11, 29)),
        ("monthly", date(2026, 12, 1), date(2026, 11, 1), date(2026, 11, 30)),
        ("monthly", date(2024, 3, 1), date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_a_schedule_exports_the_last_complete_period(kind, today, first, last):
    assert periods.last_complete(kind, today) == (first, last)


def test_keys_are_dated_so_a_rerun_writes_the_same_key():
    assert (
        periods.export_key("daily", date(2026, 12, 2), date(2026, 12, 2), "csv")
        == "sales/daily/2026/2026-12-02.csv"
    )
    assert (
        periods.export_key("weekly", date(2026, 11, 30), date(2026, 12, 6), "xlsx")
        == "sales/weekly/2026/2026-W49.xlsx"
    )
    assert (
        periods.export_key("monthly", date(2026, 11, 1), date(2026, 11, 30), "csv")
        == "sales/monthly/2026/2026-11.csv"
    )


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_a_cell_a_spreadsheet_would_run_is_neutralised(text):
    assert tables.neutralised(text) == "'" + text
    assert tables.neutralised("Shanghai") == "Shanghai" and tables.neutralised(-5) == -5


def _figures(**values):
    base = {
        "policies_issued": 0, "new_business": 0, "renewals": 0, "policies_cancelled": 0,
        "gross_premium": "0.00", "discounts": "0.00", "refunded_premium": "0.00", "net_premium": "0.00",
    }  # fmt: skip
    return base | values


def test_a_period_export_writes_csv_and_a_workbook_with_a_sheet_per_dimension():
    day = "2026-12-02"
    rows = {("region", "31"): {"key": "31", "name": None, "policies_issued": 2, "gross_premium_cents": 33800}}
    written = {}

    def read(on, by):
        return [dict(r) for (dim, _), r in rows.items() if dim == by and on == day]

    done = exporting.export_period(
        "daily",
        date(2026, 12, 2),
        date(2026, 12, 2),
        read=read,
        put=lambda key, body, content_type, **meta: written.update({key: (body, content_type, meta)}),
    )

    assert done.keys == ("sales/daily/2026/2026-12-02.csv", "sales/daily/2026/2026-12-02.xlsx")
    csv_text = written[done.keys[0]][0]
    assert "2026-12-02,2026-12-02,region,31,Shanghai,2,0,0,0,338.00,0.00,0.00,338.00" in csv_text
    book = load_workbook(io.BytesIO(written[done.keys[1]][0]), read_only=True)
    assert book.sheetnames[0] == "Summary" and "Partner" in book.sheetnames
    gross = next(r for r in book["Summary"].iter_rows(values_only=True) if r[0] == "Gross premium (CNY)")
    assert gross[1] == 338.0


def test_an_export_lists_the_funnel_next_to_the_sales():
    day = date(2026, 12, 2)
    rows = [
        {"key": "h5", "name": None, "policies_issued": 1, "quotes": 4, "orders": 2, "paid": 2, "referred": 1}
    ]
    written = {}

    exporting.export_period(
        "daily", day, day, read=lambda on, by: [dict(r) for r in rows],
        put=lambda key, body, content_type, **meta: written.update({key: body}),
    )  # fmt: skip

    header, *lines = written["sales/daily/2026/2026-12-02.csv"].splitlines()
    assert header.endswith(",quotes,orders,paid,declined,referred")
    assert "2026-12-02,2026-12-02,channel,h5,h5,1,0,0,0,0.00,0.00,0.00,0.00,4,2,2,0,1" in lines
    book = load_workbook(io.BytesIO(written["sales/daily/2026/2026-12-02.xlsx"]), read_only=True)
    quotes = next(r for r in book["Summary"].iter_rows(values_only=True) if r[0] == "Quotes")
    assert quotes[1] == 4 and quotes[4].startswith("Quotes given")
