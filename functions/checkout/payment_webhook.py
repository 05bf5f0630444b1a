"""Use case: the payment provider says a payment succeeded (its signed webhook; the route checked the
signature). Marks the order paid once and resumes the saga; a duplicate changes nothing; a payment for
an order that already expired is refunded."""

from __future__ import annotations

from typing import Any

from checkout import refunds
from checkout.domain import funnel
from insuremall import errors
from insuremall.clock import now_iso


def receive(event: dict[str, Any], *, orders, provider, saga) -> str:
    """One of: "ignored" (not a payment event), "paid", "duplicate", "refunded" (the order had expired)."""
    if event.get("type") != "payment_intent.succeeded":
        return "ignored"
    data = event.get("data") or {}
    order = orders.get_order(str(data.get("order_id")), consistent=True)
    if order is None:
        raise errors.NotFound("No such order")
    if data.get("intent_id") != order.payment_intent_id or data.get("amount_cents") != order.premium_cents:
        raise errors.Invalid({"data": "payment does not match the order"})
    try:
        paid = (order, funnel.order_paid(order, now_iso()))  # counted on the day the order became paid
        order, changed = orders.mark_paid(order.order_id, data["intent_id"], str(data.get("paid_at")), paid)
    except orders.InvalidTransition as exc:
        if exc.order is not None and exc.order.status == "cancelled":
            refunds.late_payment(exc.order, orders=orders, provider=provider)
            return "refunded"
        return "duplicate"
    if not changed:
        return "duplicate"
    saga.resume(order, data)
    return "paid"
