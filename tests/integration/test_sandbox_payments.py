"""The sandbox payment provider through its routes in-process: only the payer (who holds the
intent's client secret) can pay, and the webhook goes where configuration says, never where a
request's headers point."""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import WEBHOOK_GATEWAY
from test_catalog_admin import Api, _order_body, _signed_in

PRODUCT = {
    "product_id": "accident-guardian",
    "plan": "standard",
    "age": 36,
    "gender": "M",
    "term": "1Y",
    "occupation_class": 1,
}


@pytest.fixture(scope="module")
def payer(aws) -> Api:
    return _signed_in(aws)


@pytest.fixture(scope="module")
def stranger(aws) -> Api:
    return _signed_in(aws)


@pytest.fixture(scope="module")
def operator(aws) -> Api:
    return _signed_in(aws, groups=("operators",))


def _awaiting_payment(payer: Api) -> dict:
    """A new order of the payer's, once the saga's AwaitPayment step made its intent (the payer's view)."""
    status, quote = payer.post("/quotes", PRODUCT)
    assert status == 201, quote
    status, order = payer.post("/orders", _order_body(quote), headers={"idempotency-key": uuid.uuid4().hex})
    assert status == 201, order
    deadline = time.monotonic() + 20
    while True:
        status, view = payer.get(f"/orders/{order['order_id']}")
        if view["status"] == "awaiting_payment":
            return view
        assert time.monotonic() < deadline, f"order stayed {view['status']}"
        time.sleep(0.05)


def _wait_for_status(order_id: str, statuses: set[str]) -> dict:
    from checkout import store

    deadline = time.monotonic() + 20
    while True:
        order = store.get_order(order_id, consistent=True)
        if order["status"] in statuses:
            return order
        assert time.monotonic() < deadline, f"order stayed {order['status']}"
        time.sleep(0.05)


class _Trap:
    """An HTTP server that records every request it gets: where a forged Host header points."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - stdlib name
                trap.requests.append((self.command, self.path))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap():
    server = _Trap()
    yield server
    server.close()


def _intent(intent_id: str) -> dict:
    from checkout import payments

    return payments.provider().get_intent(intent_id)


def test_given_only_an_intent_id_when_a_stranger_pays_then_refused_and_nothing_is_paid(payer, stranger, aws):
    order = _awaiting_payment(payer)
    intent_id, secret = order["payment"]["intent_id"], order["payment"]["client_secret"]
    other = _awaiting_payment(stranger)["payment"]  # the stranger's own, valid secret
    anonymous = Api(aws)
    path = f"/sandbox-payments/{intent_id}/pay"

    answers = [
        stranger.post(path, {}),
        anonymous.post(path, {"client_secret": None}),
        anonymous.post(path, {"client_secret": 12345}),
        anonymous.post(path, {"client_secret": ""}),
        anonymous.post(path, {"client_secret": f"{intent_id}_secret_guess"}),
        anonymous.post(path, {"client_secret": secret[:-1]}),
        stranger.post(path, {"client_secret": other["client_secret"]}),
    ]

    assert [status for status, _ in answers] == [422, 422, 422, 422, 403, 403, 403]
    for _, body in answers:
        assert set(body) == {"error"} and body["error"]["code"] in ("validation_failed", "forbidden")
        assert secret not in str(body)
    assert _intent(intent_id)["status"] == "requires_payment"
    from checkout import store

    assert store.get_order(order["order_id"], consistent=True)["status"] == "awaiting_payment"


def test_given_the_payers_own_order_view_when_paid_with_its_client_secret_then_the_order_is_paid(payer):
    order = _awaiting_payment(payer)
    payment = order["payment"]
    assert payment["pay_url"] == (
        f"/pay.html?intent={payment['intent_id']}#client_secret={payment['client_secret']}"
    )
    webhooks_before = WEBHOOK_GATEWAY.api_requests

    status, paid = payer.post(
        f"/sandbox-payments/{payment['intent_id']}/pay", {"client_secret": payment["client_secret"]}
    )

    assert status == 200, paid
    assert paid == {"intent_id": payment["intent_id"], "status": "succeeded", "webhook_status": 200}
    assert WEBHOOK_GATEWAY.api_requests == webhooks_before + 1
    assert _wait_for_status(order["order_id"], {"paid", "issued"})["paid_at"]


def test_given_a_host_header_naming_another_server_when_paid_then_the_webhook_goes_only_to_the_configured_url(
    payer, trap
):
    order = _awaiting_payment(payer)
    payment = order["payment"]
    webhooks_before = WEBHOOK_GATEWAY.api_requests

    status, paid = payer.post(
        f"/sandbox-payments/{payment['intent_id']}/pay",
        {"client_secret": payment["client_secret"]},
        headers={"host": f"127.0.0.1:{trap.port}", "x-forwarded-proto": "http"},
    )

    assert status == 200, paid
    assert paid["webhook_status"] == 200
    assert trap.requests == []
    assert WEBHOOK_GATEWAY.api_requests == webhooks_before + 1
    assert _wait_for_status(order["order_id"], {"paid", "issued"})["status"] in ("paid", "issued")


def test_given_an_intent_when_anyone_reads_it_or_an_operator_reads_its_order_then_no_client_secret_shows(
    payer, operator, aws
):
    order = _awaiting_payment(payer)
    secret = order["payment"]["client_secret"]

    status, intent = Api(aws).get(f"/sandbox-payments/{order['payment']['intent_id']}")
    assert status == 200
    assert set(intent) == {"intent_id", "order_id", "amount_cents", "currency", "status"}
    status, seen_by_operator = operator.get(f"/orders/{order['order_id']}")
    assert status == 200
    assert seen_by_operator["payment"] == {"intent_id": order["payment"]["intent_id"]}
    status, listed = payer.get("/orders")
    assert status == 200
    assert secret not in str(listed)
    status, missing = Api(aws).get("/sandbox-payments/pi_ORDNOSUCHORDER")
    assert status == 404 and missing["error"]["code"] == "not_found"


def test_given_a_purchase_when_the_intent_is_made_and_paid_then_its_client_secret_is_never_logged(
    payer, caplog
):
    order = _awaiting_payment(payer)
    payment = order["payment"]
    status, _ = payer.post(f"/sandbox-payments/{payment['intent_id']}/pay", {"client_secret": "wrong"})
    assert status == 403
    status, _ = payer.post(
        f"/sandbox-payments/{payment['intent_id']}/pay", {"client_secret": payment["client_secret"]}
    )
    assert status == 200
    _wait_for_status(order["order_id"], {"issued", "referred", "declined", "failed"})

    logged = [str(record.__dict__) for record in caplog.records]
    assert any("await_payment" in line for line in logged)  # the tasks' log was captured
    for line in logged:
        assert payment["client_secret"].rsplit("_", 1)[-1] not in line


# ---------- configuration ----------


def _settings(**changes):
    from insuremall.config import get_settings

    return replace(get_settings(), **changes)


def _cold_start(monkeypatch, **settings):
    """Import the sandbox function's module afresh, as a new Lambda container would."""
    from checkout import payments

    monkeypatch.setattr(payments, "get_settings", lambda: _settings(**settings))
    path = Path(payments.__file__).with_name("sandbox_app.py")
    spec = importlib.util.spec_from_file_location("sandbox_app_cold_start", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_given_no_webhook_url_parameter_when_the_sandbox_function_starts_then_it_refuses(monkeypatch):
    from insuremall.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="PAYMENT_WEBHOOK_URL_PARAMETER"):
        _cold_start(monkeypatch, payment_webhook_url_parameter="")


def test_given_a_webhook_url_parameter_that_does_not_exist_when_the_function_starts_then_it_refuses(
    monkeypatch,
):
    from insuremall.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="does not exist"):
        _cold_start(monkeypatch, payment_webhook_url_parameter=f"/insuremall/test/{uuid.uuid4().hex}")


@pytest.mark.parametrize("value", ["evil.example/payments/webhook", "file:///etc/passwd", "https://"])
def test_given_a_webhook_url_that_is_not_http_when_the_function_starts_then_it_refuses(
    aws, monkeypatch, value
):
    from insuremall.config import ConfigurationError

    name = f"/insuremall/test/{uuid.uuid4().hex}"
    aws.client("ssm").put_parameter(Name=name, Value=value, Type="String")
    with pytest.raises(ConfigurationError, match="not an http"):
        _cold_start(monkeypatch, payment_webhook_url_parameter=name)


def test_given_the_configured_webhook_url_when_the_function_starts_then_it_holds_that_url(aws, monkeypatch):
    name = f"/insuremall/test/{uuid.uuid4().hex}"
    aws.client("ssm").put_parameter(
        Name=name, Value="https://api.example.cn/dev/payments/webhook", Type="String"
    )
    module = _cold_start(monkeypatch, payment_webhook_url_parameter=name)
    assert module.WEBHOOK_URL == "https://api.example.cn/dev/payments/webhook"


def test_given_the_local_stage_then_the_template_parameter_points_the_webhook_at_this_process(aws):
    from checkout import sandbox_app

    assert sandbox_app.WEBHOOK_URL.endswith("/api/payments/webhook")
    assert sandbox_app.WEBHOOK_URL.startswith("http://127.0.0.1:")
