"""Use cases that pay money back through the payment provider, each at most once (keyed refunds):
a payment that arrived after its order expired, a payment for an order that ended without a policy,
and a cancelled policy's refund, which the policy capability asks for through checkout.api (run in
CheckoutTasksFunction, which owns CheckoutTable) and which is noted on the order that sold it."""

from __future__ import annotations

from typing import Any

from checkout.domain.model import Order, PolicyCancellation


def late_payment(order: Order, *, orders, provider) -> None:
    """The order was cancelled (not paid in time) and then the payment arrived: pay it back."""
    if order.refund:
        return
    refund = provider.refund(
        order.payment_intent_id,
        order.premium_cents,
        f"{order.order_id}-late",
        "payment arrived after the order expired",
    )
    orders.transition(
        order.order_id,
        "cancelled",
        ("cancelled",),
        note="Payment arrived after the order expired and was refunded",
        refund=refund,
    )


def if_paid(order: Order, reason: str, *, provider) -> dict[str, Any] | None:
    """Refund what the order's intent took, if it took anything; None otherwise."""
    intent_id = order.payment_intent_id
    intent = provider.get_intent(intent_id) if intent_id else None
    if intent is None or intent["status"] not in ("succeeded", "refunded"):
        return None
    # One refund key per order: however often compensation runs, the customer is refunded once.
    return provider.refund(intent_id, intent["amount_cents"], f"{order.order_id}-refund", reason)


def cancelled_policy(
    *,
    order_id: str,
    policy_no: str,
    cancelled_at: str,
    refund_cents: int,
    intent_id: str | None,
    reason: str,
    orders,
    provider,
) -> dict[str, Any] | None:
    """The order's policy was cancelled: note it on the order (with the refund pending, or none due),
    then pay the refund (keyed by policy) and note it paid. Returns the refund, or None when none is
    due or there is no payment to refund it to (an operator arranges it)."""
    current = orders.get_order(order_id, consistent=True)
    done = current.policy_cancellation if current else None
    if done and done.refund.get("status") == "refunded":
        return _paid(done.refund)
    due = {"status": "pending" if refund_cents else "none", "amount_cents": refund_cents}
    if current is not None:
        orders.record_policy_cancellation(order_id, PolicyCancellation(cancelled_at, due))
    if not refund_cents or not intent_id:
        return None
    refund = provider.refund(intent_id, refund_cents, f"{policy_no}-cancel", reason)
    paid = {
        "status": "refunded",
        "amount_cents": refund["amount_cents"],
        "refund_id": refund["refund_id"],
        "refunded_at": refund["created_at"],
    }
    if current is not None:
        orders.record_policy_cancellation(order_id, PolicyCancellation(cancelled_at, paid))
    return refund


def _paid(noted: dict[str, Any]) -> dict[str, Any]:
    return {
        "refund_id": noted.get("refund_id"),
        "amount_cents": noted["amount_cents"],
        "created_at": noted.get("refunded_at"),
    }
