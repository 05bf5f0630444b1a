"""Operators' decisions on referred applications over HTTP, through the purchase state machine: each
decision is audited (who, when, the decision, the note the customer sees) and decided referrals are
still found by status."""

from __future__ import annotations

import time

from shop import pay, place_order, quote, wait_for_order

FINAL = {"issued", "declined", "failed", "cancelled"}


def referred_order(customer) -> dict:
    order = place_order(customer, quote(customer), health_answers={"hq_disability": True})
    pay(customer, order)
    assert wait_for_order(customer, order["order_id"], {"referred"} | FINAL)["status"] == "referred"
    return order


def referrals(operator, status: str | None = None) -> list[dict]:
    answer = operator.get("/underwriting/referrals", params={"status": status} if status else None)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == (status or "pending")
    assert all(r["status"] == body["status"] and "task_token" not in r for r in body["referrals"])
    return body["referrals"]


def wait_queued(operator, order_id: str) -> None:
    # The order shows "referred" one state before the referral queue has it.
    deadline = time.monotonic() + 10
    while order_id not in [r["order_id"] for r in referrals(operator)]:
        assert time.monotonic() < deadline, "the referral never reached the operators' queue"
        time.sleep(0.1)


def test_given_two_referrals_when_one_is_accepted_and_one_declined_then_both_are_audited_and_findable(
    customer, operator
):
    accepted, declined = referred_order(customer), referred_order(customer)
    for order in (accepted, declined):
        wait_queued(operator, order["order_id"])

    answer = operator.post(
        f"/underwriting/referrals/{accepted['order_id']}/decision",
        json={"decision": "accept", "note": "Disability is unrelated to accident cover"},
    )
    assert answer.status_code == 200, answer.text
    answer = operator.post(
        f"/underwriting/referrals/{declined['order_id']}/decision",
        json={"decision": "decline", "note": "A permanent disability is not insurable on this product"},
    )
    assert answer.status_code == 200, answer.text
    assert wait_for_order(customer, accepted["order_id"], FINAL)["status"] == "issued"
    closed = wait_for_order(customer, declined["order_id"], FINAL)
    assert closed["status"] == "declined"
    assert "not insurable on this product" in closed["status_reason"]

    trail = operator.get("/admin/audit", params={"entity": f"referral:{accepted['order_id']}"})
    assert trail.status_code == 200, trail.text
    (entry,) = trail.json()["entries"]
    assert entry["action"] == "referral.accepted" and entry["at"]
    assert entry["actor"]["email"] == "operator@insuremall.test"
    assert entry["changes"]["status"] == {"from": "pending", "to": "accepted"}
    assert entry["changes"]["note"]["to"] == "Disability is unrelated to accident cover"
    assert entry["changes"]["shown_to_customer"]["to"] is None  # an accept's note stays internal
    (entry,) = operator.get("/admin/audit", params={"entity": f"referral:{declined['order_id']}"}).json()[
        "entries"
    ]
    assert entry["action"] == "referral.declined"
    assert entry["changes"]["shown_to_customer"]["to"] == closed["status_reason"]

    pending = [r["order_id"] for r in referrals(operator)]
    assert accepted["order_id"] not in pending and declined["order_id"] not in pending
    found = {r["order_id"]: r for r in referrals(operator, "accepted")}
    assert found[accepted["order_id"]]["decided_at"] and found[accepted["order_id"]]["decided_by"]
    assert declined["order_id"] not in found
    refused = next(r for r in referrals(operator, "declined") if r["order_id"] == declined["order_id"])
    assert refused["note"] == "A permanent disability is not insurable on this product"

    again = operator.post(
        f"/underwriting/referrals/{accepted['order_id']}/decision", json={"decision": "decline", "note": "x"}
    )
    assert again.status_code == 409 and "already accepted" in again.json()["error"]["message"]
    assert (
        len(
            operator.get("/admin/audit", params={"entity": f"referral:{accepted['order_id']}"}).json()[
                "entries"
            ]
        )
        == 1
    )


def test_given_a_bad_status_or_a_customer_when_listing_referrals_then_422_or_403(customer, operator):
    answer = operator.get("/underwriting/referrals", params={"status": "maybe"})
    assert answer.status_code == 422 and "declined" in answer.json()["error"]["fields"]["status"]
    assert customer.get("/underwriting/referrals", params={"status": "declined"}).status_code == 403
