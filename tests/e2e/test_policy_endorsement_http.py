"""Endorsing a bought policy over HTTP: a new phone makes policy version 2 and document version 2."""

from __future__ import annotations

import io
import time

import requests
from pypdf import PdfReader
from shop import pay, place_order, quote, sign_up, wait_for_order


def _bought(customer, anonymous) -> str:
    order = place_order(customer, quote(anonymous))
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed", "cancelled"})
    assert issued["status"] == "issued", issued
    return issued["policy_no"]


def _document(customer, policy_no: str, version: int) -> dict:
    deadline = time.monotonic() + 30
    while True:
        answer = customer.get(f"/policies/{policy_no}/document")
        if answer.status_code == 200 and answer.json()["version"] >= version:
            return answer.json()
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.5)


def test_given_a_bought_policy_when_the_phone_changes_then_version_2_and_a_new_document(
    platform, customer, anonymous
):
    policy_no = _bought(customer, anonymous)
    first = _document(customer, policy_no, 1)

    answer = customer.post(f"/policies/{policy_no}/endorsements", json={"contact": {"phone": "13700001111"}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 2
    assert answer.json()["changes"]["policyholder.phone"]["to"] == "137****1111"

    detail = customer.get(f"/policies/{policy_no}").json()
    assert detail["version"] == 2 and detail["endorsements"][0]["version"] == 2
    assert "13700001111" not in answer.text + str(detail)

    second = _document(customer, policy_no, 2)
    assert second["version"] == 2 and second["sha256"] != first["sha256"]
    pdf = requests.get(second["url"], timeout=10).content
    printed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "137****1111" in printed and "13700001111" not in printed
    assert "Policy version 2" in " ".join(printed.split())

    stranger = sign_up(platform)
    change = stranger.post(f"/policies/{policy_no}/endorsements", json={"contact": {"phone": "13700002222"}})
    assert change.status_code == 404 and change.json()["error"]["message"]
    assert anonymous.post(f"/policies/{policy_no}/endorsements", json={}).status_code == 401


def test_given_the_policy_page_when_the_phone_is_changed_then_the_new_version_shows(
    platform, customer, anonymous, browser
):
    from storefront_pages import PHONE, open_page, shot, signed_in

    policy_no = _bought(customer, anonymous)
    with open_page(browser, PHONE) as page:
        signed_in(page, platform, customer)
        page.goto(f"{platform.url}/policy.html?no={policy_no}")
        page.get_by_label("New mobile number").fill("12345")
        page.get_by_role("button", name="Save changes").click()
        page.locator("#endorse-form .field-error").wait_for()
        page.get_by_label("New mobile number").fill("13600003333")
        page.get_by_role("button", name="Save changes").click()
        page.locator("#endorsement-history").wait_for()
        assert "136****3333" in page.locator("#endorsement-history").inner_text()
        assert "Policy version 2" in page.locator("#endorse-form").inner_text()
        assert "136****3333" in page.locator("#policy").inner_text()  # the People section too
        shot(page, "policy-endorse-phone")
        assert not page.errors and not page.outside
