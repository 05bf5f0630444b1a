"""Policy API: my policies, policy detail, and operators' decisions on referred applications."""

from __future__ import annotations

import json

from chalice import Chalice

from insuremall import auth, aws, errors
from insuremall.observability import get_logger
from insuremall.privacy import masked_party
from policy import store

app = Chalice(app_name="insuremall-policy")
logger = get_logger("policy")
errors.install(app, logger)


def _summary(policy: dict) -> dict:
    snapshot = policy["product_snapshot"]
    return {
        "policy_no": policy["policy_no"],
        "status": policy["status"],
        "product_id": policy["product_id"],
        "product_name": snapshot["name"],
        "insurer_name": snapshot["insurer_name"],
        "plan": snapshot["plan"]["name"],
        "sum_insured": policy["sum_insured"],
        "premium": policy["premium"]["total"],
        "currency": policy["premium"].get("currency", "CNY"),
        "start_date": policy["start_date"],
        "end_date": policy["end_date"],
        "issued_at": policy["issued_at"],
        "insured": [p["name"] for p in policy["parties"]["insured"]],
    }


@app.route("/policy/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "policy"}


@app.route("/policies", methods=["GET"])
def list_policies():
    caller = auth.customer(app.current_request)
    return {"policies": [_summary(p) for p in store.list_policies(caller.subject)]}


@app.route("/policies/{policy_no}", methods=["GET"])
def get_policy(policy_no):
    caller = auth.customer(app.current_request)
    policy = store.get_policy(policy_no)
    if policy is None or (policy["customer_id"] != caller.subject and not caller.is_operator):
        raise errors.NotFound("No such policy")
    snapshot = policy["product_snapshot"]
    parties = policy["parties"]
    return _summary(policy) | {
        "order_id": policy["order_id"],
        "term": snapshot["term"],
        "coverages": snapshot["plan"]["coverages"],
        "options": snapshot.get("options", []),
        "premium_breakdown": policy["premium"].get("breakdown", []),
        "paid_at": policy["premium"].get("paid_at"),
        "cooling_off_until": policy["cooling_off_until"],
        "terms_summary": snapshot.get("terms_summary", ""),
        "exclusions": snapshot.get("exclusions", []),
        "insurer": {"name": snapshot["insurer_name"], "code": snapshot["insurer_code"]},
        "policyholder": masked_party(parties["policyholder"]),
        "insured_persons": [masked_party(p) for p in parties["insured"]],
        "beneficiaries": [masked_party(p) for p in parties["beneficiaries"]],
        # With no named beneficiary the death benefit goes to the insured's legal heirs.
        "beneficiary_designation": "named" if parties["beneficiaries"] else "legal_heirs",
    }


@app.route("/underwriting/referrals", methods=["GET"])
def list_referrals():
    auth.operator(app.current_request)
    return {
        "referrals": [{k: v for k, v in r.items() if k != "task_token"} for r in store.pending_referrals()]
    }


@app.route("/underwriting/referrals/{order_id}/decision", methods=["POST"])
def decide_referral(order_id):
    request = app.current_request
    operator = auth.operator(request)
    body = errors.json_object(request)
    decision, note = body.get("decision"), body.get("note", "")
    problems = {}
    if decision not in ("accept", "decline"):
        problems["decision"] = "must be 'accept' or 'decline'"
    if not isinstance(note, str) or len(note) > 500:
        problems["note"] = "a text of at most 500 characters"
    if decision == "decline" and not (isinstance(note, str) and note.strip()):
        problems["note"] = "give the reason for the decline; the customer sees it"
    if problems:
        raise errors.ValidationFailed(problems)
    referral = store.get_referral(order_id)
    if referral is None:
        raise errors.NotFound("No referral for this order")
    if not store.decide_referral(
        order_id, "accepted" if decision == "accept" else "declined", operator.subject, note
    ):
        raise errors.Conflict(f"This referral was already {store.get_referral(order_id)['status']}")
    reasons = [note] if note else []
    aws.client("stepfunctions").send_task_success(
        taskToken=referral["task_token"], output=json.dumps({"outcome": decision, "reasons": reasons})
    )
    logger.info(
        "referral decided", extra={"order_id": order_id, "decision": decision, "operator": operator.subject}
    )
    return {"order_id": order_id, "decision": decision}


# ---------- policy documents ----------
@app.route("/policies/{policy_no}/document", methods=["GET"])
def policy_document_link(policy_no):
    """A 5-minute presigned link to the current version of the owner's policy PDF."""
    caller = auth.customer(app.current_request)
    policy = store.get_policy(policy_no)
    if policy is None or (policy["customer_id"] != caller.subject and not caller.is_operator):
        raise errors.NotFound("No such policy")
    document = store.document_of(policy_no)
    if not document or not document.get("s3_version_id"):
        raise errors.NotFound("The policy document is not ready yet; try again in a moment")
    return {
        "url": store.document_download_url(
            document["key"], document["s3_version_id"], f"policy-{policy_no}.pdf", seconds=300
        ),
        "expires_in": 300,
        "sha256": document["sha256"],
        "version": int(document["policy_version"]),
    }


def _masked_policy_no(policy_no: str) -> str:
    return policy_no[:4] + "*" * max(len(policy_no) - 8, 0) + policy_no[-4:]


@app.route("/verify/{code}", methods=["GET"])
def verify_policy(code):
    """Public: is the policy printed with this code genuine, and in force? No personal data."""
    code = (code or "").strip().upper()
    if not (10 <= len(code) <= 40 and code.isalnum()):
        raise errors.BadRequest("A verification code is 20 letters and digits, as printed under the QR code")
    policy_no = store.policy_for_verification(code)
    policy = store.get_policy(policy_no) if policy_no else None
    if policy is None:
        raise errors.NotFound("No policy matches this code")
    snapshot = policy["product_snapshot"]
    return {
        "genuine": True,
        "status": policy["status"],
        "in_force": policy["status"] == "in_force",
        "policy_no": _masked_policy_no(policy["policy_no"]),
        "product_name": snapshot["name"],
        "insurer_name": snapshot["insurer_name"],
        "plan": snapshot["plan"]["name"],
        "start_date": policy["start_date"],
        "end_date": policy["end_date"],
    }
