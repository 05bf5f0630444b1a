"""No request body crashes a route: every POST/PUT/PATCH route of infra/template.yaml, through its real
handler in-process, gets bad bodies built from its own schema in infra/openapi.yaml (empty, not JSON, an
array, nested 10,000 and 3,000 deep, and each field in each JSON type it does not take), from a caller
who gets past its security, and answers a 4xx JSON error each time. Routes and fields added later are
covered without editing this file. Plus the crashes the issue named, one by one."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

import pytest
from test_catalog_admin import Api, _signed_in

from local.embedded_aws import LOCAL_PARAMETERS
from local.template import Template
from tests.request_fields import SAMPLES, body_with, contract_routes, field_name, fields, wrong_types

WRITE_METHODS = ("POST", "PUT", "PATCH")
PATH_VALUE = "contract-test"  # every path parameter: the body is refused before any lookup
BODY_CASES = {
    "empty": b"",
    "not JSON": b"{'single': quotes}",
    "a JSON array": b"[]",
    "an array nested 10,000 deep": b"[" * 10_000 + b"]" * 10_000,
    "an object nested 3,000 deep": b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
}
# The local stage's routes: a superset of prod's (the sandbox payment routes exist outside prod only).
ROUTES = sorted(
    {f"{r.method} {r.path}" for r in Template(LOCAL_PARAMETERS).routes() if r.method in WRITE_METHODS}
)


@dataclass
class Tally:
    requests: int = 0
    seconds: float = 0.0
    per_route: dict[str, int] = field(default_factory=dict)


TALLY = Tally()


class Caller:
    """Sends raw bodies the way API Gateway delivers them, signed in as the route's security asks."""

    def __init__(self, aws, customer: Api, operator: Api):
        from local.embedded_aws import LOCAL_PARAMETERS

        self.aws, self.gateway = aws, customer.gateway
        self.tokens = {"customer": customer.token, "operator": operator.token}
        self.secret = LOCAL_PARAMETERS["PaymentWebhookSecret"].encode()

    def send(self, key: str, raw: bytes, content_type: str | None = "application/json") -> tuple[int, dict]:
        from checkout.domain import webhook_signature
        from local.gateway import build_event

        method, template_path = key.split(" ", 1)
        path = re.sub(r"\{\w+\}", PATH_VALUE, template_path)
        route, params, _ = self.gateway.match(method, path)
        assert route is not None and route.path == template_path, key
        headers = {"content-type": content_type} if content_type else {}
        for requirement in (contract_routes().get(key) or {}).get("security", [])[:1]:
            for scheme in requirement:
                if scheme == "webhookSignature":
                    headers["x-signature"] = webhook_signature.sign(self.secret, raw, int(time.time()))
                else:
                    headers["authorization"] = f"Bearer {self.tokens[scheme]}"
        event = build_event(route, method, path, "", headers, raw, params, "localhost")
        started = time.perf_counter()
        result, error = self.aws.runtime.invoke(route.function, event)
        TALLY.seconds += time.perf_counter() - started
        TALLY.requests += 1
        TALLY.per_route[key] = TALLY.per_route.get(key, 0) + 1
        assert error is None, result
        return result["statusCode"], json.loads(result["body"] or "null")


@pytest.fixture(scope="module")
def caller(aws) -> Caller:
    return Caller(aws, _signed_in(aws), _signed_in(aws, groups=("operators",)))


@pytest.fixture(scope="module", autouse=True)
def tally():
    started = time.perf_counter()
    yield TALLY
    print(
        f"\nrequest contract: {TALLY.requests} requests to {len(TALLY.per_route)} routes, "
        f"{TALLY.seconds:.1f} s in handlers, {time.perf_counter() - started:.1f} s in all"
    )


def _error(status: int, answer) -> str | None:
    """Why an answer is not a 4xx in the API's error shape, or None."""
    if not 400 <= status < 500:
        return f"status {status}"
    if not (isinstance(answer, dict) and isinstance(answer.get("error"), dict)):
        return f"no JSON error body: {answer!r}"
    if not {"code", "message"} <= set(answer["error"]):
        return f"error without code/message: {answer!r}"
    return None


def test_given_the_template_then_the_class_test_covers_every_write_route():
    assert len(ROUTES) >= 37
    assert "POST /payments/webhook" in ROUTES and "PUT /admin/featured" in ROUTES


@pytest.mark.parametrize("key", ROUTES)
def test_given_a_bad_body_of_any_kind_when_sent_to_a_write_route_then_a_4xx_json_error_never_a_5xx(
    caller, key
):
    entry = contract_routes().get(key)
    problems = []
    for case, raw in BODY_CASES.items():
        status, answer = caller.send(key, raw)
        if case == "empty" and entry is not None and not entry["required"]:
            if status >= 500:  # no body is a valid request here
                problems.append(f"{case}: status {status} {answer!r}")
            continue
        why = _error(status, answer)
        if why is None and entry is not None and answer["error"]["code"] != "invalid_json":
            why = f"code {answer['error']['code']!r}, want invalid_json"
        if why:
            problems.append(f"{case}: {why}")
    for path, schema in fields(entry["schema"]) if entry else ():
        name = field_name(path)
        for kind in wrong_types(schema):
            status, answer = caller.send(key, json.dumps(body_with(path, SAMPLES[kind])).encode())
            why = _error(status, answer)
            if why is None and (status != 422 or name not in answer["error"].get("fields", {})):
                why = f"{status} without the field named: {answer!r}"
            if why:
                problems.append(f"{name} as {kind}: {why}")
    assert not problems, f"{key}:\n  " + "\n  ".join(problems)


# ----- the crashes the issue named -------------------------------------------------------------------


@pytest.mark.parametrize("channel", [[], {}], ids=["list", "object"])
def test_given_an_order_whose_channel_is_a_list_or_object_when_placed_then_422_names_channel(
    caller, customer, channel
):
    factors = {"plan": "standard", "age": 36, "gender": "M", "term": "1Y", "occupation_class": 1}
    status, quote = customer.post("/quotes", {"product_id": "accident-guardian", **factors})
    assert status == 201, quote
    body = {"quote_id": quote["quote_id"], "channel": channel}
    status, answer = caller.send("POST /orders", json.dumps(body).encode())
    assert status == 422, answer
    assert answer["error"]["fields"]["channel"] == "must be a string"


def test_given_featured_slots_whose_product_id_is_an_object_when_saved_then_422_names_it(caller):
    status, answer = caller.send("PUT /admin/featured", b'{"slots": [{"product_id": {}}]}')
    assert (status, answer["error"]["fields"]) == (422, {"slots[0].product_id": "must be a string"})


def test_given_a_signed_webhook_whose_data_is_a_list_when_delivered_then_422_names_data(caller):
    body = b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": [1]}'
    status, answer = caller.send("POST /payments/webhook", body)
    assert (status, answer["error"]["fields"]) == (422, {"data": "must be an object"})


@pytest.mark.parametrize("amount", ["16900.0", '"16900"', "true", str(2**53 + 1)])
def test_given_a_signed_webhook_whose_amount_is_not_a_strict_integer_then_422_naming_it(caller, amount):
    body = (
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"intent_id": "pi_x", '
        f'"order_id": "ORDX", "amount_cents": {amount}, "currency": "CNY"}}}}'
    ).encode()
    status, answer = caller.send("POST /payments/webhook", body)
    assert (status, list(answer["error"]["fields"])) == (422, ["data.amount_cents"]), answer


def test_given_an_unsigned_webhook_when_its_body_is_garbage_or_nested_deep_then_401_before_the_body(
    aws, caller
):
    from local.gateway import build_event

    route, params, _ = caller.gateway.match("POST", "/payments/webhook")
    for raw in (b"not json", b"[" * 10_000 + b"]" * 10_000, b'{"data": [1]}'):
        event = build_event(route, "POST", "/payments/webhook", "", {}, raw, params, "localhost")
        result, _ = aws.runtime.invoke(route.function, event)
        assert result["statusCode"] == 401, result
        assert json.loads(result["body"])["error"]["code"] == "unauthorized"


def test_given_no_token_when_a_bad_body_is_sent_to_a_customer_route_then_401_before_the_body(aws):
    anonymous = Api(aws)
    status, answer = anonymous.call("POST", "/orders", ["not", "an", "object"])
    assert (status, answer["error"]["code"]) == (401, "unauthorized")


def test_given_a_customer_when_a_bad_body_is_sent_to_an_operator_route_then_403_before_the_body(customer):
    status, answer = customer.call("PUT", "/admin/featured", {"slots": [{"product_id": {}}]})
    assert (status, answer["error"]["code"]) == (403, "forbidden")


def test_given_a_body_over_a_mebibyte_when_sent_then_413_too_large(caller):
    status, answer = caller.send("POST /members/me/addresses", b'{"line": "' + b"x" * 1_048_576 + b'"}')
    assert (status, answer["error"]["code"]) == (413, "too_large")


@pytest.fixture(scope="module")
def customer(aws) -> Api:
    return _signed_in(aws)


# ----- media types ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ROUTES)
def test_given_a_body_that_says_it_is_not_json_when_sent_to_a_write_route_then_415_in_the_api_error_shape(
    caller, key
):
    # Before: Chalice's own 415 {"Code": "UnsupportedMediaType", ...}, after the body had been checked.
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        status, answer = caller.send(key, b"{}", content_type)
        assert (status, _error(status, answer)) == (415, None), (content_type, answer)
        assert answer["error"]["code"] == "unsupported_media_type"
    for content_type in ("application/json; charset=utf-8", None):
        status, _answer = caller.send(key, b"{}", content_type)
        assert status != 415, content_type


def test_given_a_read_whose_client_sends_a_content_type_when_called_then_it_is_answered(caller):
    # A request without a body has no media type to refuse (before: 415 for GET /products).
    for key in ("GET /products", "GET /campaigns"):
        status, answer = caller.send(key, b"", "text/plain")
        assert status == 200, answer


def test_given_no_token_when_a_body_of_another_media_type_is_sent_then_401_comes_first(aws):
    from local.gateway import build_event

    route, params, _ = Api(aws).gateway.match("POST", "/orders")
    event = build_event(
        route, "POST", "/orders", "", {"content-type": "text/plain"}, b"{}", params, "localhost"
    )
    result, _ = aws.runtime.invoke(route.function, event)
    assert result["statusCode"] == 401, result
