"""End-to-end fixtures: the whole local platform on a free port, driven over HTTP."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
import requests
from shop import ApiClient, sign_up

from local.platform import LocalPlatform

CHROMIUM = "/usr/bin/chromium"
# Short enough that the payment-timeout test finishes quickly, long enough for every other purchase.
PAYMENT_TIMEOUT_SECONDS = "20"


@pytest.fixture(scope="session")
def platform() -> Iterator[LocalPlatform]:
    running = LocalPlatform(
        port=0, schedules=False, parameter_overrides={"PaymentTimeoutSeconds": PAYMENT_TIMEOUT_SECONDS}
    ).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def anonymous(platform) -> ApiClient:
    return ApiClient(platform.api_url)


@pytest.fixture
def customer(platform) -> ApiClient:
    return sign_up(platform)


@pytest.fixture(scope="session")
def operator(platform) -> ApiClient:
    from local import demo

    response = requests.post(
        platform.api_url + "/members/signin",
        json={"email": demo.DEMO_OPERATOR["email"], "password": demo.DEMO_OPERATOR["password"]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return ApiClient(platform.api_url, response.json()["tokens"]["id_token"])


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
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()
