"""An order's purchase saga and the order as its customer sees it: shared by checkout's order routes
and the policy function's renewals, which sell through the same state machine."""

from __future__ import annotations

import contextlib
import json
from urllib.parse import quote

from insuremall import aws
from insuremall.config import get_settings
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
    # After issue the order shows where its policy stands (the policy function owns that state).
    "policy_cancelled": "Policy cancelled",
    "refunded": "Policy cancelled - refunded",
}


def _after_issue(order: dict, outcome) -> tuple[str, str | None, dict | None, list[dict]]:
    """(status, reason, refund, later history) of an issued order whose policy was cancelled since."""
    status, reason, refund = order["status"], order["status_reason"], order["refund"]
    if status != "issued" or outcome is None or outcome.status != "cancelled":
        return status, reason, refund, []
    paid_back = outcome.refund or {}
    later = [{"status": "policy_cancelled", "at": outcome.cancelled_at, "note": None}]
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


def policy_outcome(order: dict):
    """The outcome of the order's policy, read only for an issued order (one read)."""
    if order["status"] != "issued" or not order.get("policy_no"):
        return None
    from policy.api import policy_outcomes

    return policy_outcomes([order["policy_no"]]).get(order["policy_no"])


def order_view(order: dict, outcome=None, for_payer: bool = False) -> dict:
    """The order as the API shows it; `outcome` (policy.api.PolicyOutcome) is its policy's, if issued;
    `for_payer` adds the payment's client secret (to the pay link)."""
    application = order["application"]
    status, reason, refund, later = _after_issue(order, outcome)
    view = {
        "order_id": order["order_id"],
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "status_reason": reason,
        "product_id": order["product_id"],
        "product_name": order["product_name"],
        "plan": application["plan"]["name"],
        "term": application["term"]["label"],
        "start_date": application["start_date"],
        "end_date": application["end_date"],
        "premium": application["premium"],
        "currency": order["currency"],
        "policyholder": masked_party(application["policyholder"]),
        "insured": [masked_party(p) for p in application["insured"]],
        "beneficiaries": [masked_party(p) for p in application["beneficiaries"]],
        "policy_no": order["policy_no"],
        "refund": refund,
        "renewal_of": application.get("renewal_of"),
        "history": order["history"] + later,
        "created_at": order["created_at"],
    }
    if order["status"] == "awaiting_payment" and order["payment_intent_id"]:
        view["payment"] = {"intent_id": order["payment_intent_id"]}
        if for_payer and order.get("payment_client_secret"):
            intent, secret = quote(order["payment_intent_id"]), order["payment_client_secret"]
            # In the fragment: browsers send it to no server and no Referer carries it.
            view["payment"] |= {
                "client_secret": secret,
                "pay_url": f"/pay.html?intent={intent}#client_secret={quote(secret)}",
            }
    return view


def start(order: dict) -> None:
    """Start the saga named after the order; a repeat start (a retried request) is harmless."""
    client = aws.client("stepfunctions")
    with contextlib.suppress(client.exceptions.ExecutionAlreadyExists):
        client.start_execution(
            stateMachineArn=get_settings().purchase_state_machine_arn,
            name=order["order_id"],
            input=json.dumps(
                {
                    "order_id": order["order_id"],
                    "payment_timeout_seconds": get_settings().payment_timeout_seconds,
                    "application": order["application"],
                }
            ),
        )
