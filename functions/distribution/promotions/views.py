"""Every response shape of promotions' routes: campaigns, coupons, points and check-in (a claimed
coupon's view is promotions.domain.coupons.claim_view, pure and unit-tested with the coupon rules)."""

from __future__ import annotations

from typing import Any

from distribution.promotions.domain import coupons as rules

PUBLIC_COUPON_FIELDS = (
    "coupon_id",
    "kind",
    "amount_cents",
    "percent",
    "min_premium_cents",
    "per_member_limit",
    "remaining",
)


def public_campaign(campaign: dict[str, Any]) -> dict[str, Any]:
    """A running campaign as the storefront shows it: no quotas, no operators."""
    return {
        "campaign_id": campaign["campaign_id"],
        "name": campaign["name"],
        "description": campaign["description"],
        "starts_at": campaign["starts_at"],
        "ends_at": campaign["ends_at"],
        "product_ids": campaign["product_ids"],
        "points_multiplier": campaign["points_multiplier"],
        "coupons": [
            {k: c[k] for k in PUBLIC_COUPON_FIELDS if k in c}
            | {"label": rules.coupon_label(c | {"campaign_name": campaign["name"]})}
            for c in campaign["coupons"]
        ],
    }


def operator_campaign(campaign: dict[str, Any], at: str) -> dict[str, Any]:
    if rules.is_active(campaign, at):
        status = "running"
    else:
        status = "ended" if at > campaign["ends_at"] else "scheduled"
    return campaign | {"status": status}


def claim_view(claim: dict[str, Any], at: str) -> dict[str, Any]:
    return rules.claim_view(claim, at)


def _history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A history line; another member's id (the invitee) is masked."""
    key = entry["key"]
    if key.startswith("INVITE#"):
        key = "INVITE#" + key.removeprefix("INVITE#")[:4] + "****"
    return entry | {"key": key}


def points_view(page: Any) -> dict[str, Any]:
    """promotions.points.PointsPage; operators' pages add the totals."""
    shown = {
        "points": page.balance,
        "check_in": page.check_in,
        "expiring_soon": page.expiring_soon,
        "history": [_history_entry(e) for e in page.history],
        "next": page.next,
    }
    if page.totals is not None:
        shown["totals"] = page.totals
    return shown


def checked_in_view(checked: Any) -> dict[str, Any]:
    """promotions.check_in.CheckedIn."""
    return {
        "checked_in": True,
        "already_checked_in": not checked.new,
        "day": checked.day.isoformat(),
        "points_awarded": checked.awarded,
        "points": checked.balance,
    }
