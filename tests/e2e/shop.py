"""Shopping over the public API, as a customer would: quotes, orders, payment, waiting for the saga."""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import date

import requests

from insuremall.identity import make_prc_id


class ApiClient:
    """A customer of the public API (or anonymous, or an operator)."""

    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base, token
        self.http = requests.Session()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(
            self.base + path, headers=self._headers(kwargs.pop("headers", None)), timeout=30, **kwargs
        )

    def post(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.http.post(
            self.base + path,
            json=json,
            headers=self._headers(kwargs.pop("headers", None)),
            timeout=60,
            **kwargs,
        )


def sign_up(platform, name: str = "Test Customer") -> ApiClient:
    email = f"c-{uuid.uuid4().hex[:10]}@example.com"
    response = requests.post(
        platform.api_url + "/members/signup",
        json={"email": email, "password": "Secret2026x", "name": name},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    client = ApiClient(platform.api_url, response.json()["tokens"]["id_token"])
    client.email = email
    return client


_people = itertools.count(11, 2)


def prc_id_for_age(age: int, gender: str, start: date, seq: int | None = None) -> str:
    """A valid PRC ID of a new person aged `age` on `start` (birthday a month before the start date).
    Each call is a different person, so one test's policies never count towards another's limits."""
    seq = next(_people) if seq is None else seq
    month = start.month - 1 or 12
    year = start.year - age - (1 if start.month == 1 else 0)
    birth = date(year, month, min(start.day, 28))
    sequence = seq if (seq % 2 == 1) == (gender == "M") else seq + 1
    return make_prc_id("110105", birth, f"{sequence:03d}")


def quote(client: ApiClient, product_id: str = "accident-guardian", **factors) -> dict:
    body = {
        "product_id": product_id,
        "plan": "standard",
        "age": 36,
        "gender": "M",
        "term": "1Y",
        "occupation_class": 1,
        "options": [],
        **factors,
    }
    response = client.post("/quotes", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def order_body(quote_view: dict, health_answers: dict | None = None, **extra) -> dict:
    inputs = quote_view["inputs"]
    id_number = prc_id_for_age(inputs["age"], inputs["gender"], date.fromisoformat(inputs["start_date"]))
    return {
        "quote_id": quote_view["quote_id"],
        "channel": "h5",
        "policyholder": {
            "name": "Wang Fang",
            "id_type": "prc_id",
            "id_number": id_number,
            "phone": "13912345678",
            "email": "wang@example.com",
        },
        "insured": [{"relation": "self", "name": "Wang Fang", "id_type": "prc_id", "id_number": id_number}],
        "health_answers": health_answers if health_answers is not None else {"hq_disability": False},
        "accept_terms": True,
        **extra,
    }


def wait_for_order(client: ApiClient, order_id: str, statuses: set[str], timeout: float = 40) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        order = client.get(f"/orders/{order_id}").json()
        if order.get("status") in statuses:
            return order
        if time.monotonic() > deadline:
            raise AssertionError(f"order {order_id} stayed {order.get('status')}, wanted {statuses}")
        time.sleep(0.1)


def place_order(client: ApiClient, quote_view: dict, **kwargs) -> dict:
    response = client.post(
        "/orders", json=order_body(quote_view, **kwargs), headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    return wait_for_order(client, response.json()["order_id"], {"awaiting_payment"})


def pay(client: ApiClient, order: dict) -> dict:
    """Pay as the payer does: with the client secret their own order view holds."""
    payment = order["payment"]
    response = client.post(
        f"/sandbox-payments/{payment['intent_id']}/pay", json={"client_secret": payment["client_secret"]}
    )
    assert response.status_code == 200, response.text
    return response.json()
