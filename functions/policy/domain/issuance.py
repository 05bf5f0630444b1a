"""Turning an accepted application into a policy record (pure): number, period, parties, event."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from insuremall import identity
from insuremall.events import PolicyIssued


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


def sequence_number(counted: int, shard: int, shards: int) -> int:
    """The day's policy sequence number from one of its counter shards: shard s hands out s+1,
    s+1+shards, s+1+2*shards, ... for its 1st, 2nd, 3rd count, so no two shards give the same number."""
    return (counted - 1) * shards + shard + 1


def policy_number(insurer_code: str, day: str, sequence: int) -> str:
    """E.g. HML202611250000012 + check digit: insurer, issue day, daily sequence, Luhn check."""
    body = f"{day}{sequence:07d}"
    return f"{insurer_code.upper()}{body}{luhn_digit(body)}"


region_of = identity.region_of  # the province of the policyholder's PRC ID, "XX" for other documents


def issue_policy_record(
    application: dict[str, Any], payment: dict[str, Any], issued_at: datetime, issue_day: date, sequence: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The policy, its PolicyIssued event payload (no personal data) and its sales-counter key."""
    product = application["product"]
    issued = issued_at.isoformat(timespec="milliseconds")
    no = policy_number(product["insurer_code"], issue_day.strftime("%Y%m%d"), sequence)
    start = date.fromisoformat(application["start_date"])
    cooling_off_until = (issue_day + timedelta(days=int(product.get("cooling_off_days", 0)))).isoformat()
    snapshot = {
        **product,
        "plan": application["plan"],
        "term": application["term"],
        "options": application["options"],
        "rate_table_version": application["rate_table_version"],
    }
    policy = {
        "policy_no": no,
        "order_id": application["order_id"],
        "customer_id": application["customer_id"],
        "status": "in_force",
        "product_id": product["product_id"],
        "product_snapshot": snapshot,
        "plan": application["plan"]["code"],
        "term": application["term"]["code"],
        "sum_insured": int(application["plan"]["sum_insured"]),
        "premium_cents": int(application["premium_cents"]),
        "premium": application["premium"]
        | {"paid_at": payment.get("paid_at"), "payment_intent_id": payment.get("intent_id")},
        "parties": {
            "policyholder": application["policyholder"],
            "insured": application["insured"],
            "beneficiaries": application["beneficiaries"],
        },
        "start_date": start.isoformat(),
        "end_date": application["end_date"],
        "issued_at": issued,
        "channel": application["channel"],
        "cooling_off_until": cooling_off_until,
        "renewal_of": application.get("renewal_of"),
    }
    region = region_of(application["policyholder"])
    premium = application["premium"]
    event = PolicyIssued(
        **{
            k: policy[k]
            for k in (
                "policy_no",
                "order_id",
                "customer_id",
                "product_id",
                "plan",
                "term",
                "sum_insured",
                "premium_cents",
                "start_date",
                "end_date",
                "issued_at",
                "channel",
                "cooling_off_until",
                "renewal_of",
            )
        },
        insurer_id=product["insurer_id"],
        product_kind=product["kind"],
        region=region,
        category_id=product.get("category_id"),
        # Checkout's snapshot at sale time; orders without one (renewals, older orders) attribute nothing.
        attribution=application.get("attribution") or {"level1": None, "level2": None, "source": "none"},
        product_name=product.get("name"),
        insurer_name=product.get("insurer_name"),
        gross_cents=int(premium.get("gross_cents", application["premium_cents"])),
        discount_cents=sum(int(d.get("amount_cents", 0)) for d in premium.get("discounts") or ()),
    ).payload()
    return policy, event
