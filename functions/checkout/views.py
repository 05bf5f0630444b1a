"""Every response shape of checkout: quotes, orders (as their customer and operators see them),
discount previews and the webhook's answers. Masking goes through insuremall.privacy."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote as url_quote

from checkout.domain.model import Order, Quote
from insuremall.money import fen_to_text
from insuremall.privacy import masked_party

STATUS_LABELS = {
    "pending_payment": "Preparing payment",
    "awaiting_payment": "Waiting for payment",
    "paid": "Paid - underwriting",
    "referred": "Under manual underwriting review",
    "issued": "Policy issued",
    "declined": "Declined - payment refunded",
    "failed": "Could not be completed - payment refunded",
    "cancelled": "Cancelled",
    # After issue the order shows where its policy stands (as policy told checkout).
    "policy_cancelled": "Policy cancelled",
    "refunded": "Policy cancelled - refunded",
}
# The parties and the history are shown on one order, not in the list.
_DETAIL_ONLY = ("policyholder", "insured", "beneficiaries", "history")


def quote_view(quote: Quote, now: float) -> dict[str, Any]:
    return {
        "quote_id": quote.quote_id,
        "product_id": quote.product_id,
        "rate_table_version": quote.rate_table_version,
        "inputs": quote.inputs,
        "premium": quote.premium,
        "valid_until": datetime.fromtimestamp(quote.valid_until, UTC).isoformat(),
        "expired": quote.expired(now),
    }


def discounts_view(quote_id: str, result: dict[str, Any]) -> dict[str, Any]:
    return {"quote_id": quote_id, **result}


def _after_issue(order: Order) -> tuple[str, str | None, dict | None, list[dict]]:
    """(status, reason, refund, later history) of an issued order whose policy was cancelled since."""
    status, reason, refund = order.status, order.status_reason, order.refund
    done = order.policy_cancellation
    if status != "issued" or done is None:
        return status, reason, refund, []
    paid_back = done.refund or {}
    later = [{"status": "policy_cancelled", "at": done.cancelled_at, "note": None}]
    if paid_back.get("status") == "refunded":
        refund = {
            "refund_id": paid_back.get("refund_id"),
            "amount_cents": paid_back["amount_cents"],
            "created_at": paid_back.get("refunded_at"),
        }
        later.append({"status": "refunded", "at": paid_back.get("refunded_at"), "note": None})
        return "refunded", None, refund, later
    if paid_back.get("status") == "pending":
        reason = f"A refund of CNY {fen_to_text(paid_back['amount_cents'])} is on its way"
    return "policy_cancelled", reason, refund, later


def order_view(order: Order, for_payer: bool = False) -> dict[str, Any]:
    """The order as the API shows it; `for_payer` adds the payment's client secret (to the pay link)."""
    application = order.application
    status, reason, refund, later = _after_issue(order)
    view = {
        "order_id": order.order_id,
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "status_reason": reason,
        "product_id": order.product_id,
        "product_name": order.product_name,
        "plan": application["plan"]["name"],
        "term": application["term"]["label"],
        "start_date": application["start_date"],
        "end_date": application["end_date"],
        "premium": application["premium"],
        "currency": order.currency,
        "policyholder": masked_party(application["policyholder"]),
        "insured": [masked_party(p) for p in application["insured"]],
        "beneficiaries": [masked_party(p) for p in application["beneficiaries"]],
        "policy_no": order.policy_no,
        "refund": refund,
        "renewal_of": application.get("renewal_of"),
        "history": [{"status": h.status, "at": h.at, "note": h.note} for h in order.history] + later,
        "created_at": order.created_at,
    }
    if order.status == "awaiting_payment" and order.payment_intent_id:
        view["payment"] = {"intent_id": order.payment_intent_id}
        if for_payer and order.payment_client_secret:
            intent, secret = url_quote(order.payment_intent_id), order.payment_client_secret
            # In the fragment: browsers send it to no server and no Referer carries it.
            view["payment"] |= {
                "client_secret": secret,
                "pay_url": f"/pay.html?intent={intent}#client_secret={url_quote(secret)}",
            }
    return view


def orders_view(orders: list[Order]) -> dict[str, Any]:
    return {"orders": [{k: v for k, v in order_view(o).items() if k not in _DETAIL_ONLY} for o in orders]}


def webhook_answer(outcome: str, event_type: Any = None) -> dict[str, Any]:
    """The payment webhook's answer to each outcome of payment_webhook.receive."""
    if outcome == "ignored":
        return {"received": True, "ignored": event_type}
    if outcome == "refunded":
        return {"received": True, "outcome": "refunded: the order had expired"}
    return {"received": True, "duplicate": outcome == "duplicate"}


ADMIN_MEMBER_ORDERS = 20
MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_MEMBER_ORDER_FIELDS = (
    "order_id",
    "product_id",
    "product_name",
    "status",
    "premium_cents",
    "channel",
    "policy_no",
)


def member_orders(member_id: str, orders: list[Order]) -> dict[str, Any]:
    """A member's latest orders as the operator's member page shows them, with each sale's attribution."""
    return {
        "member_id": member_id,
        "orders": [
            {k: getattr(o, k) for k in (*_MEMBER_ORDER_FIELDS, "created_at")}
            | {"attribution": (o.application or {}).get("attribution")}
            for o in orders
        ],
    }
