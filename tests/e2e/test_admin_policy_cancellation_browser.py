"""An operator cancels a customer's policy from the console's Policies screen, in a real browser.

The demo customer buys a policy over the API; the operator signs in at /admin/, finds it by number, sees
the refund quote, is asked for a reason, confirms, sees it refunded and the audit entry, and the customer
then sees the policy cancelled. An unknown number and a policy cancelled meanwhile are explained in plain
words, and axe finds nothing on the screen. A desktop screenshot goes to
test-artifacts/screenshots/admin-policy-cancelled.png (and docs/screenshots/ with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import re

import pytest
import requests
from shop import ApiClient, pay, place_order, quote, wait_for_order
from test_admin_console_browser import DESKTOP, ready, shot, sign_in_to_console, watched

from local import demo
from tools.storefront_audit import AXE_SCRIPT, axe_check

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
REASON = "Customer phoned: bought the same cover twice by mistake"


@pytest.fixture(scope="module")
def demo_customer(platform) -> ApiClient:
    response = requests.post(
        platform.api_url + "/members/signin",
        json={"email": demo.DEMO_CUSTOMER["email"], "password": demo.DEMO_CUSTOMER["password"]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return ApiClient(platform.api_url, response.json()["tokens"]["id_token"])


def bought_policy(customer: ApiClient, anonymous: ApiClient) -> dict:
    order = place_order(customer, quote(anonymous))
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed", "cancelled"})
    assert issued["status"] == "issued", issued
    return customer.get(f"/policies/{issued['policy_no']}").json()


@pytest.fixture
def operator_page(browser, platform):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    page = watched(context)
    sign_in_to_console(page, platform, demo.DEMO_OPERATOR["email"], demo.DEMO_OPERATOR["password"])
    page.get_by_role("link", name="Policies").click()
    ready(page)
    yield page
    context.close()


def find_policy(page, policy_no: str) -> None:
    page.get_by_label("Policy number").fill(policy_no)
    page.get_by_role("button", name="Find policy").click()
    ready(page)


def test_given_a_bought_policy_when_the_operator_cancels_it_with_a_reason_then_refunded_and_audited(
    platform, demo_customer, anonymous, operator_page
):
    from playwright.sync_api import expect

    page = operator_page
    policy = bought_policy(demo_customer, anonymous)
    no = policy["policy_no"]

    # Given an unknown number, the operator is told so in plain words
    find_policy(page, "P0000NOSUCH")
    expect(page.get_by_role("alert")).to_contain_text("No policy has the number “P0000NOSUCH”")
    expect(page.get_by_label("Policy number")).to_be_focused()

    # When the operator finds the customer's policy
    find_policy(page, no)
    card = page.get_by_role("region", name=re.compile(f"Policy {no}"))
    expect(card).to_contain_text(policy["product_name"])
    expect(card).to_contain_text(policy["plan"])
    expect(card).to_contain_text("In force")
    expect(card).to_contain_text(policy["policyholder"]["id_number"])  # masked, as the API gives it
    assert policy["policyholder"]["id_number"].count("*") >= 8
    quote_card = page.get_by_role("region", name="Cancel on the customer's behalf")
    expect(quote_card).to_contain_text("Cooling-off period: full refund")
    expect(quote_card).to_contain_text("CNY 169.00")
    assert page.url.endswith(f"#/policies/{no}")

    # and tries to cancel without a reason, it asks for one before anything is sent
    calls_before = len(page.admin_calls)
    page.get_by_role("button", name="Cancel policy on the customer's behalf").click()
    reason = page.get_by_label("Reason for cancelling (required)")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(quote_card).to_contain_text("Enter the reason for cancelling")
    assert len(page.admin_calls) == calls_before

    # then gives it, and a confirmation step names the refund; "No" keeps the policy
    reason.fill(REASON)
    page.get_by_role("button", name="Cancel policy on the customer's behalf").click()
    confirm = page.get_by_role("group", name=re.compile(f"Cancel policy {no}"))
    expect(confirm).to_contain_text("CNY 169.00 goes back")
    page.get_by_role("button", name="No, keep the policy").click()
    expect(confirm).to_have_count(0)
    page.get_by_role("button", name="Cancel policy on the customer's behalf").click()
    page.get_by_role("button", name="Yes, cancel the policy").click()
    ready(page)

    # Then the result says refunded, the policy shows cancelled, and the audit trail has the entry
    done = page.locator(".alert.ok")
    expect(done).to_contain_text(f"Policy {no} is cancelled.")
    expect(done).to_contain_text("Refunded · CNY 169.00")
    expect(done).to_be_focused()
    expect(card).to_contain_text("Cancelled")
    expect(card).to_contain_text(REASON)
    expect(card).to_contain_text("an operator, on the customer's behalf")
    audit = page.get_by_role("region", name="Audit trail for this policy")
    expect(audit).to_contain_text("cancelled the policy")
    expect(audit).to_contain_text(demo.DEMO_OPERATOR["email"])
    expect(audit).to_contain_text(REASON)
    expect(page.get_by_role("button", name="Cancel policy on the customer's behalf")).to_have_count(0)
    shot(page, "policy-cancelled")

    found = axe_check(page) if AXE_SCRIPT.exists() else []
    assert not found, found
    assert not page.errors and not page.outside, (page.errors, page.outside)

    # The console's audit trail finds it by policy too, and links back to this screen
    page.goto(platform.url + f"/admin/#/audit?entity=policy:{no}")
    ready(page)
    expect(page.get_by_role("status").filter(has_text="1 change to")).to_contain_text(f"policy:{no}")
    page.get_by_role("link", name=f"policy:{no}").click()
    ready(page)
    expect(page.get_by_role("heading", name=f"Policy {no}")).to_be_focused()

    # and the customer sees the policy cancelled with the refund
    detail = demo_customer.get(f"/policies/{no}").json()
    assert detail["status"] == "cancelled" and detail["cancelled_by"] == "operator"
    assert detail["cancellation_reason"] == REASON and detail["refund"]["status"] == "refunded"


def test_given_the_policy_was_cancelled_meanwhile_when_the_operator_confirms_then_409_in_plain_words(
    platform, demo_customer, anonymous, operator_page
):
    from playwright.sync_api import expect

    page = operator_page
    no = bought_policy(demo_customer, anonymous)["policy_no"]
    find_policy(page, no)
    page.get_by_label("Reason for cancelling (required)").fill("Customer asked by e-mail")
    page.get_by_role("button", name="Cancel policy on the customer's behalf").click()
    expect(page.get_by_role("button", name="Yes, cancel the policy")).to_be_visible()

    # the customer cancels it themselves while the operator is on the confirmation step
    quoted = demo_customer.get(f"/policies/{no}/cancellation-quote").json()
    answer = demo_customer.post(
        f"/policies/{no}/cancellation",
        json={"reason": "changed_mind", "refund_cents": quoted["refund_cents"]},
    )
    assert answer.status_code == 200, answer.text

    page.get_by_role("button", name="Yes, cancel the policy").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was changed")
    expect(alert).to_contain_text("already cancelled")
    assert demo_customer.get(f"/policies/{no}").json()["cancellation_reason"] == "changed_mind"
    assert not page.errors, page.errors
