"""End-to-end fixtures: the whole local platform on a free port, driven over HTTP."""
from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
import requests

from checkout.domain.identity import make_prc_id
from local.platform import LocalPlatform

CHROMIUM = "/usr/bin/chromium"
# Short enough that the payment-timeout test finishes quickly, long enough for every other purchase.
PAYMENT_TIMEOUT_SECONDS = "60"


@pytest.fixture(scope="session")
def platform() -> Iterator[LocalPlatform]:
    running = LocalPlatform(port=0, schedules=False, parameter_overrides={
        "PaymentTimeoutSeconds": PAYMENT_TIMEOUT_SECONDS}).start()
    yield running
    running.stop()


class ApiClient:
    """A customer of the public API (or anonymous, or an operator)."""

    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base, token
        self.http = requests.Session()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, headers=self._headers(kwargs.pop("headers", None)), timeout=30,
                             **kwargs)

    def post(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.http.post(self.base + path, json=json, headers=self._headers(kwargs.pop("headers", None)),
                              timeout=60, **kwargs)


@pytest.fixture(scope="session")
def anonymous(platform) -> ApiClient:
    return ApiClient(platform.api_url)


def sign_up(platform, name: str = "Test Customer") -> ApiClient:
    email = f"c-{uuid.uuid4().hex[:10]}@example.com"
    response = requests.post(platform.api_url + "/members/signup",
                             json={"email": email, "password": "Secret2026x", "name": name}, timeout=30)
    assert response.status_code == 201, response.text
    client = ApiClient(platform.api_url, response.json()["tokens"]["id_token"])
    client.email = email
    return client


@pytest.fixture
def customer(platform) -> ApiClient:
    return sign_up(platform)


@pytest.fixture(scope="session")
def operator(platform) -> ApiClient:
    from local import demo

    response = requests.post(platform.api_url + "/members/signin", json={
        "email": demo.DEMO_OPERATOR["email"], "password": demo.DEMO_OPERATOR["password"]}, timeout=30)
    assert response.status_code == 200, response.text
    return ApiClient(platform.api_url, response.json()["tokens"]["id_token"])


def prc_id_for_age(age: int, gender: str, start: date, seq: int = 13) -> str:
    """A valid PRC ID for someone of `age` on `start` (birthday a month before the start date)."""
    month = start.month - 1 or 12
    year = start.year - age - (1 if start.month == 1 else 0)
    birth = date(year, month, min(start.day, 28))
    sequence = seq if (seq % 2 == 1) == (gender == "M") else seq + 1
    return make_prc_id("110105", birth, f"{sequence:03d}")


def quote(client: ApiClient, product_id: str = "accident-guardian", **factors) -> dict:
    body = {"product_id": product_id, "plan": "standard", "age": 36, "gender": "M", "term": "1Y",
            "occupation_class": 1, "options": [], **factors}
    response = client.post("/quotes", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def order_body(quote_view: dict, health_answers: dict | None = None, **extra) -> dict:
    inputs = quote_view["inputs"]
    id_number = prc_id_for_age(inputs["age"], inputs["gender"], date.fromisoformat(inputs["start_date"]))
    return {"quote_id": quote_view["quote_id"], "channel": "h5",
            "policyholder": {"name": "Wang Fang", "id_type": "prc_id", "id_number": id_number,
                             "phone": "13912345678", "email": "wang@example.com"},
            "insured": [{"relation": "self", "name": "Wang Fang", "id_type": "prc_id", "id_number": id_number}],
            "health_answers": health_answers if health_answers is not None else {"hq_disability": False},
            "accept_terms": True, **extra}


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
    response = client.post("/orders", json=order_body(quote_view, **kwargs),
                           headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return wait_for_order(client, response.json()["order_id"], {"awaiting_payment"})


def pay(client: ApiClient, order: dict) -> dict:
    response = client.post(f"/sandbox-payments/{order['payment']['intent_id']}/pay", json={})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI; .ci/run must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()
