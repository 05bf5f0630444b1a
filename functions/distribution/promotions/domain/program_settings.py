"""The operators' settings of the rewards programme (pure): defaults and validation."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # Compliance: cash promotion fees only for members with a verified agent licence; others get points.
    "require_licence_for_cash": False,
    "fee_points_per_cny": 100,  # points paid per CNY of promotion fee when cash is not allowed
    # Withdrawals
    "withdrawal_min_cents": 1000,
    "auto_approve_below_cents": 0,  # 0 = every withdrawal waits for an operator
    # Points
    "purchase_points_per_cny": 1,  # points per CNY paid, times the product's and campaigns' multipliers
    "product_points_multipliers": {},  # product_id -> "1.5"
    "signin_points": 5,
    "invitation_points": 100,
    "points_per_cny_discount": 100,  # 100 points = CNY 1 off at checkout
    "max_points_discount_percent": 10,  # of the premium
    "points_expiry_days": 365,
}

_INTS = {
    "fee_points_per_cny": (0, 10_000),
    "withdrawal_min_cents": (100, 10_000_000),
    "auto_approve_below_cents": (0, 10_000_000),
    "purchase_points_per_cny": (0, 1_000),
    "signin_points": (0, 10_000),
    "invitation_points": (0, 100_000),
    "points_per_cny_discount": (1, 10_000),
    "max_points_discount_percent": (0, 100),
    "points_expiry_days": (1, 3_650),
}


def merged(stored: dict[str, Any] | None) -> dict[str, Any]:
    """Stored settings over the defaults (settings added later read as their default)."""
    return DEFAULTS | (stored or {})


def validate(changes: Any, current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Apply `changes` to `current`; returns (settings, problems per field)."""
    if not isinstance(changes, dict):
        return current, {"body": "must be an object of settings"}
    problems: dict[str, str] = {}
    result = dict(current)
    for key, value in changes.items():
        if key == "revision":
            continue
        if key not in DEFAULTS:
            problems[key] = "is not a setting"
        elif key == "require_licence_for_cash":
            if not isinstance(value, bool):
                problems[key] = "must be true or false"
            else:
                result[key] = value
        elif key == "product_points_multipliers":
            multipliers = _multipliers(value)
            if multipliers is None:
                problems[key] = 'must map product ids to multipliers from 0 to 10, e.g. {"term-life": "1.5"}'
            else:
                result[key] = multipliers
        else:
            low, high = _INTS[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                problems[key] = f"must be a whole number from {low} to {high}"
            else:
                result[key] = value
    return result, problems


def _multipliers(value: Any) -> dict[str, str] | None:
    from decimal import Decimal, InvalidOperation

    if not isinstance(value, dict):
        return None
    out = {}
    for product_id, raw in value.items():
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            return None
        if not isinstance(product_id, str) or not product_id or not 0 <= number <= 10:
            return None
        out[product_id] = str(number)
    return out
