"""Purchase-saga tasks that own the order (await payment, mark referred, close, refund, cancel) and
checkout's interface tasks, which other capabilities call through checkout.api (insuremall.invocation).

Each saga task is idempotent on order_id: a retried or duplicated invocation changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from checkout import incentives, payments, refunds, store
from checkout.domain import funnel
from insuremall import tasks
from insuremall.clock import now_iso
from insuremall.observability import get_logger

logger = get_logger("checkout-tasks")


def _order(order_id: str):
    order = store.get_order(order_id, consistent=True)
    if order is None:
        raise ValueError(f"no order {order_id}")
    return order


def await_payment(event: dict[str, Any]) -> dict[str, Any]:
    order = _order(event["order_id"])
    intent = payments.provider().create_intent(order.order_id, order.premium_cents, order.currency)
    store.park_payment_token(
        order.order_id, intent["intent_id"], intent["client_secret"], event["task_token"]
    )
    return {"intent_id": intent["intent_id"]}  # never the client secret: task output is kept in history


def mark_referred(event: dict[str, Any]) -> dict[str, Any]:
    note = "; ".join(event.get("reasons") or []) or "referred to an underwriter"
    order = _order(event["order_id"])  # the sale's dimensions, for its OrderReferred event
    store.transition(
        order.order_id, "referred", ("paid", "referred"), note=note,
        event=(order, funnel.order_referred(order, now_iso())),
    )  # fmt: skip
    return {}


def close_issued(event: dict[str, Any]) -> dict[str, Any]:
    order, _ = store.transition(
        event["order_id"], "issued", ("paid", "referred"), policy_no=event["policy_no"]
    )
    incentives.confirm(order.customer_id, order.order_id, order.discounts)
    return {}


def _give_back_discounts(order_id: str) -> None:
    """The order ended without a policy: its coupon and points go back to the member (once)."""
    order = store.get_order(order_id, consistent=True)
    if order is not None:
        incentives.give_back(order.customer_id, order_id, order.discounts)


def _closing(state: dict[str, Any], order_id: str) -> tuple[str, str]:
    underwriting = state.get("underwriting") or {}
    if "failure" not in state and underwriting.get("outcome") == "decline":
        return "declined", "; ".join(underwriting.get("reasons") or []) or "The application was declined"
    logger.error(
        "purchase failed after payment", extra={"order_id": order_id, "failure": state.get("failure")}
    )
    return "failed", "We could not complete your policy and have refunded your payment"


def refund_and_close(event: dict[str, Any]) -> dict[str, Any]:
    to_status, reason = _closing(event.get("state") or {}, event["order_id"])
    order = store.get_order(event["order_id"], consistent=True)
    refund = refunds.if_paid(order, reason, provider=payments.provider())
    declined = (order, funnel.order_declined(order, now_iso())) if to_status == "declined" else None
    store.transition(
        event["order_id"], to_status, ("paid", "referred"), note=reason, event=declined, refund=refund
    )
    _give_back_discounts(event["order_id"])
    return {"status": to_status}


def cancel_unpaid(event: dict[str, Any]) -> dict[str, Any]:
    order = store.get_order(event["order_id"], consistent=True)
    if order.payment_intent_id:
        payments.provider().cancel(order.payment_intent_id)
    try:
        store.transition(
            event["order_id"], "cancelled", ("pending_payment", "awaiting_payment"), note="Not paid in time"
        )
    except store.InvalidTransition as exc:
        # Paid at the moment the wait timed out: refund rather than keep money for no policy.
        if not (exc.order and exc.order.status == "paid"):
            raise
        reason = "Payment arrived after the order expired"
        refund = refunds.if_paid(exc.order, reason, provider=payments.provider())
        store.transition(event["order_id"], "cancelled", ("paid",), note=reason, refund=refund)
    _give_back_discounts(event["order_id"])
    return {"status": "cancelled"}


# ---------- interface tasks (checkout.api, through insuremall.invocation) ----------
def place_order(draft: dict, idempotency_key: str | None = None, order_id: str | None = None) -> dict:
    from checkout import ordering, wiring

    placed = ordering.place(
        ordering.OrderDraft.from_dict(draft),
        idempotency_key,
        order_id=order_id,
        now=wiring.now(),
        **wiring.ordering(),
    )
    return placed.order.as_dict()


def check_order(draft: dict) -> None:
    from checkout import ordering, wiring

    ordering.check(
        ordering.OrderDraft.from_dict(draft), pricing=wiring.ordering()["pricing"], now=wiring.now()
    )


def order(order_id: str) -> dict | None:
    found = store.get_order(order_id, consistent=True)
    return found.as_dict() if found else None


def refund_cancelled_policy(**arguments: Any) -> dict | None:
    from checkout import wiring

    return refunds.cancelled_policy(**arguments, **wiring.refunding())


TASKS = {
    "await_payment": await_payment,
    "mark_referred": mark_referred,
    "close_issued": close_issued,
    "refund_and_close": refund_and_close,
    "cancel_unpaid": cancel_unpaid,
}
INTERFACE = {
    "check_order": check_order,
    "place_order": place_order,
    "order": order,
    "refund_cancelled_policy": refund_cancelled_policy,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return tasks.run(TASKS, event, logger, interface=INTERFACE)
