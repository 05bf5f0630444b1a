"""Points from domain events and the daily expiry schedule (registered in distribution.tasks).
Each write is keyed by what caused it, so a redelivered event or a re-run day writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from distribution.domain import points as rules
from distribution.rewards import points
from distribution.rewards import settings as program
from insuremall.observability import get_logger

logger = get_logger("points-events")


def campaign_multiplier(product_id: str, at: str | None) -> Decimal:
    """The campaigns' points multiplier for the product at `at` (1 when the campaigns module has none)."""
    try:
        from distribution.rewards import campaigns
    except ImportError:
        return Decimal(1)
    lookup = getattr(campaigns, "points_multiplier", None)
    return rules.multiplier(lookup(product_id, at)) if lookup else Decimal(1)


def earn_for_purchase(payload: dict[str, Any], event_type: str = "PolicyIssued") -> bool:
    """The buyer earns points on what they paid, times the product's and the campaigns' multipliers."""
    policy_no, buyer = payload["policy_no"], payload.get("customer_id")
    if not buyer:
        return False
    settings = program.current()
    product_id = payload.get("product_id")
    issued_at = payload.get("issued_at")
    product_x = rules.product_multiplier(settings, product_id)
    campaign_x = campaign_multiplier(product_id, issued_at)
    earned = rules.purchase_points(
        int(payload.get("premium_cents") or 0),
        int(settings["purchase_points_per_cny"]),
        product_x,
        campaign_x,
    )
    day = rules.china_day(issued_at) if issued_at else None
    new = points.credit(
        buyer,
        f"PURCHASE#{policy_no}",
        earned,
        "policy purchase",
        day,
        policy_no=policy_no,
        unless=f"REVERSE#{policy_no}",  # cancelled before its points were earned
        detail={
            "premium_cents": int(payload.get("premium_cents") or 0),
            "points_per_cny": int(settings["purchase_points_per_cny"]),
            "product_multiplier": str(product_x),
            "campaign_multiplier": str(campaign_x),
        },
    )
    if new:
        logger.info("purchase points earned", extra={"policy_no": policy_no, "points": earned})
    return new


def earn_for_invitation(payload: dict[str, Any], event_type: str = "MemberInvited") -> bool:
    inviter, invitee = payload.get("inviter_id"), payload.get("invitee_id")
    if not inviter or not invitee:
        return False
    award = int(program.current()["invitation_points"])
    bound_at = payload.get("bound_at")
    day = rules.china_day(bound_at) if bound_at else None
    return points.credit(inviter, f"INVITE#{invitee}", award, "member invited", day)


def reverse_for_cancellation(payload: dict[str, Any], event_type: str = "PolicyCancelled") -> bool:
    buyer = payload.get("customer_id")
    if not buyer:
        return False
    return points.reverse_purchase(buyer, payload["policy_no"])


def expire_points(event: dict[str, Any]) -> dict[str, Any]:
    """Schedule task: expire the lots due today (China time; or {"date"}) and the catch-up days."""
    raw = event.get("date")
    day = date.fromisoformat(raw) if raw else rules.china_day(datetime.now(UTC))
    return points.expire_due(day)
