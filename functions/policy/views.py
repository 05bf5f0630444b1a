"""Every response shape of the policy API, from the records the use cases return. Personal data is
masked through insuremall.privacy only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from insuremall.privacy import mask_reference, masked_party
from policy.domain import endorsement
from policy.domain.records import Policy, Referral, RenewalOffer


def summary(policy: Policy) -> dict[str, Any]:
    snapshot = policy.product_snapshot
    return {
        "policy_no": policy.policy_no,
        "status": policy.status,
        "product_id": policy.product_id,
        "product_name": snapshot["name"],
        "insurer_name": snapshot["insurer_name"],
        "plan": snapshot["plan"]["name"],
        "sum_insured": policy.sum_insured,
        "premium": policy.premium["total"],
        "currency": policy.premium.get("currency", "CNY"),
        "start_date": policy.start_date,
        "end_date": policy.end_date,
        "issued_at": policy.issued_at,
        "insured": [p["name"] for p in policy.parties["insured"]],
        "renewal_of": policy.renewal_of,
        "renewed_by": policy.renewed_by,
    }


def policies(found: list[Policy]) -> dict[str, Any]:
    return {"policies": [summary(p) for p in found]}


def detail(policy: Policy, endorsements: list[dict[str, Any]], terms: list[dict[str, Any]]) -> dict[str, Any]:
    """`terms`: the cancellation rules that would apply from today (policy.domain.cancellation.terms)."""
    snapshot, parties = policy.product_snapshot, policy.parties
    return (
        summary(policy)
        | {
            "order_id": policy.order_id,
            "term": snapshot["term"],
            "coverages": snapshot["plan"]["coverages"],
            "options": snapshot.get("options", []),
            "premium_breakdown": policy.premium.get("breakdown", []),
            "paid_at": policy.premium.get("paid_at"),
            "cooling_off_until": policy.cooling_off_until,
            "terms_summary": snapshot.get("terms_summary", ""),
            "exclusions": snapshot.get("exclusions", []),
            "insurer": {"name": snapshot["insurer_name"], "code": snapshot["insurer_code"]},
            "policyholder": masked_party(parties["policyholder"]),
            "insured_persons": [masked_party(p) for p in parties["insured"]],
            "beneficiaries": [masked_party(p) for p in parties["beneficiaries"]],
            # With no named beneficiary the death benefit goes to the insured's legal heirs.
            "beneficiary_designation": "named" if parties["beneficiaries"] else "legal_heirs",
            "version": policy.version,
            "endorsements": endorsements_view(endorsements),
        }
        | cancellation(policy, terms)
    )


# ---------- cancellation ----------
def cancellation(policy: Policy, terms: list[dict[str, Any]]) -> dict[str, Any]:
    """A cancelled policy: when, why, the rule its refund followed and what came back. One in force:
    the rules that would apply from today on, in order, each named (cooling_off, not_started, then
    the product's pro_rata, short_rate or none)."""
    done = policy.cancellation
    if not done:
        return {
            "cancelled_on": None,
            "cancellation_reason": None,
            "refund": None,
            "cancellation_terms": terms if policy.in_force else [],
        }
    return {
        "cancelled_on": done["cancelled_on"],
        "cancellation_reason": done["reason"],
        "cancelled_by": done["cancelled_by"],
        "refund": done["refund"],
        "refund_rule": done.get("rule"),
        "refund_explanation": done.get("explanation"),
        "discounts_returned": done.get("discounts", []),
        "cancellation_terms": [],
    }


def cancellation_quote(policy_no: str, quote: Any) -> dict[str, Any]:
    return {"policy_no": policy_no} | quote.to_dict()


def cancelled(policy: Policy) -> dict[str, Any]:
    return {"policy": summary(policy) | cancellation(policy, []), "refund": policy.cancellation["refund"]}


# ---------- referrals ----------
def referrals(status: str, found: list[Referral]) -> dict[str, Any]:
    return {
        "status": status,
        "referrals": [{k: v for k, v in r.record().items() if k != "task_token"} for r in found],
    }


def referral_decision(order_id: str, decision: str) -> dict[str, Any]:
    return {"order_id": order_id, "decision": decision}


# ---------- documents ----------
def document_link(policy_no: str, url: str, document: dict[str, Any], current_version: int) -> dict[str, Any]:
    wanted = document["policy_version"]
    is_current = wanted == current_version
    return {
        "url": url,
        "expires_in": 300,
        "sha256": document["sha256"],
        "version": wanted,
        "current": is_current,
        "superseded_by": None if is_current else current_version,
    }


def document_versions(
    policy_no: str, versions: list[dict[str, Any]], current_version: int | None
) -> dict[str, Any]:
    """`versions` oldest first, each with its `reason`; shown newest first."""
    return {
        "policy_no": policy_no,
        "current_version": current_version,
        "documents": [
            {
                "version": v["policy_version"],
                "reason": v["reason"],
                "rendered_at": v.get("rendered_at"),
                "sha256": v["sha256"],
                "current": v["policy_version"] == current_version,
                "superseded_by": None if v["policy_version"] == current_version else current_version,
            }
            for v in reversed(versions)
        ],
    }


def verification(policy: Policy, scanned: int | None, current: dict[str, Any]) -> dict[str, Any]:
    """The public check of a printed code: no personal data, the policy number masked."""
    snapshot = policy.product_snapshot
    current_version = int(current.get("policy_version") or 0) or None
    is_current = scanned == current_version
    return {
        "genuine": True,
        "status": policy.status,
        "in_force": policy.in_force,
        "policy_no": mask_reference(policy.policy_no),
        "product_name": snapshot["name"],
        "insurer_name": snapshot["insurer_name"],
        "plan": snapshot["plan"]["name"],
        "start_date": policy.start_date,
        "end_date": policy.end_date,
        "document_version": scanned,
        "current_version": current_version,
        "current": is_current,
        "superseded_by": None if is_current else current_version,
        "superseded_on": None if is_current else (current.get("rendered_at") or "")[:10] or None,
    }


# ---------- endorsements ----------
def endorsements_view(endorsements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "version": e["policy_version"],
            "effective_date": e["effective_date"],
            "changes": endorsement.masked_changes(e["changes"]),
        }
        for e in endorsements
    ]


def endorsed(policy_no: str, version: int, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "policy_no": policy_no,
        "version": version,
        "effective_date": record["effective_date"],
        "changes": endorsement.masked_changes(record["changes"]),
    }


# ---------- renewal offers ----------
def renewal(
    offer: RenewalOffer, order_status: str | None, health_questions: list[dict] | None
) -> dict[str, Any]:
    """An offer as its holder sees it; `order_status` of the renewal order while offered, and the health
    questions when the product re-underwrites renewals (None: not asked)."""
    terms = offer.offer
    view = {
        "policy_no": offer.policy_no,
        "status": offer.status,
        "reason": offer.withdrawn_reason or terms.get("reason"),
        "product_id": terms["product_id"],
        "product_name": terms.get("product_name"),
        "plan": terms["plan"],
        "plan_name": terms.get("plan_name"),
        "term": terms["term"],
        "term_label": terms.get("term_label"),
        "start_date": terms["start_date"],
        "end_date": terms.get("end_date"),
        "age": terms.get("age"),
        "premium": terms.get("premium"),
        "valid_until": (date.fromisoformat(terms["start_date"]) - timedelta(days=1)).isoformat(),
        "reunderwrite": bool(terms.get("reunderwrite")),
        "order_id": offer.order_id,
        "order_status": order_status,
        "renewed_by": offer.renewed_by,
    }
    if health_questions is not None:
        view["health_questions"] = health_questions
    return view
