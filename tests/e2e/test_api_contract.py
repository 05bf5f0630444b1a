"""The API contract checked against the running API. schemathesis generates requests from
infra/openapi.yaml - the document's examples, the edges of every schema (coverage: boundaries,
missing and wrong-typed fields, other methods) and random data (fuzzing) - and checks each answer
against the document: no 5xx, a documented status, the documented Content-Type, a body that matches
the documented schema. A 422 for a domain rule (an ID's checksum, a date window) is a documented
answer; a request the schema allows but the route refuses for a structural reason is fixed in the
schema (see docs/decisions.md).

As a customer (every route: the operators' ones only to see them refused) and as an operator (the
operators' routes), with real identifiers - the customer's own order, policy (with a renewal offer),
address and family member, an order referred to underwriting, a running campaign - so that routes are
exercised past 404. The webhook is signed as the provider signs it. The platform is its own, in a
child process: the operator's generated edits (shelves, rates, settings, campaigns) never reach the
other end-to-end tests. Derandomized with a fixed seed, so a CI run repeats the last one.
"""

from __future__ import annotations

import collections
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import schemathesis
import yaml
from pypdf import PdfReader
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from shop import ApiClient, pay, place_order, prc_id_for_age, quote, sign_up, wait_for_order

from checkout.domain.webhook_signature import sign
from local.embedded_aws import LOCAL_PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "infra" / "openapi.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Random cases per operation after the examples and the coverage cases (CONTRACT_EXAMPLES=50 for a
# deeper local run); the seed fixes which (CONTRACT_SEED=<n> explores others), so CI repeats itself.
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "5"))
SEED = int(os.environ.get("CONTRACT_SEED", "20261203"))


def _operator_routes() -> list[str]:
    document = yaml.safe_load(OPENAPI.read_text())
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if any("operator" in requirement for requirement in operation.get("security", []))
    ]


OPERATOR_ROUTES = _operator_routes()


def _schema(operations: list[dict] | None = None):
    return schemathesis.openapi.from_path(
        OPENAPI,
        config=SchemathesisConfig.from_dict(
            {
                "seed": SEED,
                # Generating the largest bodies (a product document) can be slow on a busy CI machine.
                "suppress-health-check": ["too_slow"],
                # No example database: a run depends on the seed alone, not on what an earlier run kept.
                "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
                # Stateful runs follow links between operations; the fixtures below supply the ids.
                "phases": {"stateful": {"enabled": False}},
                "operations": operations or [],
            }
        ),
    )


# A customer on the operators' routes gets 403 whatever the body: a few cases each show it is documented.
customer_schema = _schema(
    [
        {
            "include-name": OPERATOR_ROUTES,
            "phases": {"coverage": {"enabled": False}},
            "generation": {"max-examples": 2},
        }
    ]
)
operator_schema = _schema().include(name=OPERATOR_ROUTES)


class Tally:
    """Requests sent and seconds spent, per role (the closing note of the run prints them)."""

    def __init__(self) -> None:
        self.requests: collections.Counter[str] = collections.Counter()
        self.seconds: collections.Counter[str] = collections.Counter()


tally = Tally()


@pytest.fixture(scope="module")
def contract_platform(tmp_path_factory, request):
    """A platform of its own, in a child process: what the generated requests change stays there."""
    log = tmp_path_factory.mktemp("contract") / "platform.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("functions", "layers/common/python", ".")),
        "OPEN_BROWSER": "0",
    }
    with log.open("wb") as out:
        child = subprocess.Popen(  # noqa: S603 - our own interpreter running our own module
            [sys.executable, "-m", "local.platform", "--port", "0", "--no-browser", "--no-schedules"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while not (
            started := re.search(r"^\s+API\s+(http://\S+/api)", log.read_text(errors="replace"), re.M)
        ):
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the contract's platform did not start:\n{log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.2)
        api_url = started.group(1)
        yield SimpleNamespace(api_url=api_url, url=api_url.removesuffix("/api"), log=log)
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None and tally.requests:
            with capture.global_and_fixture_disabled():
                reporter.write_line(
                    "\nAPI contract: "
                    + ", ".join(
                        f"{role} {n} requests in {tally.seconds[role]:.0f} s"
                        for role, n in tally.requests.items()
                    )
                )


@pytest.fixture(scope="module")
def contract_operator(contract_platform) -> ApiClient:
    from local import demo

    response = requests.post(
        contract_platform.api_url + "/members/signin",
        json={"email": demo.DEMO_OPERATOR["email"], "password": demo.DEMO_OPERATOR["password"]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return ApiClient(contract_platform.api_url, response.json()["tokens"]["id_token"])


def _verification_code(customer: ApiClient, policy_no: str) -> str:
    deadline = time.monotonic() + 30
    while (link := customer.get(f"/policies/{policy_no}/document")).status_code != 200:
        assert time.monotonic() < deadline, link.text
        time.sleep(0.2)
    pdf = requests.get(link.json()["url"], timeout=30).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.split("verify.html?code=")[1][:20]


def _referred_order(customer: ApiClient, operator: ApiClient) -> str:
    """A paid order an underwriter has to decide (a yes to the product's referring health question)."""
    order = place_order(customer, quote(customer), health_answers={"hq_disability": True})
    pay(customer, order)
    assert (
        wait_for_order(customer, order["order_id"], {"referred", "issued", "declined"})["status"]
        == "referred"
    )
    deadline = time.monotonic() + 20
    while order["order_id"] not in {
        r["order_id"] for r in operator.get("/underwriting/referrals").json()["referrals"]
    }:
        assert time.monotonic() < deadline, "the referral never reached the operators' queue"
        time.sleep(0.2)
    return order["order_id"]


def _offer_renewal(platform, policy: dict) -> None:
    """The daily renewal job, fired for the day the policy's renewal window opens (30 days)."""
    day = date.fromisoformat(policy["end_date"]) - timedelta(days=30)
    fired = requests.post(
        f"{platform.url}/local/schedules/DailyRenewalOffers", params={"date": day.isoformat()}, timeout=60
    )
    assert fired.status_code == 200 and fired.json()["error"] is None, fired.text
    assert fired.json()["result"]["offers_created"] >= 1, fired.text


@pytest.fixture(scope="module")
def known(contract_platform, contract_operator) -> dict:
    """Real identifiers: the customer's own bought policy (its order, quote and payment intent, its
    document's verification code), an address, a family member, a running campaign with a coupon."""
    customer = sign_up(contract_platform, name="Contract Customer")
    now = datetime.now(UTC)
    campaign = contract_operator.post(
        "/admin/campaigns",
        json={
            "name": "Contract week",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(days=3)).isoformat(),
            "product_ids": ["accident-guardian"],
            "coupons": [{"coupon_id": "ten-off", "kind": "amount", "amount_cents": 1000, "quota": 50}],
        },
    )
    assert campaign.status_code == 201, campaign.text
    quoted = quote(customer)
    order = place_order(customer, quoted)
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed"})
    assert issued["status"] == "issued", issued
    address = customer.post(
        "/members/me/addresses",
        json={
            "recipient": "Wang Fang",
            "phone": "13912345678",
            "province": "Beijing",
            "city": "Beijing",
            "district": "Chaoyang",
            "line": "1 Jianguo Road",
            "postcode": "100020",
        },
    )
    assert address.status_code == 201, address.text
    child_id = prc_id_for_age(8, "F", now.date())
    family = customer.post(
        "/members/me/family", json={"name": "Wang Xiao", "relation": "child", "id_number": child_id}
    )
    assert family.status_code == 201, family.text
    invitation = customer.get("/members/me/invitation").json()
    referred = _referred_order(customer, contract_operator)
    _offer_renewal(contract_platform, customer.get(f"/policies/{issued['policy_no']}").json())
    return {
        "customer": customer,
        "path": {
            "product_id": "accident-guardian",
            "quote_id": quoted["quote_id"],
            "order_id": order["order_id"],
            "intent_id": order["payment"]["intent_id"],
            "policy_no": issued["policy_no"],
            "campaign_id": campaign.json()["campaign_id"],
            "coupon_id": "ten-off",
            "address_id": address.json()["address_id"],
            "family_member_id": family.json()["family_member_id"],
            "member_id": customer.get("/members/me").json()["member"]["member_id"],
        },
        # Routes whose parameter of the same name is another thing.
        "route_path": {
            "/verify/{code}": {"code": _verification_code(customer, issued["policy_no"])},
            "/invitations/{code}": {"code": invitation["invite_code"]},
            "/underwriting/referrals/{order_id}/decision": {"order_id": referred},
        },
        # Identifiers inside bodies: a generated quote of a product on sale, an order of a live quote.
        "body": {
            "POST /quotes": {"product_id": "accident-guardian"},
            "POST /orders": {"quote_id": quoted["quote_id"]},
        },
    }


WEBHOOK_SECRET = LOCAL_PARAMETERS["PaymentWebhookSecret"].encode()


def _send(role: str, case, token: str, known: dict, base_url: str) -> None:
    identifiers = {**known["path"], **known["route_path"].get(case.operation.path, {})}
    for parameter in case.operation.path_parameters:
        if parameter.name in identifiers:
            case.path_parameters[parameter.name] = identifiers[parameter.name]
    if isinstance(case.body, dict):
        for field, value in known["body"].get(case.operation.label, {}).items():
            if isinstance(case.body.get(field), str):
                case.body[field] = value
    started = time.monotonic()
    try:
        if case.operation.label == "POST /payments/webhook":
            _send_signed(case, base_url)
        else:
            case.call_and_validate(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )
    finally:
        tally.requests[role] += 1
        tally.seconds[role] += time.monotonic() - started


def _send_signed(case, base_url: str) -> None:
    """The webhook signed as the provider signs it, so that its generated events reach checkout."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    if "json" in kwargs:
        kwargs["data"] = json.dumps(kwargs.pop("json")).encode()
    raw = kwargs.get("data") or b""
    raw = raw.encode() if isinstance(raw, str) else raw
    if isinstance(raw, bytes):
        kwargs["headers"]["X-Signature"] = sign(WEBHOOK_SECRET, raw, int(time.time()))
    response = requests.request(**kwargs, timeout=30)
    case.validate_response(response, checks=CHECKS)


@customer_schema.parametrize()
def test_given_a_customer_when_any_route_is_called_then_the_answer_is_the_documented_one(
    case, contract_platform, known
):
    _send("customer", case, known["customer"].token, known, contract_platform.api_url)


@operator_schema.parametrize()
def test_given_an_operator_when_an_operator_route_is_called_then_the_answer_is_the_documented_one(
    case, contract_platform, contract_operator, known
):
    _send("operator", case, contract_operator.token, known, contract_platform.api_url)


def _doctored(change) -> schemathesis.schemas.BaseSchema:
    document = yaml.safe_load(OPENAPI.read_text())
    change(document)
    return schemathesis.openapi.from_dict(document)


def _findings(schema, path: str, method: str, base_url: str, token: str | None = None, **case) -> str:
    sent = schema[path][method].Case(**case)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with pytest.raises((Failure, FailureGroup)) as caught:
        sent.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
    return str(caught.value)


def test_given_a_document_that_says_otherwise_when_the_api_answers_then_each_check_finds_it(
    contract_platform, known
):
    """The run above can fail: against the same platform, a document that requires a field the answer
    lacks, leaves out a status the route answers, or names another Content-Type is refused."""
    api, token = contract_platform.api_url, known["customer"].token

    def require_quota(document):  # what GET /campaigns was documented with before
        coupons = document["components"]["schemas"]["Campaign"]["properties"]["coupons"]["items"]
        coupons["required"].append("quota")

    assert "quota" in _findings(_doctored(require_quota), "/campaigns", "GET", api)

    def without_404(document):
        del document["paths"]["/orders/{order_id}"]["get"]["responses"]["404"]

    found = _findings(
        _doctored(without_404),
        "/orders/{order_id}",
        "GET",
        api,
        token,
        path_parameters={"order_id": "0" * 12},
    )
    assert "404" in found

    def as_text(document):
        document["paths"]["/products"]["get"]["responses"]["200"]["content"] = {"text/plain": {"schema": {}}}

    assert "Content-Type" in _findings(_doctored(as_text), "/products", "GET", api)
