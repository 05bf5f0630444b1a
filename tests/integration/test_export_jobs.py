"""Export jobs over the embedded AWS: an operator asks for a policy-level detail export (POST
/reports/exports answers 202 with the job), ReportsTasksFunction runs it asynchronously off the events
index (no Scan), GET /reports/exports shows it pending, then ready with its files among the exports; the
files hold every policy issued or cancelled in the period's China days and nothing else. A custom-range
export is listed the same way; a customer is refused; a bad request names its field."""

from __future__ import annotations

import csv
import io
import time
import uuid

import pytest
from openpyxl import load_workbook

from insuremall import events
from tests.integration.test_catalog_admin import _signed_in

FIRST, LAST = "2031-08-04", "2031-08-05"  # China days no other test sells on


@pytest.fixture(scope="module")
def operator(aws):
    return _signed_in(aws, groups=("operators",))


def _store(event: events.Event, at: str, no: str) -> None:
    from insuremall.models.events import DomainEventRecord, index_key

    DomainEventRecord(
        pk=f"POLICY#{no}", sk=event.type, event_type=event.type, occurred_at=at, payload=event.payload(),
        gsi1pk=index_key(event.type, at[:10], no), gsi1sk=f"{at}#{no}",
    ).save()  # fmt: skip


def _sell(at: str, tag: str, **extra) -> str:
    no = f"D{tag}{uuid.uuid4().hex[:8].upper()}"
    event = events.PolicyIssued(
        policy_no=no, order_id=f"O{no}", customer_id="member-secret", product_id="accident-guardian",
        plan="standard", term="1Y", sum_insured=500000, premium_cents=16900, start_date="2031-08-05",
        end_date="2032-08-04", issued_at=at, channel="h5", insurer_id="jade-pc", product_kind="accident",
        region="31", product_name="Guardian Accident", insurer_name="Jade P&C", **extra,
    )  # fmt: skip
    _store(event, at, no)
    return no


def _cancel(no: str, at: str, on: str) -> None:
    event = events.PolicyCancelled(
        policy_no=no, order_id=f"O{no}", customer_id="member-secret", product_id="accident-guardian",
        cancelled_on=on, rule="cooling_off", refund_cents=16900, premium_cents=16900, region="31",
        product_name="Guardian Accident", cancelled_by="operator-secret",
    )  # fmt: skip
    _store(event, at, no)


@pytest.fixture(scope="module")
def period():
    """Sales and a cancellation inside the period, and others just outside it (China days)."""
    inside = [
        _sell("2031-08-03T16:05:00.000+00:00", "A"),  # 00:05 China time on the 4th
        _sell("2031-08-04T09:00:00.000+00:00", "B"),
        _sell("2031-08-05T15:59:00.000+00:00", "C"),  # 23:59 China time on the 5th
    ]
    _sell("2031-08-03T15:59:00.000+00:00", "X")  # 23:59 on the 3rd: before
    _sell("2031-08-05T16:00:00.000+00:00", "Y")  # 00:00 on the 6th: after
    _sell("2031-08-04T10:00:00.000+00:00", "T", livemode=False)  # a partner's test-key sale
    _cancel(inside[0], "2031-08-05T02:00:00.000+00:00", "2031-08-05")
    return inside


def _wait_ready(operator, job_id: str, timeout: float = 60) -> tuple[dict, dict]:
    deadline = time.monotonic() + timeout
    while True:
        status, listed = operator.get("/reports/exports")
        assert status == 200, listed
        (job,) = [j for j in listed["jobs"] if j["job_id"] == job_id]
        if job["status"] != "pending":
            return job, listed
        assert time.monotonic() < deadline, f"job {job_id} still pending"
        time.sleep(0.2)


def _object(aws, key: str) -> bytes:
    bucket = aws.template.physical_name("ReportsBucket")
    return aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def test_given_policies_issued_and_cancelled_when_a_detail_export_is_asked_then_the_job_lists_its_rows(
    aws, operator, period
):
    scans = aws.meter.calls["dynamodb.Scan"]
    status, job = operator.post("/reports/exports", {"kind": "detail", "from": FIRST, "to": LAST})
    assert status == 202, job
    assert (job["status"], job["kind"], job["from"], job["to"]) == ("pending", "detail", FIRST, LAST)

    done, listed = _wait_ready(operator, job["job_id"])

    assert done["status"] == "ready", done
    assert done["rows"] == 4 and {f["format"] for f in done["files"]} == {"csv", "xlsx"}
    assert aws.meter.calls["dynamodb.Scan"] == scans  # the events index, day by day
    files = {e["key"]: e for e in listed["exports"]}
    for f in done["files"]:
        assert files[f["key"]]["kind"] == "detail" and files[f["key"]]["url"]
        assert (files[f["key"]]["from"], files[f["key"]]["to"]) == (FIRST, LAST)
    csv_key = next(f["key"] for f in done["files"] if f["format"] == "csv")
    text = _object(aws, csv_key).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["Event"], r["Policy number"]) for r in rows] == [
        ("issued", period[0]), ("issued", period[1]), ("cancelled", period[0]), ("issued", period[2]),
    ]  # fmt: skip
    assert [r["China day"] for r in rows] == [FIRST, FIRST, LAST, LAST]
    assert rows[2]["Refund (CNY)"] == "169.00" and rows[0]["Province"] == "Shanghai"
    assert "secret" not in text
    xlsx_key = next(f["key"] for f in done["files"] if f["format"] == "xlsx")
    sheet = load_workbook(io.BytesIO(_object(aws, xlsx_key)), read_only=True)["Policies"]
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == [r["Policy number"] for r in rows]


def test_given_the_same_detail_export_asked_again_then_it_writes_the_same_content(aws, operator, period):
    _, first = operator.post("/reports/exports", {"kind": "detail", "from": FIRST, "to": LAST})
    done, _ = _wait_ready(operator, first["job_id"])
    before = {f["key"]: _object(aws, f["key"]) for f in done["files"]}
    _, again = operator.post("/reports/exports", {"kind": "detail", "from": FIRST, "to": LAST})
    redone, _ = _wait_ready(operator, again["job_id"])
    assert [f["key"] for f in redone["files"]] == list(before)
    assert {key: _object(aws, key) for key in before} == before


def test_given_a_custom_range_export_asked_then_it_is_listed_when_ready(aws, operator, period):
    status, job = operator.post("/reports/exports", {"kind": "range", "from": FIRST, "to": LAST})
    assert status == 202, job
    done, listed = _wait_ready(operator, job["job_id"])
    assert done["status"] == "ready" and done["files"]
    kinds = {e["key"]: e["kind"] for e in listed["exports"]}
    assert all(kinds[f["key"]] == "custom" for f in done["files"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "detail", "from": "2031-08-05", "to": "2031-08-04"}, "to"),
        ({"kind": "detail", "from": "2030-01-01", "to": "2031-01-02"}, "to"),
        ({"kind": "range", "from": "2031-02-29", "to": "2031-03-01"}, "from"),
        ({"kind": "range", "from": "2031-08-04", "to": "2031-08-05", "format": "pdf"}, "format"),
    ],
)
def test_given_a_bad_request_then_422_names_the_field(operator, body, field):
    status, answer = operator.post("/reports/exports", body)
    assert status == 422 and field in answer["error"]["fields"], answer


def test_given_a_customer_then_export_jobs_are_refused(aws):
    customer = _signed_in(aws)
    status, _ = customer.post("/reports/exports", {"kind": "detail", "from": FIRST, "to": LAST})
    assert status == 403
    status, _ = customer.get("/reports/exports")
    assert status == 403
