"""Promotion-fee rules (pure): which rate a sale earns at, the fee per referral level, when it is
released, how a cancellation reverses it and whether it is paid in cash or in points.

Rates are basis points of the premium the customer paid (1 bp = 0.01 %), so 1500 bp is 15 %. Every
amount is rounded half-up to the fen once, on the amount the member sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from insuremall.clock import CHINA
from insuremall.money import half_up

MAX_LEVEL_BP = 5000  # one level at most 50 % of the premium
MAX_TOTAL_BP = 5000  # both levels together at most 50 %
LEVELS = (1, 2)
RELEASE_CATCH_UP_DAYS = 3  # the release job also releases what a missed run of the days before left
RATE_FIELDS = ("level1_bp", "level2_bp", "renewal_level1_bp", "renewal_level2_bp")
SCOPES = ("product", "category")

# Which rule decided the settlement of a fee (recorded on every earn entry).
RULE_NOT_REQUIRED = "licence_not_required"  # the programme pays cash to everyone
RULE_LICENCE_VERIFIED = "licence_verified"  # cash, the member holds a verified agent licence
RULE_NO_LICENCE = "no_verified_licence"  # points instead of cash


def china_day(timestamp: str) -> date:
    """The China-time day of an ISO timestamp (issued_at is stored in UTC)."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).date()


# ---------- rates ----------
def select_rate(product_rate: dict[str, Any] | None, category_rate: dict[str, Any] | None) -> dict | None:
    """The product's rate in effect, else its category's, else none (each already the newest one
    effective on the issue day)."""
    return product_rate or category_rate


def level_rates_bp(rate: dict[str, Any], renewal: bool) -> dict[int, int]:
    """Basis points per level: renewals earn the renewal rates."""
    prefix = "renewal_" if renewal else ""
    return {level: int(rate.get(f"{prefix}level{level}_bp") or 0) for level in LEVELS}


def fee_cents(premium_cents: int, rate_bp: int) -> int:
    """premium x bp / 10,000, rounded half-up to the fen."""
    return half_up(Decimal(int(premium_cents)) * Decimal(int(rate_bp)) / Decimal(10_000))


def parse_rate(body: Any, today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """An operator's new rate: (rate, problems per field). effective_from is today or later (China
    time): a rate never changes fees of days already sold."""
    if not isinstance(body, dict):
        return {}, {"body": "must be an object"}
    problems: dict[str, str] = {}
    rate: dict[str, Any] = {}
    scope = body.get("scope")
    if scope not in SCOPES:
        problems["scope"] = "must be product or category"
    else:
        rate["scope"] = scope
    scope_id = body.get("scope_id")
    if not isinstance(scope_id, str) or not is_scope_id(scope_id):
        problems["scope_id"] = "must be a product or category id (lower-case letters, digits, -)"
    else:
        rate["scope_id"] = scope_id
    raw_day = body.get("effective_from")
    try:
        effective = date.fromisoformat(raw_day) if isinstance(raw_day, str) and len(raw_day) == 10 else None
    except ValueError:
        effective = None
    if effective is None:
        problems["effective_from"] = "must be a date, YYYY-MM-DD"
    elif effective < today:
        problems["effective_from"] = f"must be today ({today.isoformat()}) or later"
    else:
        rate["effective_from"] = effective.isoformat()
    for name in RATE_FIELDS:
        value = body.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LEVEL_BP:
            problems[name] = f"must be a whole number of basis points from 0 to {MAX_LEVEL_BP}"
        else:
            rate[name] = value
    for first, second in (("level1_bp", "level2_bp"), ("renewal_level1_bp", "renewal_level2_bp")):
        if first in rate and second in rate and rate[first] + rate[second] > MAX_TOTAL_BP:
            problems[second] = f"{first} + {second} must be at most {MAX_TOTAL_BP} basis points"
    unknown = sorted(set(body) - {"scope", "scope_id", "effective_from", *RATE_FIELDS})
    for name in unknown:
        problems[name] = "is not a field of a commission rate"
    return rate, problems


def is_scope_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isdigit() or c == "-" or "a" <= c <= "z" for c in value)


# ---------- earning ----------
def release_day(cooling_off_until: str | None, issue_day: date) -> date:
    """The day a fee becomes available: the day after cooling-off ends (the issue day's next day
    when the product has none)."""
    end = date.fromisoformat(cooling_off_until) if cooling_off_until else issue_day
    return end + timedelta(days=1)


def release_days(run_day: date) -> list[date]:
    """The due days one run of the release job covers: its day and the catch-up days before it."""
    return [run_day - timedelta(days=back) for back in range(RELEASE_CATCH_UP_DAYS, -1, -1)]


def settlement(require_licence_for_cash: bool, licence_verified: bool) -> tuple[str, str]:
    """(settlement, rule): "cash" or "points", and the name of the rule that decided it."""
    if not require_licence_for_cash:
        return "cash", RULE_NOT_REQUIRED
    if licence_verified:
        return "cash", RULE_LICENCE_VERIFIED
    return "points", RULE_NO_LICENCE


def fee_points(cents: int, points_per_cny: int) -> int:
    """The points a fee settled in points pays: CNY x points per CNY, rounded half-up."""
    return half_up(Decimal(int(cents)) * Decimal(int(points_per_cny)) / Decimal(100))


@dataclass(frozen=True)
class Fee:
    level: int
    member_id: str
    rate_bp: int
    cents: int
    detail: dict[str, Any]


def fees_for_sale(
    attribution: dict[str, Any] | None,
    rate: dict[str, Any] | None,
    premium_cents: int,
    renewal: bool,
) -> list[Fee]:
    """One fee per attributed level with a positive amount. The attribution was snapshotted at the
    sale; a buyer is never their own level (checkout guarantees it; this keeps it true here too)."""
    if not attribution or not rate:
        return []
    rates = level_rates_bp(rate, renewal)
    fees = []
    for level in LEVELS:
        member_id = attribution.get(f"level{level}")
        if not member_id:
            continue
        cents = fee_cents(premium_cents, rates[level])
        if cents <= 0:
            continue
        fees.append(
            Fee(
                level=level,
                member_id=member_id,
                rate_bp=rates[level],
                cents=cents,
                detail={
                    "rate_bp": rates[level],
                    "base_cents": int(premium_cents),
                    "rate_scope": rate.get("scope"),
                    "rate_scope_id": rate.get("scope_id"),
                    "rate_effective_from": rate.get("effective_from"),
                    "renewal": renewal,
                },
            )
        )
    return fees


# ---------- cancelling ----------
VOID, CLAWBACK, RELEASE_THEN_CLAWBACK = "void", "clawback", "release_then_clawback"


def cancellation_action(within_cooling_off: bool, released: bool) -> str:
    """A fee not yet released is voided when the policy is cancelled in cooling-off (the customer gets
    everything back). Released, it is clawed back by the refund's share. Cancelled after cooling-off
    but before the release job ran (a late job), it is released first, then clawed back, so the
    member keeps the same share as if the job had been on time."""
    if released:
        return CLAWBACK
    return VOID if within_cooling_off else RELEASE_THEN_CLAWBACK


def clawback_cents(fee: int, refund_cents: int, premium_cents: int) -> int:
    """The refund's share of a fee: fee x refund / premium, rounded half-up; never more than the fee."""
    if premium_cents <= 0 or refund_cents <= 0:
        return 0
    share = half_up(Decimal(int(fee)) * Decimal(int(refund_cents)) / Decimal(int(premium_cents)))
    return min(max(share, 0), int(fee))


# ---------- views ----------
def mask_policy_no(policy_no: str | None) -> str | None:
    """First 4 and last 4 characters of a policy number: the member recognises it, nobody can look
    it up from a screenshot."""
    if not policy_no:
        return policy_no
    if len(policy_no) <= 8:
        return policy_no[:2] + "*" * (len(policy_no) - 2)
    return policy_no[:4] + "*" * (len(policy_no) - 8) + policy_no[-4:]
