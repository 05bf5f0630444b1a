"""Cancelling a bought policy over HTTP: quote, confirm (three times at once), refund once, operators."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from shop import pay, place_order, quote, sign_up, wait_for_order

from insuremall.clock import china_today


def bought_policy(customer, anonymous) -> dict:
    order = place_order(customer, quote(anonymous))
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed", "cancelled"})
    assert issued["status"] == "issued", issued
    return customer.get(f"/policies/{issued['policy_no']}").json() | {
        "intent_id": order["payment"]["intent_id"]
    }


def refunded_cents(platform, intent_id: str) -> int:
    item = platform.aws.client("dynamodb").get_item(
        TableName=platform.aws.template.physical_name("CheckoutTable"),
        Key={"pk": {"S": f"PAYMENT#{intent_id}"}, "sk": {"S": "INTENT"}},
        ConsistentRead=True,
    )["Item"]
    return int(item.get("refunded_cents", {"N": "0"})["N"])


def test_given_cooling_off_when_cancel_is_sent_three_times_at_once_then_refunded_once(
    platform, customer, anonymous
):
    policy = bought_policy(customer, anonymous)
    no = policy["policy_no"]
    quoted = customer.get(f"/policies/{no}/cancellation-quote").json()
    assert quoted["rule"] == "cooling_off" and quoted["within_cooling_off"] is True
    premium = quoted["premium_cents"]
    assert quoted["refund_cents"] == premium == 16900

    body = {"reason": "changed_mind", "refund_cents": premium}
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: customer.post(f"/policies/{no}/cancellation", json=body), range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    results = [a.json() for a in answers]
    assert results[0] == results[1] == results[2]
    assert results[0]["refund"]["status"] == "refunded" and results[0]["refund"]["amount_cents"] == premium
    assert refunded_cents(platform, policy["intent_id"]) == premium

    detail = customer.get(f"/policies/{no}").json()
    assert detail["status"] == "cancelled" and detail["cancellation_reason"] == "changed_mind"
    assert detail["refund"]["amount_cents"] == premium and detail["cancelled_on"] == quoted["cancelled_on"]


def test_given_another_customer_when_they_try_to_cancel_then_404(platform, customer, anonymous):
    policy = bought_policy(customer, anonymous)
    stranger = sign_up(platform)
    no = policy["policy_no"]
    assert stranger.get(f"/policies/{no}/cancellation-quote").status_code == 404
    answer = stranger.post(f"/policies/{no}/cancellation", json={"reason": "other", "refund_cents": 16900})
    assert answer.status_code == 404 and answer.json()["error"]["message"]
    assert customer.get(f"/policies/{no}").json()["status"] == "in_force"


def test_given_a_stale_refund_amount_when_confirming_then_409(platform, customer, anonymous):
    policy = bought_policy(customer, anonymous)
    answer = customer.post(
        f"/policies/{policy['policy_no']}/cancellation", json={"reason": "other", "refund_cents": 100}
    )
    assert answer.status_code == 409, answer.text
    assert "cancellation quote" in answer.json()["error"]["message"]
    assert refunded_cents(platform, policy["intent_id"]) == 0


def test_given_an_operator_when_cancelling_for_a_customer_then_refunded_and_audited(
    platform, customer, anonymous, operator
):
    policy = bought_policy(customer, anonymous)
    no = policy["policy_no"]
    assert customer.post(f"/admin/policies/{no}/cancellation", json={"reason": "x"}).status_code == 403
    answer = operator.post(f"/admin/policies/{no}/cancellation", json={"reason": "Customer asked by phone"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["policy"]["status"] == "cancelled"
    assert refunded_cents(platform, policy["intent_id"]) == 16900
    trail = operator.get("/admin/audit", params={"entity": f"policy:{no}"}).json()["entries"]
    assert [(e["action"], e["changes"]["reason"]["to"]) for e in trail] == [
        ("policy.cancelled", "Customer asked by phone")
    ]
    assert customer.get(f"/policies/{no}").json()["cancelled_by"] == "operator"


def test_given_the_policy_page_when_the_customer_cancels_then_the_refund_is_shown_before_and_after(
    platform, customer, anonymous, browser
):
    from storefront_pages import PHONE, open_page, shot, signed_in, unlabelled_inputs

    from tools.storefront_audit import AXE_SCRIPT, axe_check, blocking

    if not AXE_SCRIPT.exists():
        pytest.skip(f"{AXE_SCRIPT} is missing (npm ci --prefix tools)")

    policy = bought_policy(customer, anonymous)
    with open_page(browser, PHONE) as page:
        signed_in(page, platform, customer)
        page.goto(f"{platform.url}/policy.html?no={policy['policy_no']}")
        terms = page.locator("#cancellation-terms")
        assert terms.inner_text().splitlines()[0].startswith("Full refund in the cooling-off period, until")
        assert "After that: A refund by the short-rate table" in terms.inner_text()
        page.get_by_role("button", name="Cancel policy").click()
        heading = page.locator("#cancel-heading")
        assert heading.inner_text() == "If you cancel today you get back CNY 169.00"
        assert page.evaluate("document.activeElement.id") == "cancel-heading"
        assert "cooling-off" in page.locator("#cancel-form").inner_text()
        # Cover starts tomorrow: cancelling today means it never starts (not "ends your cover today").
        effect = page.locator("#cancel-effect").inner_text()
        assert "will not start" in effect and "ends your cover today" not in effect
        assert unlabelled_inputs(page) == []
        page.get_by_label("Why are you cancelling?").select_option("cover_elsewhere")
        shot(page, "policy-cancel-quote-phone")
        assert blocking(axe_check(page)) == []
        page.get_by_role("button", name="Cancel and refund CNY 169.00").click()
        page.locator("#cancelled-heading").wait_for()
        assert "Refund: CNY 169.00, refunded" in page.locator("#cancel-policy").inner_text()
        assert page.locator("#policy .badge").inner_text() == "Cancelled"
        shot(page, "policy-cancelled-phone")
        assert blocking(axe_check(page)) == []
        page.reload()
        page.locator("#cancelled-heading").wait_for()
        assert not page.errors and not page.console_errors and not page.outside
    assert refunded_cents(platform, policy["intent_id"]) == 16900


def test_given_a_product_without_cooling_off_when_its_page_is_read_then_the_rules_that_apply_are_named(
    platform, browser
):
    from storefront_pages import PHONE, open_page

    with open_page(browser, PHONE) as page:
        page.goto(f"{platform.url}/product.html?id=travel-asia-explorer")
        rules = page.locator("#cancel-rules")
        rules.wait_for()
        assert rules.inner_text() == "Full refund before cover starts; after that, no refund."
        page.goto(f"{platform.url}/product.html?id=accident-guardian")
        assert (
            page.locator("#cancel-rules")
            .inner_text()
            .startswith("Full refund in the 15-day cooling-off period or before cover starts")
        )
        assert not page.errors and not page.outside


def test_given_a_travel_policy_starting_later_when_quoted_then_the_rule_is_before_cover_starts(
    platform, customer, anonymous
):
    from datetime import timedelta

    start = china_today() + timedelta(days=5)
    quoted = quote(
        anonymous, "travel-asia-explorer", plan="essential", term="7D", start_date=start.isoformat()
    )
    order = place_order(customer, quoted, health_answers={})
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed", "cancelled"})
    assert issued["status"] == "issued", issued
    no = issued["policy_no"]
    quoted = customer.get(f"/policies/{no}/cancellation-quote").json()
    assert quoted["rule"] == "not_started" and quoted["within_cooling_off"] is False
    assert "cooling-off" not in quoted["explanation"] and "has not started" in quoted["explanation"]
    assert quoted["cover"] == f"Your cover, due to start on {start.isoformat()}, will not start"
    detail = customer.get(f"/policies/{no}").json()
    assert [t["rule"] for t in detail["cancellation_terms"]] == ["not_started", "none"]
