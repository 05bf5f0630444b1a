"""Purchase-saga tasks that own the order: await payment, mark referred, close, refund, cancel.

Each task is idempotent on order_id: a retried or duplicated invocation changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from checkout import payments, store
from distribution import api as distribution
from insuremall import tasks
from insuremall.observability import get_logger

logger = get_logger("checkout-tasks")


def await_payment(event: dict[str, Any]) -> dict[str, Any]:
    order = store.get_order(event["order_id"], consistent=True)
    if order is None:
        raise ValueError(f"no order {event['order_id']}")
    intent = payments.provider().create_intent(order["order_id"], order["premium_cents"], order["currency"])
    store.park_payment_token(
        order["order_id"], intent["intent_id"], intent["client_secret"], event["task_token"]
    )
    return {"intent_id": intent["intent_id"]}  # never the client secret: task output is kept in history


def mark_referred(event: dict[str, Any]) -> dict[str, Any]:
    store.transition(
        event["order_id"],
        "referred",
        ("paid", "referred"),
        note="; ".join(event.get("reasons") or []) or "referred to an underwriter",
    )
    return {}


def close_issued(event: dict[str, Any]) -> dict[str, Any]:
    order, _ = store.transition(
        event["order_id"], "issued", ("paid", "referred"), policy_no=event["policy_no"]
    )
    distribution.confirm_discounts(order["customer_id"], order["order_id"], distribution.discounts_of(order))
    return {}


def _give_back_discounts(order_id: str) -> None:
    """The order ended without a policy: its coupon and points go back to the member (once)."""
    order = store.get_order(order_id, consistent=True)
    if order is not None:
        distribution.give_back_discounts(order["customer_id"], order_id, distribution.discounts_of(order))


def _refund_if_paid(order: dict[str, Any], reason: str) -> dict[str, Any] | None:
    intent_id = order["payment_intent_id"]
    intent = payments.provider().get_intent(intent_id) if intent_id else None
    if intent is None or intent["status"] not in ("succeeded", "refunded"):
        return None
    # One refund key per order: however often compensation runs, the customer is refunded once.
    return payments.provider().refund(
        intent_id, intent["amount_cents"], f"{order['order_id']}-refund", reason
    )


def refund_and_close(event: dict[str, Any]) -> dict[str, Any]:
    state = event.get("state") or {}
    order = store.get_order(event["order_id"], consistent=True)
    underwriting = state.get("underwriting") or {}
    if "failure" not in state and underwriting.get("outcome") == "decline":
        to_status = "declined"
        reason = "; ".join(underwriting.get("reasons") or []) or "The application was declined"
    else:
        to_status = "failed"
        reason = "We could not complete your policy and have refunded your payment"
        logger.error(
            "purchase failed after payment",
            extra={"order_id": event["order_id"], "failure": state.get("failure")},
        )
    refund = _refund_if_paid(order, reason)
    store.transition(event["order_id"], to_status, ("paid", "referred"), note=reason, refund=refund)
    _give_back_discounts(event["order_id"])
    return {"status": to_status}


def cancel_unpaid(event: dict[str, Any]) -> dict[str, Any]:
    order = store.get_order(event["order_id"], consistent=True)
    if order["payment_intent_id"]:
        payments.provider().cancel(order["payment_intent_id"])
    try:
        store.transition(
            event["order_id"], "cancelled", ("pending_payment", "awaiting_payment"), note="Not paid in time"
        )
    except store.InvalidTransition as exc:
        # Paid at the moment the wait timed out: refund rather than keep money for no policy.
        if exc.order and exc.order["status"] == "paid":
            reason = "Payment arrived after the order expired"
            refund = _refund_if_paid(exc.order, reason)
            store.transition(event["order_id"], "cancelled", ("paid",), note=reason, refund=refund)
        else:
            raise
    _give_back_discounts(event["order_id"])
    return {"status": "cancelled"}


TASKS = {
    "await_payment": await_payment,
    "mark_referred": mark_referred,
    "close_issued": close_issued,
    "refund_and_close": refund_and_close,
    "cancel_unpaid": cancel_unpaid,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return tasks.run(TASKS, event, logger)
