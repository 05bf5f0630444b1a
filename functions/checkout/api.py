"""What other capabilities may ask checkout; they import these names, never its modules.

Checkout's table is written by checkout's functions only: a caller in another function (policy's
renewals and cancellations) reaches these through insuremall.invocation, which runs them in
CheckoutTasksFunction (its interface tasks, checkout.tasks.INTERFACE).
"""

from __future__ import annotations

from typing import Any

from checkout.domain.model import Order, Quote
from checkout.ordering import OrderDraft, Wording, new_order_id
from checkout.views import order_view
from insuremall import invocation

__all__ = [
    "Order",
    "OrderDraft",
    "Quote",
    "Wording",
    "check_order",
    "new_order_id",
    "order",
    "order_view",
    "place_order",
    "refund_cancelled_policy",
]

_FUNCTION = "CHECKOUT_TASKS_FUNCTION"


def place_order(
    draft: OrderDraft, idempotency_key: str | None = None, *, order_id: str | None = None
) -> Order:
    """The one order placement (checkout.ordering.place), for a seller outside checkout."""
    placed = invocation.call(
        _FUNCTION, "place_order", draft=draft.as_dict(), idempotency_key=idempotency_key, order_id=order_id
    )
    return Order.from_dict(placed)


def check_order(draft: OrderDraft) -> None:
    """Raise what place_order would raise for the draft's price and application; writes nothing."""
    invocation.call(_FUNCTION, "check_order", draft=draft.as_dict())


def order(order_id: str) -> Order | None:
    """The order as stored (a consistent read), or None."""
    found = invocation.call(_FUNCTION, "order", order_id=order_id)
    return Order.from_dict(found) if found else None


def refund_cancelled_policy(
    *,
    order_id: str,
    policy_no: str,
    cancelled_at: str,
    refund_cents: int,
    intent_id: str | None,
    reason: str,
) -> dict[str, Any] | None:
    """The policy sold by `order_id` was cancelled: checkout notes it on the order (what the order then
    shows) and pays `refund_cents` back, once per policy. Returns the refund ({refund_id, amount_cents,
    reason, created_at}), or None when none is due (0) or there is no payment to refund it to."""
    return invocation.call(
        _FUNCTION,
        "refund_cancelled_policy",
        order_id=order_id,
        policy_no=policy_no,
        cancelled_at=cancelled_at,
        refund_cents=refund_cents,
        intent_id=intent_id,
        reason=reason,
    )
