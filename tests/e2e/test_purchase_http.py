"""A policy bought end to end over HTTP on the local platform, and the ways it must not go wrong."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from shop import ApiClient, order_body, pay, place_order, quote, sign_up, wait_for_order

from checkout.domain import webhook_signature
from local.embedded_aws import LOCAL_PARAMETERS
from local.lambda_runtime import Fault

pytestmark = pytest.mark.e2e
FINAL = {"issued", "declined", "failed", "cancelled"}
SECRET = LOCAL_PARAMETERS["PaymentWebhookSecret"].encode()


def signed_webhook(order: dict, timestamp: int | None = None, amount: int | None = None) -> tuple[bytes, str]:
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {
            "intent_id": order["payment"]["intent_id"],
            "order_id": order["order_id"],
            "amount_cents": amount if amount is not None else _cents(order["premium"]["total"]),
            "currency": "CNY",
            "paid_at": "2026-11-25T10:00:00.000+00:00",
        },
    }
    body = json.dumps(event).encode()
    return body, webhook_signature.sign(SECRET, body, timestamp or int(time.time()))


def _cents(total: str) -> int:
    return int(round(float(total) * 100))


def post_webhook(client: ApiClient, body: bytes, signature: str | None):
    headers = {"Content-Type": "application/json", **({"X-Signature": signature} if signature else {})}
    return client.http.post(client.base + "/payments/webhook", data=body, headers=headers, timeout=30)


def test_given_a_customer_when_they_quote_order_and_pay_then_a_policy_is_issued(customer, anonymous):
    quoted = quote(anonymous)
    assert quoted["premium"]["total"] == "169.00" and not quoted["expired"]
    order = place_order(customer, quoted)
    assert order["policyholder"]["id_number"].count("*") == 11  # masked in responses
    assert order["policyholder"]["phone"] == "139****5678"

    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], FINAL)

    assert issued["status"] == "issued", issued
    assert [h["status"] for h in issued["history"]] == [
        "pending_payment",
        "awaiting_payment",
        "paid",
        "issued",
    ]
    policies = customer.get("/policies").json()["policies"]
    assert [p["policy_no"] for p in policies] == [issued["policy_no"]]
    detail = customer.get(f"/policies/{issued['policy_no']}").json()
    assert detail["status"] == "in_force"
    assert detail["premium"] == "169.00" and detail["sum_insured"] == 1_000_000
    assert (
        detail["insured_persons"][0]["id_number"].startswith("110")
        and "*" in detail["insured_persons"][0]["id_number"]
    )
    assert detail["start_date"] == quoted["inputs"]["start_date"]


def test_given_one_payment_when_the_webhook_arrives_five_times_at_once_then_exactly_one_policy(
    platform, customer
):
    order = place_order(customer, quote(customer))
    body, signature = signed_webhook(order)
    responses = []

    def deliver():
        responses.append(post_webhook(customer, body, signature))

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status_code for r in responses) == [200] * 5
    assert sum(1 for r in responses if r.json().get("duplicate") is False) == 1
    issued = wait_for_order(customer, order["order_id"], FINAL)
    assert issued["status"] == "issued"
    assert len(customer.get("/policies").json()["policies"]) == 1
    history = [h["status"] for h in customer.get(f"/orders/{order['order_id']}").json()["history"]]
    assert history.count("paid") == 1 and history.count("issued") == 1


@pytest.mark.parametrize("kind", ["fraction", "string", "true", "beyond 2^53"])
def test_given_a_signed_webhook_whose_amount_is_not_a_strict_integer_then_422_and_the_order_stays_unpaid(
    customer, kind
):
    order = place_order(customer, quote(customer))
    cents = _cents(order["premium"]["total"])
    amount = {"fraction": float(cents), "string": str(cents), "true": True, "beyond 2^53": 2**53 + 1}[kind]
    body, signature = signed_webhook(order, amount=amount)
    response = post_webhook(customer, body, signature)

    assert response.status_code == 422, response.text
    assert list(response.json()["error"]["fields"]) == ["data.amount_cents"]
    time.sleep(0.3)
    assert customer.get(f"/orders/{order['order_id']}").json()["status"] == "awaiting_payment"


@pytest.mark.parametrize("tamper", ["body", "signature", "stale", "missing"])
def test_given_a_bad_webhook_signature_then_401_and_the_order_is_unchanged(customer, tamper):
    order = place_order(customer, quote(customer))
    body, signature = signed_webhook(order, timestamp=int(time.time()) - 3600 if tamper == "stale" else None)
    if tamper == "body":
        body = body.replace(b'"currency": "CNY"', b'"currency": "USD"')
    if tamper == "signature":
        signature = signature[:-4] + ("0000" if not signature.endswith("0000") else "1111")
    response = post_webhook(customer, body, None if tamper == "missing" else signature)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    time.sleep(0.3)
    assert customer.get(f"/orders/{order['order_id']}").json()["status"] == "awaiting_payment"


def test_given_someone_elses_order_and_policy_then_404_and_without_a_token_401(platform, customer, anonymous):
    order = place_order(customer, quote(customer))
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], FINAL)
    stranger = sign_up(platform, "Stranger")

    assert stranger.get(f"/orders/{order['order_id']}").status_code == 404
    assert stranger.get(f"/policies/{issued['policy_no']}").status_code == 404
    assert stranger.get("/policies").json()["policies"] == []
    assert anonymous.get(f"/orders/{order['order_id']}").status_code == 401
    assert anonymous.get("/policies").status_code == 401
    assert ApiClient(customer.base, "not-a-jwt").get("/policies").status_code == 401


def test_given_an_expired_quote_when_ordering_then_409_and_no_order(platform, customer):
    quoted = quote(customer)
    platform.aws.client("dynamodb").update_item(
        TableName=platform.aws.template.physical_name("CheckoutTable"),
        Key={"pk": {"S": f"QUOTE#{quoted['quote_id']}"}, "sk": {"S": "QUOTE"}},
        UpdateExpression="SET valid_until = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )

    response = customer.post("/orders", json=order_body(quoted))

    assert response.status_code == 409
    assert "expired" in response.json()["error"]["message"]
    assert customer.get("/orders").json()["orders"] == []


def test_given_a_declining_health_answer_then_the_payment_is_refunded_and_no_policy(customer):
    quoted = quote(
        customer, "medical-million", plan="standard", age=40, gender="F", term="1Y", occupation_class=None
    )
    order = place_order(
        customer, quoted, health_answers={"hq_cancer": True, "hq_hospital": False, "hq_chronic": False}
    )
    pay(customer, order)
    closed = wait_for_order(customer, order["order_id"], FINAL)

    assert closed["status"] == "declined"
    assert closed["refund"]["amount_cents"] == _cents(quoted["premium"]["total"])
    assert closed["status_reason"]
    assert closed["policy_no"] is None
    assert customer.get("/policies").json()["policies"] == []


def test_given_an_issue_task_that_fails_twice_then_succeeds_then_one_policy(platform, customer):
    # "after": the task's writes happen, then the invocation fails, so the retry must find them.
    platform.aws.runtime.inject_fault(Fault("PolicyTasksFunction", "issue", times=2, when="after"))
    order = place_order(customer, quote(customer))
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], FINAL, timeout=60)

    assert issued["status"] == "issued"
    policies = customer.get("/policies").json()["policies"]
    assert [p["policy_no"] for p in policies] == [issued["policy_no"]]


def test_given_a_referring_answer_when_an_operator_accepts_then_the_policy_is_issued(customer, operator):
    quoted = quote(customer)
    order = place_order(customer, quoted, health_answers={"hq_disability": True})
    pay(customer, order)
    referred = wait_for_order(customer, order["order_id"], {"referred"} | FINAL)
    assert referred["status"] == "referred"
    assert customer.get("/underwriting/referrals").status_code == 403
    # The order shows "referred" one state before the referral queue has it: poll briefly.
    deadline = time.monotonic() + 10
    while order["order_id"] not in [
        r["order_id"] for r in operator.get("/underwriting/referrals").json()["referrals"]
    ]:
        assert time.monotonic() < deadline, "the referral never reached the operators' queue"
        time.sleep(0.1)

    bad = operator.post(f"/underwriting/referrals/{order['order_id']}/decision", json={"decision": "maybe"})
    assert bad.status_code == 422 and "decision" in bad.json()["error"]["fields"]
    decided = operator.post(
        f"/underwriting/referrals/{order['order_id']}/decision",
        json={"decision": "accept", "note": "Disability is unrelated to cover"},
    )
    assert decided.status_code == 200
    again = operator.post(
        f"/underwriting/referrals/{order['order_id']}/decision", json={"decision": "accept"}
    )
    assert again.status_code == 409

    issued = wait_for_order(customer, order["order_id"], FINAL)
    assert issued["status"] == "issued"


def test_given_an_unpaid_order_when_the_payment_window_passes_then_it_is_cancelled(customer):
    order = place_order(customer, quote(customer))
    cancelled = wait_for_order(customer, order["order_id"], FINAL, timeout=60)
    assert cancelled["status"] == "cancelled"
    payment = order["payment"]
    late = customer.post(
        f"/sandbox-payments/{payment['intent_id']}/pay", json={"client_secret": payment["client_secret"]}
    )
    assert late.status_code == 409


def test_given_the_same_idempotency_key_then_one_order(customer):
    quoted = quote(customer)
    body, key = order_body(quoted), {"Idempotency-Key": uuid.uuid4().hex}
    first = customer.post("/orders", json=body, headers=key)
    second = customer.post("/orders", json=body, headers=key)
    different = customer.post("/orders", json={**body, "channel": "pc"}, headers=key)

    assert (first.status_code, second.status_code, different.status_code) == (201, 200, 409)
    assert first.json()["order_id"] == second.json()["order_id"]
    assert len(customer.get("/orders").json()["orders"]) == 1


def test_given_bad_input_then_4xx_with_a_json_body_that_says_what_is_wrong(customer, anonymous):
    bad_quote = anonymous.post(
        "/quotes",
        json={"product_id": "accident-guardian", "plan": "gold", "age": 90, "gender": "M", "term": "1Y"},
    )
    assert bad_quote.status_code == 422
    assert {"plan", "age"} <= set(bad_quote.json()["error"]["fields"])
    bad_gender = anonymous.post(
        "/quotes", json={"product_id": "accident-guardian", "plan": "standard", "gender": "X", "term": "1Y"}
    )
    assert bad_gender.status_code == 422 and set(bad_gender.json()["error"]["fields"]) == {"gender"}
    not_json = customer.http.post(
        customer.base + "/orders",
        data=b"{not json",
        timeout=10,
        headers={"Authorization": f"Bearer {customer.token}"},
    )
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "invalid_json"
    quoted = quote(customer)
    bad_order = customer.post("/orders", json=order_body(quoted, accept_terms=False))
    assert bad_order.status_code == 422  # the contract: accept_terms is true
    assert bad_order.json()["error"]["fields"] == {
        "accept_terms": "read and accept the policy terms to continue"
    }
    unanswered = customer.post("/orders", json=order_body(quoted, health_answers={}))
    assert unanswered.status_code == 422  # the product's own questions
    assert set(unanswered.json()["error"]["fields"]) == {"health_answers.hq_disability"}
    assert anonymous.get("/products/no-such-product").status_code == 404
    assert anonymous.get("/products/medical-classic-2024").status_code == 404  # off shelf
    assert anonymous.get("/no-such-route").status_code == 404


# ---------- the sandbox provider: only the payer pays, the webhook goes where configured ----------


def test_given_only_an_intent_id_when_someone_else_pays_then_refused_and_the_payer_still_can(
    customer, anonymous, platform
):
    order = place_order(customer, quote(customer))
    payment = order["payment"]
    stranger = sign_up(platform, "Stranger")
    path = f"/sandbox-payments/{payment['intent_id']}/pay"

    refused = [
        anonymous.post(path, json={}),
        stranger.post(path, json={"client_secret": f"{payment['intent_id']}_secret_guess"}),
        stranger.post(path, json={"client_secret": payment["client_secret"][:-1]}),
    ]
    assert [r.status_code for r in refused] == [422, 403, 403]
    assert all(payment["client_secret"] not in r.text for r in refused)
    assert payment["client_secret"] not in anonymous.get(f"/sandbox-payments/{payment['intent_id']}").text
    assert customer.get(f"/orders/{order['order_id']}").json()["status"] == "awaiting_payment"

    pay(customer, order)
    assert wait_for_order(customer, order["order_id"], FINAL)["status"] == "issued"


class _Trap:
    """A server where forged Host headers point: it records any request it gets."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - stdlib name
                trap.requests.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_given_host_headers_naming_another_server_when_paid_then_the_webhook_goes_to_the_platform(
    customer, platform
):
    trap = _Trap()
    try:
        order = place_order(customer, quote(customer))
        payment = order["payment"]
        before = platform.gateway.api_requests

        paid = customer.post(
            f"/sandbox-payments/{payment['intent_id']}/pay",
            json={"client_secret": payment["client_secret"]},
            headers={"Host": f"127.0.0.1:{trap.port}", "X-Forwarded-Proto": "http"},
        )

        assert paid.status_code == 200, paid.text
        assert paid.json()["webhook_status"] == 200
        assert trap.requests == []
        assert platform.gateway.api_requests >= before + 2  # the pay request and the webhook it sent
        assert wait_for_order(customer, order["order_id"], FINAL)["status"] == "issued"
    finally:
        trap.server.shutdown()
        trap.server.server_close()
