"""Renewing a policy (pure): whether an offer can still be taken, and the quote and order form a
renewal sells through, so a renewal passes the same order rules and purchase saga as a first sale."""

from __future__ import annotations

from datetime import date
from typing import Any

# Orders in these states will never issue, so the offer may be taken again.
FINISHED_WITHOUT_POLICY = {"cancelled", "declined", "failed"}
# An offer's statuses: made to take, refused when made (with the reason), taken, or withdrawn when
# its policy was cancelled.
STATUSES = ("offered", "not_renewable", "renewed", "withdrawn")


class NotRenewable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_renewable(offer: dict[str, Any], policy: dict[str, Any], today: date) -> None:
    """Raise NotRenewable with a reason a customer can act on."""
    if offer["status"] == "renewed":
        raise NotRenewable(f"This policy was already renewed by policy {offer.get('renewed_by')}")
    if offer["status"] != "offered":
        raise NotRenewable(
            offer.get("withdrawn_reason") or offer["offer"].get("reason") or "This policy cannot be renewed"
        )
    if policy["status"] != "in_force":
        raise NotRenewable(f"Only a policy in force can be renewed; this one is {policy['status']}")
    if today > date.fromisoformat(policy["end_date"]):
        raise NotRenewable("The renewal period ended with the policy's last day of cover")


def renewal_quote(
    policy_no: str, offer: dict[str, Any], policy: dict[str, Any], premium: dict, premium_cents: int
) -> dict:
    """The offer in the shape of a quote (checkout.domain.application.build_application's input)."""
    insured = policy["parties"]["insured"][0]
    return {
        "quote_id": f"RENEWAL-{policy_no}",
        "rate_table_version": offer["rate_table_version"],
        "premium": premium,
        "premium_cents": premium_cents,
        "inputs": {
            "plan": offer["plan"],
            "age": offer["age"],
            "gender": insured["gender"],
            "term": offer["term"],
            "options": list(policy["product_snapshot"].get("options", [])),
            "occupation_class": insured.get("occupation_class"),
            "start_date": offer["start_date"],
        },
    }


def renewal_order_form(policy: dict[str, Any], health_answers: dict | None) -> dict[str, Any]:
    """The order form of a renewal: the parties as they stand on the policy now (after any
    endorsements); the health declaration only when the product re-underwrites renewals."""
    parties = policy["parties"]
    holder = parties["policyholder"]
    insured = parties["insured"][0]
    return {
        "policyholder": {
            k: holder[k] for k in ("name", "id_type", "id_number", "phone", "email") if holder.get(k)
        },
        "insured": [
            {
                "name": insured["name"],
                "id_type": insured["id_type"],
                "id_number": insured["id_number"],
                "relation": insured.get("relation", "self"),
            }
        ],
        "beneficiaries": [
            {k: b[k] for k in ("name", "id_type", "id_number", "relation", "share")}
            for b in parties["beneficiaries"]
        ],
        "health_answers": health_answers or {},
        "accept_terms": True,
    }


def product_for_renewal(product: dict[str, Any]) -> dict[str, Any]:
    """Guaranteed renewal does not ask the health questions again."""
    if product.get("reunderwrite_on_renewal"):
        return product
    return {**product, "health_questions": []}


def off_shelf_reason(product_name: str) -> str:
    return f"{product_name} is no longer on sale, so this policy cannot be renewed"


def age_reason(insured_name: str, age: int, limits: dict[str, Any]) -> str | None:
    """Why the insured's age on renewal puts them outside the product's ages, or None."""
    low, high = int(limits.get("min", 0)), int(limits.get("max", 120))
    if age > high:
        return f"{insured_name}'s age on renewal, {age}, is over this product's limit of {high}"
    if age < low:
        return f"{insured_name}'s age on renewal, {age}, is under this product's minimum of {low}"
    return None


def rating_reason(errors: dict[str, str], plan_name: str, term_label: str) -> str:
    """The rating engine's refusal of the renewal's factors, as a sentence about the product."""
    said = []
    for field, problem in errors.items():
        if field == "plan":
            said.append(f"the {plan_name} plan is no longer offered")
        elif field == "term" and problem.startswith("unknown"):
            said.append(f"the {term_label} term is no longer offered")
        elif field == "term":
            said.append(f"the {term_label} term: {problem}")
        elif field == "options":
            said.append("an option on this policy is no longer offered")
        else:
            said.append(f"{field.replace('_', ' ')}: {problem}")
    return "This product changed, so this policy cannot be renewed as it is: " + "; ".join(said)


def not_renewable_message(policy_no: str, product_name: str, end_date: str, reason: str) -> tuple[str, str]:
    """The customer's message (title, body) when an offer cannot be made: why, in time to buy other cover."""
    return (
        f"{product_name} cannot be renewed",
        f"Policy {policy_no} cannot be renewed: {reason}. Its cover ends on {end_date}; "
        "to stay covered after that, choose other cover before then.",
    )
