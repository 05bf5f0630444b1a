"""A small customer of the public API for the platform benchmarks: sign up, quote, order, pay.

The same steps as tests/e2e/shop.py, kept here so the benchmarks do not depend on test code.
Every purchase insures a new person (a new PRC ID): one person's policies count towards the
product's sum insured limit, so reusing a person would soon be declined.
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import date

import requests

FINAL = {"issued", "declined", "failed", "cancelled"}
HTTP_TIMEOUT_S = 30
WAIT_TIMEOUT_S = 60
QUOTE = {
    "product_id": "accident-guardian",
    "plan": "standard",
    "age": 36,
    "gender": "M",
    "term": "1Y",
    "occupation_class": 1,
    "options": [],
}

_people = itertools.count(11, 2)  # odd sequence numbers: men


class BenchError(RuntimeError):
    """The platform answered in a way a purchase cannot continue from."""


def _check(response: requests.Response, status: int, what: str) -> dict:
    if response.status_code != status:
        raise BenchError(f"{what}: HTTP {response.status_code}, wanted {status}: {response.text[:500]}")
    return response.json()


def new_prc_id(age: int, start: date) -> str:
    """A valid PRC ID of a new man aged `age` on `start` (birthday a month before it)."""
    from insuremall.identity import make_prc_id

    month = start.month - 1 or 12
    year = start.year - age - (1 if start.month == 1 else 0)
    return make_prc_id("110105", date(year, month, min(start.day, 28)), f"{next(_people) % 1000:03d}")


@dataclass
class Customer:
    base: str
    token: str
    http: requests.Session = field(default_factory=requests.Session)
    polls: int = 0  # GET /orders/{id} calls made while waiting

    def get(self, path: str) -> requests.Response:
        return self.http.get(
            self.base + path, headers={"Authorization": f"Bearer {self.token}"}, timeout=HTTP_TIMEOUT_S
        )

    def post(self, path: str, body: dict, headers: dict[str, str] | None = None) -> requests.Response:
        return self.http.post(
            self.base + path,
            json=body,
            timeout=HTTP_TIMEOUT_S,
            headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
        )

    def wait_for(self, order_id: str, statuses: set[str], poll_s: float) -> dict:
        """Poll GET /orders/{id} every poll_s until the status is one of `statuses`."""
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        while True:
            self.polls += 1
            order = _check(self.get(f"/orders/{order_id}"), 200, "GET /orders/{id}")
            if order["status"] in statuses:
                return order
            if order["status"] in FINAL:
                raise BenchError(f"order {order_id} ended {order['status']}: {order.get('status_reason')}")
            if time.monotonic() > deadline:
                raise BenchError(f"order {order_id} still {order['status']} after {WAIT_TIMEOUT_S} s")
            time.sleep(poll_s)


def sign_up(api_url: str) -> Customer:
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    response = requests.post(
        api_url + "/members/signup",
        timeout=HTTP_TIMEOUT_S,
        json={"email": email, "password": "Bench2026pass", "name": "Bench Customer"},
    )
    return Customer(api_url, _check(response, 201, "POST /members/signup")["tokens"]["id_token"])


@dataclass
class Purchase:
    order_id: str
    status: str
    quote_to_issued_s: float
    order_to_payable_s: float
    pay_to_issued_s: float
    order_request_s: float  # POST /orders alone (the response, before any polling)
    pay_request_s: float  # POST .../pay alone (the sandbox waits for our webhook's answer)
    polls: int


def purchase(customer: Customer, poll_s: float) -> Purchase:
    """Quote -> order -> wait for awaiting_payment -> pay (sandbox) -> wait for issued, timed."""
    polls_before = customer.polls
    started = time.perf_counter()
    quote = _check(customer.post("/quotes", QUOTE), 201, "POST /quotes")
    start_date = date.fromisoformat(quote["inputs"]["start_date"])
    person = new_prc_id(QUOTE["age"], start_date)
    body = {
        "quote_id": quote["quote_id"],
        "channel": "h5",
        "policyholder": {
            "name": "Wang Fang",
            "id_type": "prc_id",
            "id_number": person,
            "phone": "13912345678",
            "email": "wang@example.com",
        },
        "insured": [{"relation": "self", "name": "Wang Fang", "id_type": "prc_id", "id_number": person}],
        "health_answers": {"hq_disability": False},
        "accept_terms": True,
    }
    ordered = time.perf_counter()
    order = _check(customer.post("/orders", body, {"Idempotency-Key": uuid.uuid4().hex}), 201, "POST /orders")
    order_answered = time.perf_counter()
    payable = customer.wait_for(order["order_id"], {"awaiting_payment"}, poll_s)
    payable_at = time.perf_counter()
    _check(
        customer.post(
            f"/sandbox-payments/{payable['payment']['intent_id']}/pay",
            {"client_secret": payable["payment"]["client_secret"]},
        ),
        200,
        "POST pay",
    )
    pay_answered = time.perf_counter()
    done = customer.wait_for(order["order_id"], {"issued"}, poll_s)
    finished = time.perf_counter()
    return Purchase(
        done["order_id"],
        done["status"],
        finished - started,
        payable_at - ordered,
        finished - payable_at,
        order_answered - ordered,
        pay_answered - payable_at,
        customer.polls - polls_before,
    )
