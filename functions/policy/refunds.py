"""Cancellation refunds: paid by checkout (checkout.api.refund_cancelled_policy, run in checkout's
function) at most once (keyed by policy), then noted on the policy. Checkout also notes the
cancellation on the order that sold the policy, which is what the order then shows. The API finishes a
refund right after the cancellation; the hourly `retry_refunds` task finishes any the API could not
(a provider outage, a crash in between)."""

from __future__ import annotations

from typing import Any

from policy import store


class NothingToRefund(Exception):
    pass


def complete(policy: dict[str, Any]) -> dict[str, Any]:
    """Refund a cancelled policy whose refund is pending; the same policy again refunds nothing more.
    A cancellation with no refund due is still told to checkout (its order shows it)."""
    from checkout import api as checkout

    done = policy["cancellation"]
    status = done["refund"]["status"]
    if status == "refunded":
        return policy
    intent_id = policy["premium"].get("payment_intent_id")
    refund = checkout.refund_cancelled_policy(
        order_id=policy["order_id"],
        policy_no=policy["policy_no"],
        cancelled_at=done["cancelled_at"],
        refund_cents=done["refund_cents"] if status == "pending" else 0,
        intent_id=intent_id,
        reason=f"cancellation: {done['reason_code']}",
    )
    if status != "pending":
        return policy
    if refund is None:
        raise NothingToRefund("This policy has no payment to refund; an operator will arrange the refund")
    done = done | {
        "refund": {
            "status": "refunded",
            "amount_cents": refund["amount_cents"],
            "refund_id": refund["refund_id"],
            "refunded_at": refund["created_at"],
        }
    }
    store.record_refund(policy["policy_no"], done)
    return policy | {"cancellation": done}
