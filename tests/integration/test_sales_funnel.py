"""The purchase funnel over the embedded AWS: purchases through the real routes and saga write checkout's
funnel events, the reports' stream subscription (the template's, with its filter) counts them, and
GET /reports/sales shows them: quote -> order -> paid -> issued is 1/1/1/1; a decline by the rules and a
referral declined by an underwriter count; a redelivered batch counts nothing twice.

The poller starts at LATEST and delivers only to ReportsTasksFunction, so only this module's purchases are
counted by it; each test compares the figures before and after (other tests may count on the same day)."""

from __future__ import annotations

import time
import uuid

import pytest
from test_catalog_admin import Api, _order_body, _signed_in

from insuremall.clock import china_today
from local.streams import StreamPoller

FUNCTION = "ReportsTasksFunction"
FUNNEL = ("quotes", "orders", "paid", "policies_issued", "declined", "referred")
ACCIDENT = {"product_id": "accident-guardian", "plan": "standard", "age": 36, "gender": "M", "term": "1Y",
            "occupation_class": 1}  # fmt: skip
MEDICAL = {"product_id": "medical-million", "plan": "standard", "age": 36, "gender": "M", "term": "1Y"}


@pytest.fixture(scope="module")
def operator(aws) -> Api:
    return _signed_in(aws, groups=("operators",))


@pytest.fixture(scope="module")
def buyer(aws) -> Api:
    return _signed_in(aws)


@pytest.fixture
def reports_stream(aws, monkeypatch):
    """The template's reports subscription, from now on; the records it delivered are kept."""
    delivered: list[dict] = []
    invoke = aws.runtime.invoke

    def recording(function, event):
        if function.endswith(FUNCTION) and "Records" in event:  # the poller names it by ARN
            delivered.extend(event["Records"])
        return invoke(function, event)

    monkeypatch.setattr(aws.runtime, "invoke", recording)
    mine = [s for s in aws.template.stream_subscriptions() if s.function == FUNCTION]
    poller = StreamPoller(aws, subscriptions=mine, starting_position="LATEST", retry_delay=0)
    poller.delivered = delivered
    return poller


def _funnel(operator: Api, product: str) -> dict[str, int]:
    day = china_today().isoformat()
    status, body = operator.get("/reports/sales", f"from={day}&to={day}&by=product")
    assert status == 200, body
    row = next((r for r in body["rows"] if r["key"] == product), {})
    return {figure: row.get(figure, 0) for figure in FUNNEL}


def _change(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {figure: after[figure] - before[figure] for figure in FUNNEL}


def _wait(order_id: str, statuses: set[str]) -> dict:
    from checkout import store

    deadline = time.monotonic() + 20
    while (order := store.get_order(order_id, consistent=True))["status"] not in statuses:
        assert time.monotonic() < deadline, f"order stayed {order['status']}"
        time.sleep(0.05)
    return order


def _bought(buyer: Api, form: dict, answers: dict, until: set[str]) -> dict:
    """Quote, order and pay through the routes; the order once the saga took it to one of `until`."""
    status, quote = buyer.post("/quotes", form)
    assert status == 201, quote
    body = _order_body(quote) | {"health_answers": answers}
    status, order = buyer.post("/orders", body, headers={"idempotency-key": uuid.uuid4().hex})
    assert status == 201, order
    _wait(order["order_id"], {"awaiting_payment"})
    status, view = buyer.get(f"/orders/{order['order_id']}")
    payment = view["payment"]
    status, paid = buyer.post(
        f"/sandbox-payments/{payment['intent_id']}/pay", {"client_secret": payment["client_secret"]}
    )
    assert status == 200, paid
    return _wait(order["order_id"], until)


def test_given_a_quote_an_order_a_payment_and_a_policy_then_the_funnel_is_one_of_each(
    aws, operator, buyer, reports_stream
):
    before = _funnel(operator, "accident-guardian")

    order = _bought(buyer, ACCIDENT, {"hq_disability": False}, {"issued"})
    reports_stream.drain()

    assert _change(before, _funnel(operator, "accident-guardian")) == {
        "quotes": 1, "orders": 1, "paid": 1, "policies_issued": 1, "declined": 0, "referred": 0,
    }  # fmt: skip
    types = sorted(r["dynamodb"]["NewImage"]["event_type"]["S"] for r in reports_stream.delivered)
    assert types == ["OrderPaid", "OrderPlaced", "PolicyIssued", "QuoteGiven"]
    keys = {r["dynamodb"]["NewImage"]["pk"]["S"] for r in reports_stream.delivered}
    assert f"ORDER#{order['order_id']}" in keys

    # The same records delivered again (a retried batch) count nothing twice.
    result, error = aws.runtime.invoke(FUNCTION, {"Records": list(reports_stream.delivered)})
    assert error is None, result
    assert _change(before, _funnel(operator, "accident-guardian"))["quotes"] == 1
    assert _change(before, _funnel(operator, "accident-guardian"))["paid"] == 1


def test_given_a_decline_by_the_rules_and_a_referral_an_underwriter_declines_then_both_count(
    operator, buyer, reports_stream
):
    medical, accident = _funnel(operator, "medical-million"), _funnel(operator, "accident-guardian")

    declined = _bought(
        buyer, MEDICAL, {"hq_cancer": True, "hq_hospital": False, "hq_chronic": False}, {"declined"}
    )
    referred = _bought(buyer, ACCIDENT, {"hq_disability": True}, {"referred"})
    reports_stream.drain()

    assert _change(medical, _funnel(operator, "medical-million")) == {
        "quotes": 1, "orders": 1, "paid": 1, "policies_issued": 0, "declined": 1, "referred": 0,
    }  # fmt: skip
    assert _change(accident, _funnel(operator, "accident-guardian"))["referred"] == 1
    assert declined["status"] == "declined" and referred["status"] == "referred"

    deadline = time.monotonic() + 10
    while operator.post(
        f"/underwriting/referrals/{referred['order_id']}/decision",
        {"decision": "decline", "note": "Not insurable on this product"},
    )[0] == 404:  # fmt: skip
        assert time.monotonic() < deadline, "the referral never reached the operators' queue"
        time.sleep(0.1)
    _wait(referred["order_id"], {"declined"})
    reports_stream.drain()

    assert _change(accident, _funnel(operator, "accident-guardian")) == {
        "quotes": 1, "orders": 1, "paid": 1, "policies_issued": 0, "declined": 1, "referred": 1,
    }  # fmt: skip


def test_given_the_by_region_statistics_then_quotes_have_no_region_and_orders_have_the_buyers(
    operator, buyer, reports_stream
):
    day = china_today().isoformat()

    def regions():
        status, body = operator.get("/reports/sales", f"from={day}&to={day}&by=region")
        assert status == 200, body
        return {r["key"]: r for r in body["rows"]}

    before = regions()
    _bought(buyer, ACCIDENT, {"hq_disability": False}, {"issued"})
    reports_stream.drain()
    after = regions()

    assert after["unknown"]["quotes"] - before.get("unknown", {}).get("quotes", 0) == 1
    assert after["11"]["orders"] - before.get("11", {}).get("orders", 0) == 1  # _order_body: Beijing
    assert after["11"]["name"] == "Beijing"
