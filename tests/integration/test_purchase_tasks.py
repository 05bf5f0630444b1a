"""The saga's tasks and the stores under them: each is idempotent on its key, money moves once."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest


def test_given_an_order_when_issue_runs_twice_then_one_policy_one_event_one_sale(aws, new_application):
    from policy import store, tasks
    from reports import store as reports

    application = new_application()

    first = tasks.issue({"order_id": application["order_id"], "application": application, "payment": {}})
    second = tasks.issue({"order_id": application["order_id"], "application": application, "payment": {}})

    assert first == second
    policy = store.get_policy(first["policy_no"])
    assert policy["status"] == "in_force" and policy["order_id"] == application["order_id"]
    events = aws.client("dynamodb").query(
        TableName=aws.template.physical_name("EventsTable"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"POLICY#{first['policy_no']}"}},
    )["Items"]
    assert [e["event_type"]["S"] for e in events] == ["PolicyIssued"]
    payload = json.loads(events[0]["payload"]["S"])
    assert (
        payload["product_name"]
        and payload["insurer_name"]
        and payload["gross_cents"] >= payload["premium_cents"]
    )
    # No sales counter in the sale's transaction: the reports count the event off the stream.
    assert not reports.__dict__.get("sales_counters")


def test_given_concurrent_issue_calls_for_one_order_then_one_policy(aws, new_application):
    from policy import store, tasks

    application = new_application()
    results = []

    def issue():
        results.append(tasks.issue({"order_id": application["order_id"], "application": application}))

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r["policy_no"] for r in results}) == 1
    assert store.policy_for_order(application["order_id"]) == results[0]["policy_no"]


def test_given_the_sum_insured_limit_when_a_person_buys_again_then_declined(aws, new_application):
    from policy import tasks

    application = new_application(plan="premium")  # 2,000,000 of the product's 3,000,000 per person
    assert (
        tasks.underwrite({"order_id": application["order_id"], "application": application})["outcome"]
        == "accept"
    )
    tasks.issue({"order_id": application["order_id"], "application": application})
    again = {**new_application(plan="premium"), "insured": application["insured"]}
    decision = tasks.underwrite({"order_id": again["order_id"], "application": again})
    assert decision["outcome"] == "decline"
    assert "SUM_INSURED_LIMIT" in decision["rule_codes"]
    # A retried underwrite returns the first decision, whatever happened since.
    assert tasks.underwrite({"order_id": again["order_id"], "application": again}) == decision


def test_given_a_paid_intent_when_refunds_race_then_the_customer_is_refunded_once(aws):
    from checkout import payments, store
    from insuremall.errors import Conflict

    provider = payments.provider()
    intent = provider.create_intent("ORDREFUNDRACE", 10_000, "CNY")
    assert store.set_intent_status(
        intent["intent_id"],
        "succeeded",
        "requires_payment",
        paid_at="2026-11-25T00:00:00Z",
        refundable_cents=10_000,
    )
    refunds = []

    def refund():
        refunds.append(provider.refund(intent["intent_id"], 10_000, "ORDREFUNDRACE-refund", "declined"))

    threads = [threading.Thread(target=refund) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r["refund_id"] for r in refunds}) == 1
    assert store.get_intent(intent["intent_id"])["refunded_cents"] == 10_000
    with pytest.raises(Conflict):
        provider.refund(intent["intent_id"], 1, "ORDREFUNDRACE-extra", "more than was paid")


def test_given_an_order_when_the_same_transition_repeats_then_nothing_changes_twice(aws):
    from checkout import store

    order = {
        "order_id": "ORDTRANSITION1",
        "product_id": "p",
        "product_name": "P",
        "quote_id": "q",
        "premium_cents": 100,
        "channel": "h5",
        "application": {},
        "created_at": store.now_iso(),
    }
    store.create_order(order, "customer-9", None, "hash", 0)
    _, changed_first = store.transition("ORDTRANSITION1", "cancelled", ("pending_payment",), note="test")
    current, changed_again = store.transition(
        "ORDTRANSITION1", "cancelled", ("pending_payment",), note="test"
    )
    assert (changed_first, changed_again) == (True, False)
    assert [h["status"] for h in current["history"]] == ["pending_payment", "cancelled"]
    with pytest.raises(store.InvalidTransition):
        store.transition("ORDTRANSITION1", "paid", ("awaiting_payment",))


def test_given_policies_ending_in_the_window_when_the_renewal_job_runs_twice_then_one_offer_each(
    aws, new_application
):
    from policy import store, tasks

    run_day = date(2031, 2, 27)
    window = aws.template.parameters["RenewalWindowDays"]
    ending = run_day + timedelta(days=int(window))
    # A 1-year policy starting the day after `ending` a year earlier ends on `ending`.
    application = new_application(start=ending.replace(year=ending.year - 1) + timedelta(days=1))
    assert application["end_date"] == ending.isoformat()
    issued = tasks.issue({"order_id": application["order_id"], "application": application})

    first = tasks.renewal_offers({"date": run_day.isoformat()})
    second = tasks.renewal_offers({"date": run_day.isoformat()})

    assert (first["offers_created"], second["offers_created"], second["already_offered"]) == (1, 0, 1)
    offer = aws.client("dynamodb").get_item(
        TableName=aws.template.physical_name("PolicyTable"),
        Key={"pk": {"S": f"RENEWAL#{issued['policy_no']}"}, "sk": {"S": "OFFER"}},
    )["Item"]
    assert offer["status"]["S"] == "offered"
    assert store.get_policy(issued["policy_no"])["status"] == "in_force"


def test_given_a_policy_past_its_end_when_expiry_runs_twice_then_it_expires_once(aws, new_application):
    from policy import store, tasks

    application = new_application(start=date(2029, 3, 1))
    issued = tasks.issue({"order_id": application["order_id"], "application": application})
    after_end = date.fromisoformat(application["end_date"]) + timedelta(days=1)

    first = tasks.expire_policies({"date": after_end.isoformat()})
    second = tasks.expire_policies({"date": after_end.isoformat()})

    assert first["expired"] >= 1 and second["expired"] == 0
    assert store.get_policy(issued["policy_no"])["status"] == "expired"
    insured_key = application["insured"][0]["insured_key"]
    assert store.in_force_sum_insured(insured_key, "accident") == 0


def test_given_a_sale_when_the_daily_export_runs_then_csv_and_xlsx_land_in_the_reports_bucket(
    aws, new_application
):
    """Issue -> EventsTable -> its stream -> the reports' counting -> the daily export, all real."""
    import io
    import zipfile

    from openpyxl import load_workbook

    from local.streams import StreamPoller
    from policy import tasks as policy_tasks
    from reports import tasks as report_tasks

    reports_only = [s for s in aws.template.stream_subscriptions() if s.function == "ReportsTasksFunction"]
    poller = StreamPoller(aws, subscriptions=reports_only, starting_position="LATEST", retry_delay=0)
    poller.drain(timeout=10)  # from now on
    application = new_application()
    policy_tasks.issue({"order_id": application["order_id"], "application": application})
    poller.drain(timeout=10)
    day = _china_today()

    result = report_tasks.export_daily_sales({"date": day})

    assert result["policies"] >= 1 and result["keys"] == [
        f"sales/daily/{day[:4]}/{day}.csv",
        f"sales/daily/{day[:4]}/{day}.xlsx",
    ]
    s3, bucket = aws.client("s3"), aws.template.physical_name("ReportsBucket")
    header, *rows = (
        s3.get_object(Bucket=bucket, Key=result["keys"][0])["Body"].read().decode().strip().split("\n")
    )
    assert header.startswith("from,to,dimension,key,name,policies_issued,")
    assert any(row.startswith(f"{day},{day},region,31,Shanghai,") for row in rows), rows
    workbook = s3.get_object(Bucket=bucket, Key=result["keys"][1])["Body"].read()
    sheets = load_workbook(io.BytesIO(workbook), read_only=True)
    assert sheets.sheetnames == ["Summary", "Region", "Insurer", "Product", "Category", "Channel", "Partner"]
    issued = next(r for r in sheets["Summary"].iter_rows(values_only=True) if r[0] == "Policies issued")
    assert issued[1] == result["policies"]
    assert (
        sum(1 for name in zipfile.ZipFile(io.BytesIO(workbook)).namelist() if name.startswith("xl/charts/"))
        == 7
    )


def _china_today() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone(timedelta(hours=8))).date().isoformat()
