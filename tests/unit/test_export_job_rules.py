"""Export jobs operators ask for: the request's rules (422 naming the field), a job pending then ready or
failed, the same pending request answered once, and the policy-level detail export: streamed rows, a sheet
that continues on the next past its row limit, the same bytes on a re-run, no test-mode sale."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from insuremall import errors
from reports import detail_export, export_jobs
from reports.domain import detail, jobs
from reports.workbook import DetailWorkbook

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


class FakeJobs:
    def __init__(self) -> None:
        self.items: dict[str, jobs.Job] = {}

    def add_job(self, job):
        assert job.job_id not in self.items
        self.items[job.job_id] = job

    def job(self, job_id):
        return self.items.get(job_id)

    def recent_jobs(self, limit):
        return [self.items[k] for k in sorted(self.items, reverse=True)][:limit]

    def finish_job(self, job_id, *, status, at, reason=None, keys=(), rows=None):
        self.items[job_id] = replace(
            self.items[job_id], status=status, finished_at=at, reason=reason, keys=tuple(keys), rows=rows
        )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "detail", "from": "2026-11-30", "to": "2026-11-01"}, "to"),  # to before from
        ({"kind": "detail", "from": "2025-11-30", "to": "2026-12-01"}, "to"),  # 367 days
        ({"kind": "range", "from": "2026-02-30", "to": "2026-03-01"}, "from"),  # no such day
        ({"kind": "range", "from": "20261101", "to": "2026-11-30"}, "from"),  # not YYYY-MM-DD
        ({"kind": "range", "from": "2026-11-01"}, "to"),
        ({"kind": "everything", "from": "2026-11-01", "to": "2026-11-30"}, "kind"),
    ],
)
def test_a_request_that_breaks_a_rule_is_refused_naming_the_field(body, field):
    started = []
    with pytest.raises(errors.Invalid) as refused:
        export_jobs.request_export(body, store=FakeJobs(), start=started.append, now=lambda: NOW)
    assert field in refused.value.fields and started == []


def test_366_days_and_a_single_day_are_allowed():
    for first, last in (("2025-12-02", "2026-12-02"), ("2026-12-02", "2026-12-02")):
        request, problems = jobs.read_request({"kind": "detail", "from": first, "to": last})
        assert problems == {} and request.end == date.fromisoformat(last)


def test_a_request_is_recorded_pending_and_started_once_while_it_is_pending():
    store, started = FakeJobs(), []
    body = {"kind": "detail", "from": "2026-11-01", "to": "2026-11-30"}
    job = export_jobs.request_export(body, store=store, start=started.append, now=lambda: NOW)
    again = export_jobs.request_export(
        body, store=store, start=started.append, now=lambda: NOW + timedelta(minutes=1)
    )
    assert job.status == "pending" and job.job_id.startswith("20261203T020000000-")
    assert again == job and started == [job.job_id]
    other = export_jobs.request_export(
        {**body, "kind": "range"}, store=store, start=started.append, now=lambda: NOW
    )
    assert other.job_id != job.job_id and len(started) == 2


def test_a_job_pending_past_its_time_shows_failed_and_asking_again_starts_a_new_one():
    store, started = FakeJobs(), []
    body = {"kind": "range", "from": "2026-11-01", "to": "2026-11-30"}
    job = export_jobs.request_export(body, store=store, start=started.append, now=lambda: NOW)
    later = NOW + jobs.STALE_AFTER + timedelta(seconds=1)
    (shown,) = export_jobs.listed(store, now=lambda: later)
    assert (shown.status, shown.reason) == (
        "failed",
        "It did not finish within 20 minutes. Ask for it again.",
    )
    again = export_jobs.request_export(body, store=store, start=started.append, now=lambda: later)
    assert again.job_id != job.job_id and started == [job.job_id, again.job_id]


def _pending(store: FakeJobs, kind: str = "detail") -> str:
    job = export_jobs.request_export(
        {"kind": kind, "from": "2026-11-01", "to": "2026-11-02"},
        store=store,
        start=lambda _: None,
        now=lambda: NOW,
    )
    return job.job_id


def test_a_job_that_ran_is_ready_with_its_files_and_rows():
    store = FakeJobs()
    ran = []
    runners = {"detail": lambda s, e: (ran.append((s, e)), (("a.csv", "a.xlsx"), 12))[1]}
    done = export_jobs.run_job(_pending(store), store=store, runners=runners, now=lambda: NOW)
    assert (done.status, done.keys, done.rows) == ("ready", ("a.csv", "a.xlsx"), 12)
    assert ran == [(date(2026, 11, 1), date(2026, 11, 2))]
    assert export_jobs.run_job(done.job_id, store=store, runners=runners) == done and len(ran) == 1


def test_a_job_refused_by_a_rule_fails_with_the_reason_and_an_unexpected_error_is_raised_for_a_retry():
    store = FakeJobs()

    def refused(start, end):
        raise errors.Conflict("The period has no figures yet")

    failed = export_jobs.run_job(_pending(store), store=store, runners={"detail": refused})
    assert (failed.status, failed.reason) == ("failed", "The period has no figures yet")

    def broken(start, end):
        raise OSError("disk full")

    job_id = _pending(store, "range")
    with pytest.raises(OSError):
        export_jobs.run_job(job_id, store=store, runners={"range": broken})
    assert store.job(job_id).status == "failed" and "OSError" in store.job(job_id).reason


def _sheets(path: Path) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_a_sheet_past_its_row_limit_continues_on_the_next_with_the_header(tmp_path):
    path = tmp_path / "detail.xlsx"
    book = DetailWorkbook(str(path), ("A", "B"), frozenset({1}), max_rows=3)  # header + 2 rows a sheet
    for i in range(5):
        book.add((f"row {i}", f"{i}.50"))
    book.close()
    sheets = _sheets(path)
    assert list(sheets) == ["Policies", "Policies 2", "Policies 3"] and book.sheets == 3
    assert [len(rows) for rows in sheets.values()] == [3, 3, 2]
    assert all(rows[0] == ("A", "B") for rows in sheets.values())
    assert [r[0] for rows in sheets.values() for r in rows[1:]] == [f"row {i}" for i in range(5)]
    assert sheets["Policies 3"][1] == ("row 4", 4.5)  # money as a number


def _issued(no: str, at: str, **extra) -> tuple[str, str, dict]:
    payload = {
        "policy_no": no, "order_id": f"O{no}", "customer_id": "member-7", "product_id": "accident-guardian",
        "product_name": "Guardian Accident", "insurer_id": "jade-pc", "insurer_name": "Jade P&C",
        "plan": "standard", "term": "1Y", "sum_insured": 500000, "premium_cents": 15900, "gross_cents": 16900,
        "discount_cents": 1000, "start_date": "2026-11-02", "end_date": "2027-11-01", "issued_at": at,
        "channel": "h5", "region": "44", "category_id": "accident", "livemode": True,
    } | extra  # fmt: skip
    return "PolicyIssued", at, payload


def _cancelled(no: str, at: str) -> tuple[str, str, dict]:
    return "PolicyCancelled", at, {
        "policy_no": no, "order_id": f"O{no}", "customer_id": "member-7", "product_id": "accident-guardian",
        "product_name": "=HYPERLINK(\"x\")", "cancelled_on": "2026-11-02", "rule": "cooling_off",
        "refund_cents": 15900, "premium_cents": 15900, "region": "44", "cancelled_by": "operator-1",
    }  # fmt: skip


EVENTS = [
    _issued("P1", "2026-10-31T16:30:00.000+00:00"),  # 00:30 China time on 1 November
    _issued("T1", "2026-11-01T03:00:00.000+00:00", livemode=False),  # a partner's test-key sale
    _issued("P2", "2026-11-01T04:00:00.000+00:00", renewal_of="P0"),
    _cancelled("P1", "2026-11-02T01:00:00.000+00:00"),
]


def _export(tmp_path: Path, name: str, max_rows: int | None = None):
    written: dict[str, Path] = {}
    asked = []

    def read(start, end):
        asked.append((start, end))
        yield from EVENTS

    def put_file(key, path, content_type, *, kind, period):
        assert kind == "detail" and period == ("2026-11-01", "2026-11-02")
        target = tmp_path / name / key.rsplit("/", 1)[-1]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)  # the temporary file is gone after the export
        written[key] = target

    done = detail_export.export_detail(
        date(2026, 11, 1), date(2026, 11, 2), read=read, put_file=put_file, max_rows=max_rows
    )
    assert asked == [(date(2026, 11, 1), date(2026, 11, 2))]
    return done, written


def test_a_detail_export_has_a_row_per_policy_issued_or_cancelled_and_no_test_sale(tmp_path):
    done, written = _export(tmp_path, "first", max_rows=3)
    assert done.keys == (
        "sales/detail/2026/2026-11-01_2026-11-02.csv",
        "sales/detail/2026/2026-11-01_2026-11-02.xlsx",
    )
    assert (done.rows, done.sheets) == (3, 2)
    rows = list(csv.reader(io.StringIO(written[done.keys[0]].read_text())))
    assert tuple(rows[0]) == detail.HEADER
    body = [dict(zip(detail.HEADER, r, strict=True)) for r in rows[1:]]
    assert [(r["Event"], r["Policy number"]) for r in body] == [
        ("issued", "P1"),
        ("issued", "P2"),
        ("cancelled", "P1"),
    ]
    first = body[0]
    assert (first["Time (China)"], first["China day"], first["Province"]) == (
        "2026-11-01 00:30:00",
        "2026-11-01",
        "Guangdong",
    )
    assert (first["Gross premium (CNY)"], first["Discount (CNY)"], first["Premium paid (CNY)"]) == (
        "169.00",
        "10.00",
        "159.00",
    )
    assert body[1]["Renews policy"] == "P0" and body[2]["Refund (CNY)"] == "159.00"
    assert body[2]["Product"].startswith("'=")  # neutralised
    assert (
        "member-7" not in written[done.keys[0]].read_text()
        and "operator-1" not in written[done.keys[0]].read_text()
    )
    sheets = _sheets(written[done.keys[1]])
    assert [len(s) - 1 for s in sheets.values()] == [2, 1]
    assert sheets["Policies 2"][1][3] == "P1" and sheets["Policies"][1][18] == 169.0


def test_a_detail_export_run_again_writes_the_same_bytes(tmp_path):
    first, one = _export(tmp_path, "one")
    again, two = _export(tmp_path, "two")
    assert first.keys == again.keys
    for key in first.keys:
        assert one[key].read_bytes() == two[key].read_bytes()
