"""The distribution story over HTTP on the local platform: A invites B, B invites C, C buys -> B and A
see pending promotion fees at the operator's rates -> cooling-off passes (the release job run for a
later day) -> available -> B withdraws -> an operator approves -> paid; then a second sale cancelled
after release is clawed back, and one cancelled before release is voided."""

from __future__ import annotations

import time
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import requests
from shop import ApiClient, order_body, pay, quote, wait_for_order

CHINA = timezone(timedelta(hours=8))
PRODUCT = "accident-commuter"
LEVEL1_BP, LEVEL2_BP = 1200, 300


def join(platform, name: str, invite_code: str | None = None) -> ApiClient:
    email = f"d-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "Secret2026x", "name": name}
    if invite_code:
        body["invite_code"] = invite_code
    response = requests.post(platform.api_url + "/members/signup", json=body, timeout=30)
    assert response.status_code == 201, response.text
    client = ApiClient(platform.api_url, response.json()["tokens"]["id_token"])
    client.email = email
    return client


def invite_code(client: ApiClient) -> str:
    response = client.get("/members/me/invitation")
    assert response.status_code == 200, response.text
    return response.json()["invite_code"]


def buy(client: ApiClient) -> dict:
    """A paid and issued policy of the commuter accident product; returns the issued order."""
    offer = quote(client, PRODUCT, plan="plus", occupation_class=None)
    response = client.post(
        "/orders", json=order_body(offer, health_answers={}), headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    order = wait_for_order(client, response.json()["order_id"], {"awaiting_payment"})
    pay(client, order)
    return wait_for_order(client, order["order_id"], {"issued"})


def fee(premium: str, bp: int) -> int:
    return int((Decimal(premium) * 100 * bp / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def commissions(client: ApiClient) -> dict:
    response = client.get("/members/me/commissions")
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(read, check, timeout: float = 30):
    """Stream consumers run in the background: poll until `check(read())` holds."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value}")
        time.sleep(0.2)


def release_day(platform, day: date) -> dict:
    response = requests.post(
        f"{platform.url}/local/schedules/DailyCommissionRelease?date={day.isoformat()}", timeout=120
    )
    assert response.status_code == 200, response.text
    assert not response.json().get("error"), response.json()
    return response.json()


def test_given_a_two_level_tree_when_the_invitee_of_an_invitee_buys_then_fees_flow_to_a_paid_withdrawal(
    platform, operator
):
    today = datetime.now(CHINA).date()
    response = operator.post(
        "/admin/commission-rates",
        json={
            "scope": "product",
            "scope_id": PRODUCT,
            "effective_from": today.isoformat(),
            "level1_bp": LEVEL1_BP,
            "level2_bp": LEVEL2_BP,
            "renewal_level1_bp": 600,
            "renewal_level2_bp": 100,
        },
    )
    assert response.status_code in (200, 201), response.text
    a = join(platform, "Ann Inviter")
    b = join(platform, "Bo Middle", invite_code(a))
    c = join(platform, "Chen Buyer", invite_code(b))

    order = buy(c)
    premium = order["premium"]["total"]
    b_fee, a_fee = fee(premium, LEVEL1_BP), fee(premium, LEVEL2_BP)

    b_view = wait_for(lambda: commissions(b), lambda v: v["pending_cents"] > 0)
    a_view = wait_for(lambda: commissions(a), lambda v: v["pending_cents"] > 0)
    assert (b_view["pending_cents"], b_view["available_cents"]) == (b_fee, 0)
    assert (a_view["pending_cents"], a_view["available_cents"]) == (a_fee, 0)
    assert b_view["today_cents"] == b_fee and b_view["total_cents"] == b_fee
    entries = b.get("/members/me/commissions/entries").json()["entries"]
    assert [(e["kind"], e["level"], e["amount_cents"]) for e in entries] == [("earn", 1, b_fee)]
    assert order["policy_no"] not in str(entries)  # policy numbers are masked

    # Cooling-off passes: the release job runs for the day after it (time injected through the schedule).
    policy = c.get(f"/policies/{order['policy_no']}").json()
    after_cooling_off = date.fromisoformat(policy["cooling_off_until"]) + timedelta(days=1)
    release_day(platform, after_cooling_off)
    release_day(platform, after_cooling_off)  # a re-run releases nothing twice
    b_view = commissions(b)
    assert (b_view["pending_cents"], b_view["available_cents"]) == (0, b_fee)
    assert commissions(a)["available_cents"] == a_fee

    account = {
        "holder_name": "Bo Middle",
        "bank_name": "China Merchants Bank",
        "account_no": "6225880112345678",
    }
    response = b.http.put(
        b.base + "/members/me/payout-account", json=account, headers=b._headers(None), timeout=30
    )
    assert response.status_code == 200, response.text
    response = b.post("/members/me/withdrawals", json={"amount_cents": b_fee})
    assert response.status_code == 201, response.text
    withdrawal = response.json()
    assert commissions(b)["available_cents"] == 0
    if withdrawal["status"] == "pending":
        response = operator.post(
            f"/admin/withdrawals/{withdrawal['withdrawal_id']}/decision",
            json={"decision": "approve", "note": "ok"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "paid"
    b_view = commissions(b)
    assert (b_view["available_cents"], b_view["reserved_cents"], b_view["withdrawn_cents"]) == (0, 0, b_fee)
    listed = b.get("/members/me/withdrawals").json()["withdrawals"]
    assert [(w["withdrawal_id"], w["status"]) for w in listed] == [(withdrawal["withdrawal_id"], "paid")]

    # A second sale, cancelled after its fees were released: the refund's share is clawed back.
    second = buy(c)
    wait_for(lambda: commissions(b), lambda v: v["pending_cents"] > 0)
    second_policy = c.get(f"/policies/{second['policy_no']}").json()
    release_day(platform, date.fromisoformat(second_policy["cooling_off_until"]) + timedelta(days=1))
    assert commissions(b)["available_cents"] == fee(second["premium"]["total"], LEVEL1_BP)
    cancellation = c.get(f"/policies/{second['policy_no']}/cancellation-quote").json()
    response = c.post(
        f"/policies/{second['policy_no']}/cancellation",
        json={"reason": "changed_mind", "refund_cents": cancellation["refund_cents"]},
    )
    assert response.status_code == 200, response.text
    wait_for(lambda: commissions(b), lambda v: v["available_cents"] == 0)
    kinds = [e["kind"] for e in b.get("/members/me/commissions/entries").json()["entries"]]
    assert "clawback" in kinds

    # A third sale, cancelled inside cooling-off before release: its pending fees are voided.
    third = buy(c)
    wait_for(lambda: commissions(a), lambda v: v["pending_cents"] > 0)
    cancellation = c.get(f"/policies/{third['policy_no']}/cancellation-quote").json()
    response = c.post(
        f"/policies/{third['policy_no']}/cancellation",
        json={"reason": "changed_mind", "refund_cents": cancellation["refund_cents"]},
    )
    assert response.status_code == 200, response.text
    wait_for(lambda: commissions(a), lambda v: v["pending_cents"] == 0)
    assert "void" in [e["kind"] for e in a.get("/members/me/commissions/entries").json()["entries"]]
