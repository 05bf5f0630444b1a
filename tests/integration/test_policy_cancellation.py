"""Cancellation through the policy routes in-process: quote, confirm, refund once, retries, operators."""

from __future__ import annotations

import base64
import json
import threading
from datetime import date, timedelta

import pytest
from test_catalog_admin import _signed_in

from insuremall.clock import china_today


def _subject(api) -> str:
    payload = api.token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


@pytest.fixture(scope="module")
def customer(aws):
    return _signed_in(aws)


@pytest.fixture(scope="module")
def stranger(aws):
    return _signed_in(aws)


@pytest.fixture(scope="module")
def operator(aws):
    return _signed_in(aws, groups=("operators",))


def paid_policy(api, new_application, product_id="accident-guardian", **changes) -> dict:
    """An issued policy of `api`'s customer, paid through the sandbox provider."""
    from checkout import payments
    from checkout import store as checkout_store
    from policy import store, tasks

    application = new_application(product_id, **changes.pop("factors", {}))
    application["customer_id"] = _subject(api)
    application["product"].update(changes.pop("product", {}))
    intent = payments.provider().create_intent(application["order_id"], application["premium_cents"], "CNY")
    checkout_store.set_intent_status(
        intent["intent_id"],
        "succeeded",
        "requires_payment",
        paid_at="2026-11-25T10:00:00+08:00",
        refundable_cents=application["premium_cents"],
    )
    payment = {"intent_id": intent["intent_id"], "paid_at": "2026-11-25T10:00:00+08:00"}
    no = tasks.issue({"order_id": application["order_id"], "application": application, "payment": payment})
    tasks.publish_document(no["policy_no"])  # the saga's PublishPolicyDocument step
    return store.get_policy(no["policy_no"], consistent=True)


def intent_of(policy):
    from checkout import payments

    return payments.provider().get_intent(policy["premium"]["payment_intent_id"])


def test_given_cooling_off_when_quoted_and_confirmed_then_full_refund_once(aws, customer, new_application):
    policy = paid_policy(customer, new_application)
    no, premium = policy["policy_no"], policy["premium_cents"]

    status, quote = customer.get(f"/policies/{no}/cancellation-quote")
    assert status == 200, quote
    assert (quote["rule"], quote["within_cooling_off"], quote["refund_cents"]) == (
        "cooling_off",
        True,
        premium,
    )

    body = {"reason": "changed_mind", "refund_cents": premium}
    status, result = customer.post(f"/policies/{no}/cancellation", body)
    assert status == 200, result
    assert result["policy"]["status"] == "cancelled"
    assert result["refund"]["status"] == "refunded" and result["refund"]["amount_cents"] == premium

    # the same request again returns the same result and refunds nothing more
    status, again = customer.post(f"/policies/{no}/cancellation", body)
    assert status == 200 and again == result
    assert intent_of(policy)["refunded_cents"] == premium

    status, detail = customer.get(f"/policies/{no}")
    assert detail["status"] == "cancelled" and detail["cancellation_reason"] == "changed_mind"
    assert detail["cancelled_on"] == quote["cancelled_on"] and detail["refund"]["amount_cents"] == premium

    from insuremall.models.events import DomainEventRecord
    from insuremall.models.policy import ExposureRecord

    event = DomainEventRecord.get(f"POLICY#{no}", "PolicyCancelled").payload
    assert event["refund_cents"] == premium and event["within_cooling_off"] is True
    assert event["reason_code"] == "changed_mind" and "parties" not in event
    insured_key = policy["parties"]["insured"][0]["insured_key"]
    assert ExposureRecord.get(f"INSURED#{insured_key}", f"POLICY#{no}").status == "cancelled"

    # the document is re-rendered as a new version for the cancelled policy
    from policy import store

    assert store.document_of(no)["policy_version"] == 2


def test_given_three_concurrent_requests_when_cancelling_then_one_refund(aws, customer, new_application):
    policy = paid_policy(customer, new_application)
    no, premium = policy["policy_no"], policy["premium_cents"]
    body = {"reason": "too_expensive", "refund_cents": premium}
    results = []

    def cancel():
        results.append(customer.post(f"/policies/{no}/cancellation", body))

    threads = [threading.Thread(target=cancel) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200, 200, 200], results
    assert len({json.dumps(r, sort_keys=True) for _, r in results}) == 1
    assert intent_of(policy)["refunded_cents"] == premium


def test_given_a_cancelled_policy_when_cancelled_again_differently_then_409(aws, customer, new_application):
    policy = paid_policy(customer, new_application)
    no, premium = policy["policy_no"], policy["premium_cents"]
    assert (
        customer.post(f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": premium})[0] == 200
    )
    status, body = customer.post(
        f"/policies/{no}/cancellation", {"reason": "changed_mind", "refund_cents": premium}
    )
    assert status == 409 and "already cancelled" in body["error"]["message"]
    assert customer.get(f"/policies/{no}/cancellation-quote")[0] == 409


def test_given_a_stale_amount_when_confirming_then_409_and_nothing_changes(aws, customer, new_application):
    policy = paid_policy(customer, new_application)
    no = policy["policy_no"]
    status, body = customer.post(f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": 1})
    assert status == 409, body
    assert customer.get(f"/policies/{no}")[1]["status"] == "in_force"


def test_given_bad_input_when_cancelling_then_422_by_field(aws, customer, new_application):
    no = paid_policy(customer, new_application)["policy_no"]
    status, body = customer.post(f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": "12"})
    assert status == 422 and set(body["error"]["fields"]) == {"refund_cents"}, body
    status, body = customer.post(f"/policies/{no}/cancellation", {"reason": " ", "refund_cents": 12})
    assert status == 422 and set(body["error"]["fields"]) == {"reason"}, body


def test_given_another_customers_policy_when_quoted_or_cancelled_then_404(
    aws, customer, stranger, new_application
):
    policy = paid_policy(customer, new_application)
    no = policy["policy_no"]
    assert stranger.get(f"/policies/{no}/cancellation-quote")[0] == 404
    body = {"reason": "other", "refund_cents": policy["premium_cents"]}
    assert stranger.post(f"/policies/{no}/cancellation", body)[0] == 404
    assert stranger.post(f"/admin/policies/{no}/cancellation", {"reason": "x"})[0] == 403


def test_given_cooling_off_over_when_quoted_then_the_product_rule_applies(aws, customer, new_application):
    # no cooling-off and cover from today: the accident product's short-rate table applies
    policy = paid_policy(
        customer, new_application, factors={"start": china_today()}, product={"cooling_off_days": -1}
    )
    status, quote = customer.get(f"/policies/{policy['policy_no']}/cancellation-quote")
    assert status == 200, quote
    assert quote["rule"] == "short_rate" and quote["within_cooling_off"] is False
    assert quote["refund_cents"] == policy["premium_cents"] - round(policy["premium_cents"] * 0.10)


def test_given_an_operator_when_cancelling_for_a_customer_then_audited(
    aws, customer, operator, new_application
):
    policy = paid_policy(customer, new_application)
    no = policy["policy_no"]
    status, result = operator.post(
        f"/admin/policies/{no}/cancellation", {"reason": "Customer called: duplicate cover"}
    )
    assert status == 200, result
    assert result["policy"]["cancelled_by"] == "operator"
    assert result["refund"]["amount_cents"] == policy["premium_cents"]
    status, trail = operator.get("/admin/audit", query=f"entity=policy:{no}")
    assert status == 200, trail
    (entry,) = trail["entries"]
    assert entry["action"] == "policy.cancelled" and entry["actor"]["email"] == operator.email
    assert operator.post("/admin/policies/NOPE123/cancellation", {"reason": "x"})[0] == 404


def test_given_the_refund_step_crashed_when_retried_then_it_completes(
    aws, customer, new_application, monkeypatch
):
    from checkout import payments

    policy = paid_policy(customer, new_application)
    no, premium = policy["policy_no"], policy["premium_cents"]
    body = {"reason": "other", "refund_cents": premium}

    def crash(*args, **kwargs):
        raise RuntimeError("provider unreachable")

    monkeypatch.setattr(payments.SandboxProvider, "refund", crash)
    status, _ = customer.post(f"/policies/{no}/cancellation", body)
    assert status == 500
    assert customer.get(f"/policies/{no}")[1]["refund"]["status"] == "pending"
    monkeypatch.undo()
    status, result = customer.post(f"/policies/{no}/cancellation", body)
    assert status == 200 and result["refund"]["status"] == "refunded"
    assert intent_of(policy)["refunded_cents"] == premium


def test_given_a_refund_left_pending_when_the_retry_task_runs_twice_then_refunded_once(
    aws, customer, new_application, monkeypatch
):
    from checkout import payments
    from policy import store, tasks

    policy = paid_policy(customer, new_application)
    no, premium = policy["policy_no"], policy["premium_cents"]

    def outage(*args, **kwargs):
        raise RuntimeError("provider unreachable")

    monkeypatch.setattr(payments.SandboxProvider, "refund", outage)
    status, _ = customer.post(f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": premium})
    assert status == 500 and no in store.pending_refunds()
    monkeypatch.undo()

    first = tasks.retry_refunds({})
    second = tasks.retry_refunds({})

    assert first["refunded"] >= 1 and no not in store.pending_refunds()
    assert no not in second["still_pending"] and intent_of(policy)["refunded_cents"] == premium
    assert customer.get(f"/policies/{no}")[1]["refund"]["status"] == "refunded"


def test_given_cover_not_started_and_no_cooling_off_when_quoted_then_full_refund(
    aws, customer, new_application
):
    policy = paid_policy(
        customer,
        new_application,
        "travel-asia-explorer",
        factors={"start": china_today() + timedelta(days=3), "plan": "essential"},
    )
    no = policy["policy_no"]
    status, quote = customer.get(f"/policies/{no}/cancellation-quote")
    assert status == 200 and quote["rule"] == "not_started" and quote["within_cooling_off"] is False
    assert quote["refund_cents"] == policy["premium_cents"]
    starts = policy["start_date"]
    assert quote["explanation"] == f"Full refund: your cover has not started yet: it starts on {starts}"
    assert "cooling-off" not in quote["explanation"]
    assert quote["cover"] == f"Your cover, due to start on {starts}, will not start"
    # The policy page's rules: no cooling-off period for this product, so none is named.
    detail = customer.get(f"/policies/{no}")[1]
    assert [t["rule"] for t in detail["cancellation_terms"]] == ["not_started", "none"]
    assert (
        detail["cancellation_terms"][0]["until"]
        == (date.fromisoformat(starts) - timedelta(days=1)).isoformat()
    )
    status, result = customer.post(
        f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": quote["refund_cents"]}
    )
    assert status == 200, result
    assert result["policy"]["refund_rule"] == "not_started"
    assert result["policy"]["refund_explanation"] == quote["explanation"]


def test_given_a_product_without_cooling_off_when_cover_started_today_then_its_own_rule_is_named(
    aws, customer, new_application
):
    # The demo travel product as it is: 0 cooling-off days, no refund once cover has started.
    policy = paid_policy(
        customer,
        new_application,
        "travel-asia-explorer",
        factors={"start": china_today(), "plan": "essential"},
    )
    status, quote = customer.get(f"/policies/{policy['policy_no']}/cancellation-quote")
    assert status == 200, quote
    assert (quote["rule"], quote["within_cooling_off"], quote["refund_cents"]) == ("none", False, 0)
    assert quote["explanation"] == "No refund: this product refunds nothing once cover has started"
    assert quote["cover"].startswith(f"Your cover ends at the end of today, {china_today().isoformat()}")
    terms = customer.get(f"/policies/{policy['policy_no']}")[1]["cancellation_terms"]
    assert [t["rule"] for t in terms] == ["none"]


def test_given_cooling_off_when_the_policy_is_read_then_each_rule_from_today_is_named_in_order(
    aws, customer, new_application
):
    policy = paid_policy(customer, new_application)  # accident: 15 days' cooling-off, cover from tomorrow
    no = policy["policy_no"]
    terms = customer.get(f"/policies/{no}")[1]["cancellation_terms"]
    assert [t["rule"] for t in terms] == ["cooling_off", "short_rate"]
    assert terms[0]["until"] == policy["cooling_off_until"] and terms[1]["until"] is None
    quote = customer.get(f"/policies/{no}/cancellation-quote")[1]
    assert quote["rule"] == "cooling_off"
    assert quote["explanation"] == (
        f"Full refund: you are within the cooling-off period, which ends on {policy['cooling_off_until']}"
    )


def test_given_no_refund_after_cooling_off_when_cancelled_then_nothing_is_refunded(
    aws, customer, new_application
):
    # travel: no refund once cover has started and cooling-off is over
    policy = paid_policy(
        customer,
        new_application,
        "travel-asia-explorer",
        factors={"start": china_today(), "plan": "essential"},
        product={"cooling_off_days": -1},
    )
    no = policy["policy_no"]
    status, quote = customer.get(f"/policies/{no}/cancellation-quote")
    assert status == 200 and (quote["rule"], quote["refund_cents"]) == ("none", 0), quote
    status, result = customer.post(f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": 0})
    assert status == 200, result
    assert result["refund"] == {"status": "none", "amount_cents": 0}
    assert intent_of(policy).get("refunded_cents", 0) == 0


def sold_order(policy: dict) -> str:
    """The checkout order that sold `policy`, issued as the saga leaves it."""
    from checkout import store as checkout_store

    application = {
        "plan": {"name": "Standard"},
        "term": {"label": "1 year"},
        "start_date": policy["start_date"],
        "end_date": policy["end_date"],
        "premium": policy["premium"],
        "policyholder": policy["parties"]["policyholder"],
        "insured": policy["parties"]["insured"],
        "beneficiaries": [],
    }
    order = {
        "order_id": policy["order_id"],
        "product_id": policy["product_id"],
        "product_name": "Guardian Personal Accident",
        "quote_id": "Q-test",
        "premium_cents": policy["premium_cents"],
        "channel": "h5",
        "application": application,
        "created_at": checkout_store.now_iso(),
    }
    checkout_store.create_order(order, policy["customer_id"], None, "", 0)
    checkout_store.transition(
        policy["order_id"], "issued", ("pending_payment",), policy_no=policy["policy_no"]
    )
    return policy["order_id"]


def test_given_an_issued_order_when_its_policy_is_cancelled_and_refunded_then_the_order_says_so(
    aws, customer, stranger, new_application, monkeypatch
):
    from checkout import payments

    policy = paid_policy(customer, new_application)
    no, premium = policy["policy_no"], policy["premium_cents"]
    order_id = sold_order(policy)
    status, order = customer.get(f"/orders/{order_id}")
    assert (status, order["status"], order["status_label"]) == (200, "issued", "Policy issued")

    # Cancelled, the refund not paid yet (the provider is down): cancelled, and the refund on its way.
    def outage(*args, **kwargs):
        raise RuntimeError("provider unreachable")

    monkeypatch.setattr(payments.SandboxProvider, "refund", outage)
    assert (
        customer.post(f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": premium})[0] == 500
    )
    monkeypatch.undo()
    order = customer.get(f"/orders/{order_id}")[1]
    assert (order["status"], order["status_label"]) == ("policy_cancelled", "Policy cancelled")
    assert order["status_reason"] == f"A refund of CNY {premium / 100:.2f} is on its way"
    assert order["refund"] is None and order["policy_no"] == no
    assert [h["status"] for h in order["history"]][-2:] == ["issued", "policy_cancelled"]

    # Refunded: the order shows the refund, in the list too.
    assert (
        customer.post(f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": premium})[0] == 200
    )
    order = customer.get(f"/orders/{order_id}")[1]
    assert (order["status"], order["status_label"]) == ("refunded", "Policy cancelled - refunded")
    assert order["refund"]["amount_cents"] == premium and order["refund"]["created_at"]
    assert order["status_reason"] is None
    listed = next(o for o in customer.get("/orders")[1]["orders"] if o["order_id"] == order_id)
    assert (listed["status"], listed["status_label"]) == ("refunded", "Policy cancelled - refunded")
    assert stranger.get(f"/orders/{order_id}")[0] == 404

    # The order's own record keeps the saga's status: only the view follows the policy.
    from checkout import store as checkout_store

    assert checkout_store.get_order(order_id, consistent=True)["status"] == "issued"
