"""Campaigns and coupons (pure): validating an operator's campaign, which campaigns run at a moment,
and the discounts of an order: a claimed coupon and points, against the gross premium.

Money is integer fen. A discount never makes the payable premium less than 1 fen; a coupon applies
first, then points, within the programme's max_points_discount_percent of the gross premium at
points_per_cny_discount points per CNY 1.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from insuremall.clock import CHINA
from insuremall.money import fen_to_text, percent_of

COUPON_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
PRODUCT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_COUPONS = 10
MAX_AMOUNT_CENTS = 10_000_000
MAX_QUOTA = 1_000_000
MAX_PER_MEMBER = 100
MULTIPLIER_MIN, MULTIPLIER_MAX = Decimal("1"), Decimal("10")


# ---------- times ----------
def instant(value: Any, end_of_day: bool = False) -> str | None:
    """A client's time as the tables store it (UTC, ISO 8601, milliseconds), or None if unreadable.

    A bare date means the start of that day in China (or its last millisecond for an end)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end_of_day else time.min, CHINA)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=CHINA)
        # The first and last days of the calendar have no UTC time on the other side of China's offset.
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    except (ValueError, OverflowError):
        return None


def is_active(campaign: dict[str, Any], at: str) -> bool:
    return campaign["starts_at"] <= at <= campaign["ends_at"]


def covers(campaign: dict[str, Any], product_id: str) -> bool:
    """An empty product list means every product."""
    products = campaign.get("product_ids") or []
    return not products or product_id in products


def best_multiplier(campaigns: list[dict[str, Any]], product_id: str, at: str) -> Decimal:
    """The highest points multiplier of the campaigns running at `at` for the product; 1 if none."""
    found = [
        Decimal(str(c.get("points_multiplier") or "1"))
        for c in campaigns
        if is_active(c, at) and covers(c, product_id)
    ]
    return max(found, default=Decimal("1"))


# ---------- operator's campaign ----------
def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def parse_coupon(raw: Any, path: str, problems: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems[path] = "must be an object"
        return None
    coupon: dict[str, Any] = {}
    coupon_id = raw.get("coupon_id")
    if not isinstance(coupon_id, str) or not COUPON_ID.match(coupon_id):
        problems[f"{path}.coupon_id"] = "use 1-32 lower-case letters, digits or '-'"
    coupon["coupon_id"] = coupon_id
    kind = raw.get("kind")
    if kind == "amount":
        amount = _whole(raw.get("amount_cents"), 1, MAX_AMOUNT_CENTS)
        if amount is None:
            problems[f"{path}.amount_cents"] = f"a whole number of fen from 1 to {MAX_AMOUNT_CENTS}"
        coupon |= {"kind": kind, "amount_cents": amount}
    elif kind == "percent":
        percent = _whole(raw.get("percent"), 1, 90)
        if percent is None:
            problems[f"{path}.percent"] = "a whole percentage from 1 to 90"
        coupon |= {"kind": kind, "percent": percent}
    else:
        problems[f"{path}.kind"] = 'must be "amount" or "percent"'
    fields = (
        ("min_premium_cents", 0, MAX_AMOUNT_CENTS, 0),
        ("per_member_limit", 1, MAX_PER_MEMBER, 1),
        ("quota", 1, MAX_QUOTA, None),
    )
    for name, low, high, default in fields:
        value = raw.get(name, default)
        checked = _whole(value, low, high)
        if checked is None:
            problems[f"{path}.{name}"] = f"a whole number from {low} to {high}"
        coupon[name] = checked
    if (
        coupon.get("kind") == "amount"
        and coupon.get("amount_cents")
        and coupon.get("min_premium_cents") is not None
        and coupon["min_premium_cents"]
        and coupon["amount_cents"] >= coupon["min_premium_cents"]
    ):
        problems[f"{path}.amount_cents"] = "must be less than the minimum premium it applies to"
    return coupon


def parse_campaign(body: Any, now: str, existing: dict[str, Any] | None = None) -> tuple[dict, dict]:
    """Validate an operator's campaign (create, or replace `existing`); returns (campaign, problems)."""
    if not isinstance(body, dict):
        return {}, {"body": "must be a campaign object"}
    problems: dict[str, str] = {}
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 60:
        problems["name"] = "1 to 60 characters"
    description = body.get("description", "")
    if not isinstance(description, str) or len(description) > 500:
        problems["description"] = "at most 500 characters"
    starts_at = instant(body.get("starts_at"))
    ends_at = instant(body.get("ends_at"), end_of_day=True)
    if starts_at is None:
        problems["starts_at"] = "a date (YYYY-MM-DD, China time) or an ISO 8601 time"
    if ends_at is None:
        problems["ends_at"] = "a date (YYYY-MM-DD, China time) or an ISO 8601 time"
    if starts_at and ends_at and ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    elif ends_at and ends_at < now and (existing is None or existing["ends_at"] != ends_at):
        problems["ends_at"] = "must not be in the past"
    product_ids = body.get("product_ids", [])
    if not isinstance(product_ids, list) or not all(
        isinstance(p, str) and PRODUCT_ID.match(p) for p in product_ids
    ):
        problems["product_ids"] = "a list of product ids ([] = every product)"
        product_ids = []
    multiplier = None
    with contextlib.suppress(InvalidOperation):
        multiplier = Decimal(str(body.get("points_multiplier", "1")))
    if (
        multiplier is None
        or isinstance(body.get("points_multiplier"), bool)
        or not multiplier.is_finite()
        or not MULTIPLIER_MIN <= multiplier <= MULTIPLIER_MAX
        or multiplier != multiplier.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    ):
        problems["points_multiplier"] = 'a number from "1.0" to "10" (at most 2 decimals)'
        multiplier = Decimal("1")
    raw_coupons = body.get("coupons", [])
    coupons: list[dict[str, Any]] = []
    if not isinstance(raw_coupons, list) or len(raw_coupons) > MAX_COUPONS:
        problems["coupons"] = f"a list of at most {MAX_COUPONS} coupons"
    else:
        for i, raw in enumerate(raw_coupons):
            coupon = parse_coupon(raw, f"coupons[{i}]", problems)
            if coupon is not None:
                coupons.append(coupon)
        ids = [c.get("coupon_id") for c in coupons]
        if len(set(ids)) != len(ids):
            problems["coupons"] = "coupon ids must be different"
    campaign = {
        "name": name.strip() if isinstance(name, str) else name,
        "description": description if isinstance(description, str) else "",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "product_ids": sorted(set(product_ids)),
        "points_multiplier": str(multiplier),
        "coupons": coupons,
    }
    return campaign, problems


def quota_problems(coupons: list[dict[str, Any]], claimed: dict[str, int]) -> dict[str, str]:
    """A changed campaign keeps the coupons members already hold: a claimed coupon cannot be removed
    and its quota cannot go below what was claimed."""
    problems = {}
    kept = {c["coupon_id"]: (i, c) for i, c in enumerate(coupons)}
    for coupon_id, count in claimed.items():
        if coupon_id not in kept and count > 0:
            problems["coupons"] = f"coupon {coupon_id!r} was claimed {count} times and cannot be removed"
        elif coupon_id in kept and kept[coupon_id][1]["quota"] < count:
            i = kept[coupon_id][0]
            problems[f"coupons[{i}].quota"] = f"at least {count} (already claimed)"
    return problems


# ---------- discounts at checkout ----------


def coupon_label(terms: dict[str, Any]) -> str:
    name = terms.get("campaign_name") or "Coupon"
    if terms["kind"] == "percent":
        return f"{name}: {terms['percent']}% off"
    return f"{name}: CNY {fen_to_text(terms['amount_cents'])} off"


def coupon_discount(terms: dict[str, Any], gross_cents: int, product_id: str) -> tuple[int, str | None]:
    """(discount in fen, None) or (0, why the coupon does not apply)."""
    products = terms.get("product_ids") or []
    if products and product_id not in products:
        return 0, "this coupon does not apply to this product"
    minimum = int(terms.get("min_premium_cents") or 0)
    if gross_cents < minimum:
        return 0, f"this coupon needs a premium of at least CNY {fen_to_text(minimum)}"
    if terms["kind"] == "percent":
        amount = percent_of(gross_cents, int(terms["percent"]))
    else:
        amount = int(terms["amount_cents"])
    return max(0, min(amount, gross_cents - 1)), None


def points_value_cents(points: int, points_per_cny: int) -> int:
    """What `points` take off, in whole fen (rounded down)."""
    return points * 100 // points_per_cny


def points_for_cents(cents: int, points_per_cny: int) -> int:
    """The fewest points that take off `cents`."""
    return -(-cents * points_per_cny // 100)


def max_points(gross_cents: int, coupon_cents: int, balance_points: int, settings: dict[str, Any]) -> int:
    """The most points this order can spend: within the percentage limit, leaving at least 1 fen."""
    per_cny = int(settings["points_per_cny_discount"])
    limit_cents = min(
        gross_cents * int(settings["max_points_discount_percent"]) // 100, gross_cents - coupon_cents - 1
    )
    if limit_cents <= 0:
        return 0
    return max(0, min(balance_points, limit_cents * per_cny // 100))


def breakdown(
    *,
    gross_cents: int,
    product_id: str,
    coupon: dict[str, Any] | None,
    points: int,
    balance_points: int,
    settings: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The discounts of an order and what is payable; problems per request field.

    `coupon` is a member's claimed coupon (claim_id, terms) that `coupon_problem` found usable."""
    problems: dict[str, str] = {}
    discounts: list[dict[str, Any]] = []
    coupon_cents = 0
    if coupon is not None:
        coupon_cents, why = coupon_discount(coupon["terms"], gross_cents, product_id)
        if why:
            problems["coupon_claim_id"] = why
        elif coupon_cents > 0:
            discounts.append(
                {
                    "kind": "coupon",
                    "label": coupon_label(coupon["terms"]),
                    "amount_cents": coupon_cents,
                    "claim_id": coupon["claim_id"],
                }
                # Kept with the order: whether a full refund can give the coupon back depends on it.
                | ({"valid_until": coupon["valid_until"]} if coupon.get("valid_until") else {})
            )
    most = max_points(gross_cents, coupon_cents, balance_points, settings)
    if points:
        if points > balance_points:
            problems["points"] = f"you have {balance_points} points"
        elif points > most:
            problems["points"] = f"at most {most} points on this order"
        else:
            per_cny = int(settings["points_per_cny_discount"])
            cents = points_value_cents(points, per_cny)
            if cents <= 0:
                problems["points"] = f"{per_cny} points take off CNY 1; use more points"
            else:
                spent = points_for_cents(cents, per_cny)
                discounts.append(
                    {"kind": "points", "label": f"{spent} points", "amount_cents": cents, "points": spent}
                )
    total = sum(d["amount_cents"] for d in discounts)
    return {
        "gross_cents": gross_cents,
        "discounts": discounts,
        "discount_cents": total,
        "payable_cents": gross_cents - total,
        "max_points": most,
    }, problems


def parse_request(body: dict[str, Any]) -> tuple[str | None, int, dict[str, str]]:
    """(coupon_claim_id, points) of an order or preview request."""
    problems = {}
    claim_id = body.get("coupon_claim_id")
    if claim_id is not None and (
        not isinstance(claim_id, str) or not re.match(r"^[0-9a-f]{1,40}$", claim_id)
    ):
        problems["coupon_claim_id"] = "no such coupon"
        claim_id = None
    points = body.get("points", 0)
    if points is None:
        points = 0
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 100_000_000:
        problems["points"] = "a whole number of points, 0 or more"
        points = 0
    return claim_id or None, points, problems


def coupon_problem(claim: dict[str, Any] | None, at: str, order_id: str | None = None) -> str | None:
    """Why a member's claimed coupon cannot be used now, or None."""
    if claim is None:
        return "no such coupon"
    if claim["status"] == "used" and claim.get("order_id") != order_id:
        return "this coupon was already used"
    if at < claim["valid_from"]:
        return "this coupon cannot be used yet"
    if at > claim["valid_until"]:
        return "this coupon has expired"
    return None


def claim_status(claim: dict[str, Any], at: str) -> str:
    if claim["status"] == "used":
        return "used"
    return "expired" if at > claim["valid_until"] else "available"


def claim_view(claim: dict[str, Any], at: str) -> dict[str, Any]:
    terms = claim["terms"]
    view = {
        "claim_id": claim["claim_id"],
        "campaign_id": claim["campaign_id"],
        "coupon_id": claim["coupon_id"],
        "campaign_name": terms.get("campaign_name"),
        "kind": terms["kind"],
        "min_premium_cents": int(terms.get("min_premium_cents") or 0),
        "product_ids": terms.get("product_ids") or [],
        "label": coupon_label(terms),
        "valid_from": claim["valid_from"],
        "valid_until": claim["valid_until"],
        "status": claim_status(claim, at),
        "order_id": claim.get("order_id"),
        "claimed_at": claim["claimed_at"],
    }
    if terms["kind"] == "percent":
        view["percent"] = int(terms["percent"])
    else:
        view["amount_cents"] = int(terms["amount_cents"])
    return view


def coupon_terms(campaign: dict[str, Any], coupon: dict[str, Any]) -> dict[str, Any]:
    """What a member's claim keeps of the coupon."""
    terms = {
        "campaign_name": campaign["name"],
        "kind": coupon["kind"],
        "min_premium_cents": coupon["min_premium_cents"],
        "product_ids": campaign.get("product_ids") or [],
    }
    if coupon["kind"] == "percent":
        terms["percent"] = coupon["percent"]
    else:
        terms["amount_cents"] = coupon["amount_cents"]
    return terms
