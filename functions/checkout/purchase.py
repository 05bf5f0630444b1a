"""An order's purchase saga and the order as its customer sees it: shared by checkout's order routes
and the policy function's renewals, which sell through the same state machine."""

from __future__ import annotations

import contextlib
import json
from urllib.parse import quote

from insuremall import aws
from insuremall.config import get_settings
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
}


def order_view(order: dict, for_payer: bool = False) -> dict:
    """The order as the API shows it; `for_payer` adds the payment's client secret (to the pay link)."""
    application = order["application"]
    view = {
        "order_id": order["order_id"],
        "status": order["status"],
        "status_label": STATUS_LABELS.get(order["status"], order["status"]),
        "status_reason": order["status_reason"],
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
        "refund": order["refund"],
        "renewal_of": application.get("renewal_of"),
        "history": order["history"],
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
