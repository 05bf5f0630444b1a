"""Campaigns and coupons over HTTP on the local platform: an operator runs a campaign, a customer
claims a coupon, orders with it, pays the discounted premium, and the policy records what was paid."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from shop import order_body, pay, quote, wait_for_order


def _campaign(**overrides) -> dict:
    now = datetime.now(UTC)
    return {
        "name": f"Autumn {uuid.uuid4().hex[:4]}",
        "description": "CNY 10 off accident cover",
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
        "product_ids": ["accident-guardian"],
        "points_multiplier": "2",
        "coupons": [
            {
                "coupon_id": "ten-off",
                "kind": "amount",
                "amount_cents": 1000,
                "min_premium_cents": 2000,
                "per_member_limit": 1,
                "quota": 50,
            }
        ],
        **overrides,
    }


def test_given_a_campaign_when_a_customer_orders_with_its_coupon_then_the_discounted_premium_is_paid(
    operator, customer, anonymous
):
    response = operator.post("/admin/campaigns", json=_campaign())
    assert response.status_code == 201, response.text
    campaign = response.json()
    campaign_id = campaign["campaign_id"]
    assert campaign["status"] == "running"

    listed = next(
        c for c in anonymous.get("/campaigns").json()["campaigns"] if c["campaign_id"] == campaign_id
    )
    assert listed["coupons"][0]["remaining"] == 50
    assert listed["coupons"][0]["label"].endswith("CNY 10.00 off")

    response = customer.post(f"/campaigns/{campaign_id}/coupons/ten-off/claim")
    assert response.status_code == 201, response.text
    claim_id, valid_until = response.json()["claim_id"], response.json()["valid_until"]
    again = customer.post(f"/campaigns/{campaign_id}/coupons/ten-off/claim")
    assert again.status_code == 409 and again.json()["error"]["code"] == "limit_reached"
    mine = customer.get("/members/me/coupons").json()["coupons"]
    assert [(c["claim_id"], c["status"]) for c in mine] == [(claim_id, "available")]

    quoted = quote(customer)
    gross = round(float(quoted["premium"]["total"]) * 100)
    preview = customer.post(f"/quotes/{quoted['quote_id']}/discounts", json={"coupon_claim_id": claim_id})
    assert preview.status_code == 200, preview.text
    assert preview.json()["payable_cents"] == gross - 1000

    response = customer.post(
        "/orders",
        json=order_body(quoted, coupon_claim_id=claim_id),
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    order = wait_for_order(customer, response.json()["order_id"], {"awaiting_payment"})
    premium = order["premium"]
    assert premium["gross_cents"] == gross
    assert premium["discounts"] == [
        {
            "kind": "coupon",
            "label": f"{campaign['name']}: CNY 10.00 off",
            "amount_cents": 1000,
            "claim_id": claim_id,
            "valid_until": valid_until,  # whether a full refund can give it back depends on it
        }
    ]
    charged = gross - 1000
    assert premium["payable_cents"] == charged
    intent = customer.get(f"/sandbox-payments/{order['payment']['intent_id']}").json()
    assert intent["amount_cents"] == charged
    assert customer.get("/members/me/coupons").json()["coupons"][0]["status"] == "used"

    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued"})
    policy = customer.get(f"/policies/{issued['policy_no']}").json()
    assert round(float(policy["premium"]) * 100) == charged  # what was paid, not the gross premium
    assert issued["premium"]["discounts"][0]["amount_cents"] == 1000

    # Operators see the claim counted; customers cannot reach the operators' routes.
    counted = next(
        c for c in operator.get("/admin/campaigns").json()["campaigns"] if c["campaign_id"] == campaign_id
    )
    assert counted["coupons"][0]["claimed"] == 1
    assert customer.get("/admin/campaigns").status_code == 403
    assert anonymous.post(f"/campaigns/{campaign_id}/coupons/ten-off/claim").status_code == 401


def test_given_bad_campaigns_and_changes_then_each_problem_is_named_and_changes_are_audited(operator):
    response = operator.post("/admin/campaigns", json=_campaign(coupons=[{"kind": "gift"}]))
    assert response.status_code == 422  # the contract: an unknown kind, a missing quota
    assert {"coupons[0].kind", "coupons[0].quota"} <= set(response.json()["error"]["fields"])
    response = operator.post("/admin/campaigns", json=_campaign(points_multiplier="20"))
    assert response.status_code == 422  # the campaign rules: 1 to 10
    assert set(response.json()["error"]["fields"]) == {"points_multiplier"}

    campaign_id = operator.post("/admin/campaigns", json=_campaign()).json()["campaign_id"]
    changed = operator.http.put(
        f"{operator.base}/admin/campaigns/{campaign_id}",
        json=_campaign(name="Autumn, extended"),
        headers={"Authorization": f"Bearer {operator.token}"},
        timeout=30,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Autumn, extended"
    trail = operator.get("/admin/audit", params={"entity": f"campaign:{campaign_id}"}).json()["entries"]
    assert [e["action"] for e in trail] == ["campaign.updated", "campaign.created"]
    missing = operator.http.put(
        f"{operator.base}/admin/campaigns/000000000000",
        json=_campaign(),
        headers={"Authorization": f"Bearer {operator.token}"},
        timeout=30,
    )
    assert missing.status_code == 404


def test_given_a_quota_of_5_when_30_claims_arrive_at_once_over_http_then_exactly_5_succeed(
    operator, customer
):
    from concurrent.futures import ThreadPoolExecutor

    coupons = [
        {"coupon_id": "rush", "kind": "percent", "percent": 5, "per_member_limit": 100, "quota": 5},
    ]
    campaign_id = operator.post("/admin/campaigns", json=_campaign(coupons=coupons)).json()["campaign_id"]

    def claim(_: int) -> int:
        return customer.post(f"/campaigns/{campaign_id}/coupons/rush/claim").status_code

    with ThreadPoolExecutor(max_workers=15) as pool:
        statuses = list(pool.map(claim, range(30)))

    assert statuses.count(201) == 5 and statuses.count(409) == 25
    assert len(customer.get("/members/me/coupons").json()["coupons"]) == 5


def _wait(check, what: str, timeout: float = 30):
    import time

    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened")
        time.sleep(0.2)


def test_given_a_coupon_and_points_spent_when_the_policy_is_cancelled_in_cooling_off_then_both_come_back(
    operator, customer
):
    from concurrent.futures import ThreadPoolExecutor

    # Points to spend: the first purchase earns them through the PolicyIssued stream.
    first = customer.post(
        "/orders", json=order_body(quote(customer)), headers={"Idempotency-Key": uuid.uuid4().hex}
    ).json()
    pay(customer, wait_for_order(customer, first["order_id"], {"awaiting_payment"}))
    wait_for_order(customer, first["order_id"], {"issued"})
    balance = _wait(lambda: customer.get("/members/me/points").json()["points"], "earning points")
    assert balance >= 100

    campaign_id = operator.post("/admin/campaigns", json=_campaign()).json()["campaign_id"]
    claim_id = customer.post(f"/campaigns/{campaign_id}/coupons/ten-off/claim").json()["claim_id"]
    response = customer.post(
        "/orders",
        json=order_body(quote(customer), coupon_claim_id=claim_id, points=100),
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    order = wait_for_order(customer, response.json()["order_id"], {"awaiting_payment"})
    assert [d["kind"] for d in order["premium"]["discounts"]] == ["coupon", "points"]
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued"})
    no = issued["policy_no"]
    assert customer.get("/members/me/points").json()["points"] == balance - 100
    assert customer.get("/members/me/coupons").json()["coupons"][0]["status"] == "used"

    quoted = customer.get(f"/policies/{no}/cancellation-quote").json()
    assert quoted["rule"] == "cooling_off"
    said = {d["kind"]: d for d in quoted["discounts"]}
    assert said["points"]["returned"] and "The 100 points you spent come back" in said["points"]["text"]
    assert said["coupon"]["returned"] and "comes back to use again until" in said["coupon"]["text"]
    body = {"reason": "changed_mind", "refund_cents": quoted["refund_cents"]}
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: customer.post(f"/policies/{no}/cancellation", json=body), range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]

    # The PolicyCancelled consumer gives them back, once.
    _wait(
        lambda: customer.get("/members/me/coupons").json()["coupons"][0]["status"] == "available",
        "the coupon coming back",
    )
    history = _wait(
        lambda: [
            e
            for e in customer.get("/members/me/points").json()["history"]
            if e["key"] == f"RELEASE#{order['order_id']}"
        ],
        "the points coming back",
    )
    assert [(e["points"], e["reason"]) for e in history] == [(100, "policy cancelled with a full refund")]
    mine = customer.get("/members/me/points").json()
    purchase = sum(e["points"] for e in mine["history"] if e["key"] == f"PURCHASE#{no}")
    reversed_ = sum(e["points"] for e in mine["history"] if e["key"] == f"REVERSE#{no}")
    assert (
        mine["points"] == balance + purchase + reversed_
    )  # the cancelled policy's own points are taken back
    detail = customer.get(f"/policies/{no}").json()
    assert detail["refund_rule"] == "cooling_off" and len(detail["discounts_returned"]) == 2
