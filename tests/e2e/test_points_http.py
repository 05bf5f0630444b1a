"""Points over HTTP on the local platform: the daily check-in once, a purchase earning points through
the PolicyIssued stream, points spent as a discount on the next order, and the operators' view."""

from __future__ import annotations

import time
import uuid

from shop import order_body, pay, quote, sign_up, wait_for_order


def _points(client) -> dict:
    response = client.get("/members/me/points")
    assert response.status_code == 200, response.text
    return response.json()


def _wait_for_entry(client, key: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        mine = _points(client)
        if any(e["key"] == key for e in mine["history"]):
            return mine
        if time.monotonic() > deadline:
            raise AssertionError(f"no points entry {key}: {mine['history']}")
        time.sleep(0.2)


def _buy(client, **extra) -> dict:
    quoted = quote(client)
    response = client.post(
        "/orders", json=order_body(quoted, **extra), headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    order = wait_for_order(client, response.json()["order_id"], {"awaiting_payment"})
    pay(client, order)
    return wait_for_order(client, order["order_id"], {"issued"})


def test_given_a_member_when_checking_in_buying_and_spending_then_the_points_follow(
    platform, operator, anonymous
):
    member = sign_up(platform, "Points Buyer")
    first = member.post("/members/me/check-in")
    assert first.status_code == 200, first.text
    assert first.json()["already_checked_in"] is False
    again = member.post("/members/me/check-in").json()
    assert again["already_checked_in"] is True and again["points"] == first.json()["points"]
    assert anonymous.post("/members/me/check-in").status_code == 401

    issued = _buy(member)
    mine = _wait_for_entry(member, f"PURCHASE#{issued['policy_no']}")
    purchase = next(e for e in mine["history"] if e["key"] == f"PURCHASE#{issued['policy_no']}")
    paid_cents = round(float(member.get(f"/policies/{issued['policy_no']}").json()["premium"]) * 100)
    assert purchase["kind"] == "earn" and purchase["points"] >= paid_cents // 100  # x multipliers >= 1
    assert purchase["expires_on"] > purchase["at"][:10]
    balance = mine["points"]
    assert balance == first.json()["points"] + purchase["points"]

    spend = min(balance, 100)
    discounted = _buy(member, points=spend)
    assert any(d["kind"] == "points" for d in discounted["premium"]["discounts"])
    after = _points(member)
    spent = next(e for e in after["history"] if e["key"] == f"SPEND#{discounted['order_id']}")
    assert spent["points"] == -spend

    me = member.get("/members/me").json()["member"]
    view = operator.get(f"/admin/members/{me['member_id']}/points")
    assert view.status_code == 200, view.text
    assert view.json()["totals"]["spent_total"] == spend
    assert member.get(f"/admin/members/{me['member_id']}/points").status_code == 403
