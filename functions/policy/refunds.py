"""Cancellation refunds: paid through checkout's payment provider at most once (keyed by policy), then
noted on the policy. The API finishes a refund right after the cancellation; the hourly
`retry_refunds` task finishes any the API could not (a provider outage, a crash in between)."""

from __future__ import annotations

from typing import Any

from policy import store


class NothingToRefund(Exception):
    pass


def complete(policy: dict[str, Any]) -> dict[str, Any]:
    """Refund a cancelled policy whose refund is pending; the same policy again refunds nothing more."""
    done = policy["cancellation"]
    if done["refund"]["status"] != "pending":
        return policy
    from checkout import payments

    intent_id = policy["premium"].get("payment_intent_id")
    if not intent_id:
        raise NothingToRefund("This policy has no payment to refund; an operator will arrange the refund")
    refund = payments.provider().refund(
        intent_id,
        done["refund_cents"],
        f"{policy['policy_no']}-cancel",
        f"cancellation: {done['reason_code']}",
    )
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
