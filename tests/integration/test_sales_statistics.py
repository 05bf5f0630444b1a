"""Sales figures counted off the events stream over the embedded AWS: each event once whatever the
redelivery or order, a batch staged then folded into one update per figure item, what a stopped fold left
finished by the sweep, and the statistics API over them."""

from __future__ import annotations

import uuid

import pytest

from insuremall import events
from tests.integration.test_catalog_admin import Api, _signed_in

DAY = "2031-03-14"  # a day no other test sells on


@pytest.fixture(scope="module")
def operator(aws) -> Api:
    return _signed_in(aws, groups=("operators",))


def _stored(aws, event: events.Event, pk: str) -> dict:
    """The stream record Lambda would deliver for this event, as EventsTable stores it."""
    from insuremall.models.events import DomainEventRecord

    at = getattr(event, "issued_at", None) or f"{event.cancelled_on}T02:00:00.000+00:00"
    DomainEventRecord(
        pk=pk, sk=event.type, event_type=event.type, occurred_at=at, payload=event.payload(),
        gsi1pk=f"{event.type}#{at[:10]}", gsi1sk=f"{at}#{pk}",
    ).save()  # fmt: skip
    item = aws.client("dynamodb").get_item(
        TableName=aws.template.physical_name("EventsTable"), Key={"pk": {"S": pk}, "sk": {"S": event.type}}
    )["Item"]
    return {"eventName": "INSERT", "dynamodb": {"NewImage": item, "SequenceNumber": uuid.uuid4().hex}}


def _issued(product: str, region: str, no: str, premium: int = 20000) -> events.PolicyIssued:
    return events.PolicyIssued(
        policy_no=no, order_id=f"O{no}", customer_id="c", product_id=product, plan="basic", term="1Y",
        sum_insured=100000, premium_cents=premium, start_date=DAY, end_date="2032-03-13",
        issued_at=f"{DAY}T04:00:00.000+00:00", channel="h5", insurer_id="jade-pc", product_kind="accident",
        region=region, category_id="accident", product_name=f"Product {product}", insurer_name="Jade P&C",
    )  # fmt: skip


def _count(aws, records: list[dict]) -> None:
    result, error = aws.runtime.invoke("ReportsTasksFunction", {"Records": records})
    assert error is None, result


def test_given_events_delivered_twice_and_out_of_order_then_the_statistics_count_each_once(aws, operator):
    product = f"p-{uuid.uuid4().hex[:8]}"
    sold = [_stored(aws, _issued(product, region, f"S{product}{i}"), f"POLICY#S{product}{i}") for i, region in
            enumerate(["31", "44", "31"])]  # fmt: skip
    cancel = events.PolicyCancelled(
        policy_no=f"S{product}0", order_id="O", customer_id="c", product_id=product, cancelled_on=DAY,
        rule="cooling_off", refund_cents=20000, premium_cents=20000, insurer_id="jade-pc", region="31",
        channel="h5", category_id="accident", product_name=f"Product {product}",
    )  # fmt: skip
    cancelled = _stored(aws, cancel, f"POLICY#S{product}0")

    _count(aws, [cancelled, sold[2]])
    _count(aws, [sold[0], sold[1], sold[2], cancelled])  # a redelivery, in another order

    status, body = operator.get("/reports/sales", f"from={DAY}&to={DAY}&by=product")
    assert status == 200, body
    (row,) = [r for r in body["rows"] if r["key"] == product]
    assert row | {} == row and (row["name"], row["policies_issued"], row["policies_cancelled"]) == (
        f"Product {product}",
        3,
        1,
    )
    assert (row["gross_premium"], row["refunded_premium"], row["net_premium"]) == (
        "600.00",
        "200.00",
        "400.00",
    )
    status, by_region = operator.get("/reports/sales", f"from={DAY}&to={DAY}&by=region")
    names = {r["key"]: r["name"] for r in by_region["rows"]}
    assert names["31"] == "Shanghai" and names["44"] == "Guangdong"


def test_given_a_batch_of_90_sales_of_one_product_then_one_update_per_figure_item_counts_them(
    aws, operator, monkeypatch
):
    from reports import store

    product = f"p-{uuid.uuid4().hex[:8]}"
    records = [
        _stored(aws, _issued(product, "31", f"B{product}{i}"), f"POLICY#B{product}{i}") for i in range(90)
    ]
    applied = []
    real_apply = store.apply
    monkeypatch.setattr(
        store,
        "apply",
        lambda staged_id, part, rest: (applied.append(len(part)), real_apply(staged_id, part, rest))[1],
    )

    _count(aws, records)

    assert applied == [6]  # one update per dimension value, for all 90 events
    assert all(not store.staged(lane) for lane in range(store.LANES))
    rows = store.figures(DAY, "product")
    assert [r["policies_issued"] for r in rows if r["key"] == product] == [90]


def test_given_a_count_stopped_after_staging_then_the_sweep_folds_it_once(aws):
    from reports import counting, store
    from reports.domain import figures

    product = f"p-{uuid.uuid4().hex[:8]}"
    sales = [_issued(product, "44", f"S{product}{i}") for i in range(3)]
    store.stage(
        [f"POLICY#{e.policy_no}|PolicyIssued" for e in sales], figures.summed(sales)
    )  # then it stopped

    first, _ = aws.runtime.invoke("ReportsTasksFunction", {"task": "fold_staged_sales"})
    second, _ = aws.runtime.invoke("ReportsTasksFunction", {"task": "fold_staged_sales"})

    assert first["figure_updates"] == 6 and second["writes"] == 0
    rows = store.figures(DAY, "product")
    assert [r["policies_issued"] for r in rows if r["key"] == product] == [3]
    assert counting.sweep(store, store.LANES).writes == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-12-01", "to"), ("from=2026-01-01&to=2026-12-31&by=colour", "by")],
)
def test_given_a_bad_query_then_422_names_the_field(operator, query, field):
    status, body = operator.get("/reports/sales", query)
    assert status == 422 and field in body["error"]["fields"]


def test_given_a_customer_then_the_statistics_are_refused(aws):
    customer = _signed_in(aws)
    status, _ = customer.get("/reports/sales", "from=2026-12-01&to=2026-12-01")
    assert status == 403
