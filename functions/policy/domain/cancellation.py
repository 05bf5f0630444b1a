"""The refund for cancelling a policy on a given day (pure).

Inside the cooling-off (free-look) period, or before cover starts, the whole premium comes back.
After it the product's rule applies (product snapshot key `cancellation.after_cooling_off`):
  - "pro_rata": the unearned days' share of the premium;
  - "short_rate": the premium less the short-rate table's share for the months begun;
  - "none": nothing back.
A product without the key is pro-rata. Cover ends at the end of the day of cancellation, so that
day counts as used. Amounts are Decimal, rounded half-up to the fen.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from insuremall.errors import Conflict

RULES = ("pro_rata", "short_rate", "none")
# Every rule a quote can name: the two full refunds, then the product's rule after them.
QUOTE_RULES = ("cooling_off", "not_started", *RULES)
DEFAULT_RULE = "pro_rata"

# Standard 12-month short-rate table: months begun -> % of the annual premium the insurer keeps.
SHORT_RATE_RETAINED = {1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60, 7: 70, 8: 80, 9: 85, 10: 90, 11: 95, 12: 100}

RULE_WORDS = {
    "cooling_off": "Full refund: you are within the cooling-off period",
    "not_started": "Full refund: the cover has not started yet",
    "pro_rata": "Refund for the unused days of cover (pro-rata)",
    "short_rate": "Refund by the short-rate table: the insurer keeps a share for each month begun",
    "none": "No refund after the cooling-off period for this product",
}


@dataclass(frozen=True)
class RefundQuote:
    cancelled_on: str
    rule: str  # cooling_off | not_started | pro_rata | short_rate | none
    within_cooling_off: bool
    premium_cents: int
    refund_cents: int
    explanation: str
    breakdown: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cancelled_on": self.cancelled_on,
            "rule": self.rule,
            "within_cooling_off": self.within_cooling_off,
            "premium_cents": self.premium_cents,
            "refund_cents": self.refund_cents,
            "retained_cents": self.premium_cents - self.refund_cents,
            "explanation": self.explanation,
            "breakdown": self.breakdown,
        }


def rule_after_cooling_off(product_snapshot: dict[str, Any]) -> str:
    rule = (product_snapshot.get("cancellation") or {}).get("after_cooling_off", DEFAULT_RULE)
    return rule if rule in RULES else DEFAULT_RULE


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_begun(start: date, on: date) -> int:
    """Months of cover begun by the end of `on` (a part month counts whole); 1 on the start day."""
    months = 0
    while add_months(start, months) <= on:
        months += 1
    return months


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quote(policy: dict[str, Any], on: date) -> RefundQuote:
    """The refund for cancelling `policy` (status, premium_cents, start/end dates, cooling_off_until,
    product_snapshot) on day `on`. Raises Conflict when it cannot be cancelled."""
    status = policy["status"]
    if status != "in_force":
        raise Conflict(f"This policy is {status} and cannot be cancelled")
    premium = int(policy["premium_cents"])
    start, end = date.fromisoformat(policy["start_date"]), date.fromisoformat(policy["end_date"])
    if on > end:
        raise Conflict(f"This policy's cover ended on {end.isoformat()}; it cannot be cancelled")
    cooling = policy.get("cooling_off_until")
    within = bool(cooling) and on <= date.fromisoformat(cooling)
    base = {"cancelled_on": on.isoformat(), "within_cooling_off": within, "premium_cents": premium}

    def full(rule: str) -> RefundQuote:
        breakdown = [{"label": "Premium paid", "cents": premium}, {"label": "Refund", "cents": premium}]
        return RefundQuote(
            **base, rule=rule, refund_cents=premium, explanation=RULE_WORDS[rule], breakdown=breakdown
        )

    if within:
        return full("cooling_off")
    if on < start:
        return full("not_started")
    rule = rule_after_cooling_off(policy["product_snapshot"])
    if rule == "none":
        return RefundQuote(
            **base,
            rule="none",
            refund_cents=0,
            explanation=RULE_WORDS["none"],
            breakdown=[{"label": "Premium paid", "cents": premium}, {"label": "Refund", "cents": 0}],
        )
    if rule == "pro_rata":
        total_days = (end - start).days + 1
        used_days = (on - start).days + 1
        unused = total_days - used_days
        refund = _cents(Decimal(premium) * unused / total_days)
        return RefundQuote(
            **base,
            rule="pro_rata",
            refund_cents=refund,
            explanation=f"{RULE_WORDS['pro_rata']}: {unused} of {total_days} days unused",
            breakdown=[
                {"label": "Premium paid", "cents": premium},
                {"label": "Days of cover", "value": total_days},
                {"label": "Days used (to the end of the cancellation day)", "value": used_days},
                {"label": "Days unused", "value": unused},
                {"label": f"Refund: premium x {unused}/{total_days}", "cents": refund},
            ],
        )
    months = months_begun(start, on)
    retained_pct = SHORT_RATE_RETAINED[min(months, 12)]
    retained = _cents(Decimal(premium) * retained_pct / 100)
    refund = max(premium - retained, 0)
    return RefundQuote(
        **base,
        rule="short_rate",
        refund_cents=refund,
        explanation=f"{RULE_WORDS['short_rate']}: {months} month(s) begun, {retained_pct}% kept",
        breakdown=[
            {"label": "Premium paid", "cents": premium},
            {"label": "Months begun", "value": months},
            {"label": "Short-rate share kept by the insurer", "value": f"{retained_pct}%"},
            {"label": "Kept", "cents": retained},
            {"label": "Refund", "cents": refund},
        ],
    )
