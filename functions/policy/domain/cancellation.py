"""The refund for cancelling a policy on a given day (pure), the rule it follows, and what happens to
the cover and to the discounts the policy was bought with.

The rules, in order:
  - "cooling_off": within the product's cooling-off (free-look) period, the whole premium comes back;
  - "not_started": before cover starts, the whole premium comes back (products without a
    cooling-off period too);
  - then the product's rule (product snapshot key `cancellation.after_cooling_off`):
    "pro_rata": the unearned days' share of the premium; "short_rate": the premium less the
    short-rate table's share for the months begun; "none": nothing back.
A product without the key is pro-rata; a product with 0 cooling-off days has no cooling-off period.
Cover ends at the end of the day of cancellation, so that day counts as used; cover that has not
started never starts. Amounts are Decimal, rounded half-up to the fen.

A full refund also gives back what the order's discounts took: the points spent, and the coupon
while it is still valid. A partial refund (or none) is a share of what was paid, so they are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from insuremall.clock import add_months, months_begun  # noqa: F401 (add_months: tests use it here)
from insuremall.errors import Conflict
from insuremall.money import half_up

RULES = ("pro_rata", "short_rate", "none")
# Every rule a quote can name: the two full refunds, then the product's rule after them.
QUOTE_RULES = ("cooling_off", "not_started", *RULES)
DEFAULT_RULE = "pro_rata"

# Standard 12-month short-rate table: months begun -> % of the annual premium the insurer keeps.
SHORT_RATE_RETAINED = {1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60, 7: 70, 8: 80, 9: 85, 10: 90, 11: 95, 12: 100}

RULE_WORDS = {
    "cooling_off": "Full refund: you are within the cooling-off period",
    "not_started": "Full refund: your cover has not started yet",
    "pro_rata": "Refund for the unused days of cover (pro-rata)",
    "short_rate": "Refund by the short-rate table: the insurer keeps a share for each month begun",
    "none": "No refund: this product refunds nothing once cover has started",
}
FULL_REFUND = ("cooling_off", "not_started")


@dataclass(frozen=True)
class RefundQuote:
    cancelled_on: str
    rule: str  # cooling_off | not_started | pro_rata | short_rate | none
    within_cooling_off: bool
    premium_cents: int
    refund_cents: int
    explanation: str
    breakdown: list[dict[str, Any]] = field(default_factory=list)
    cover: str = ""  # what cancelling does to the cover, in words
    discounts: list[dict[str, Any]] = field(default_factory=list)  # each: kind, label, returned, text

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
            "cover": self.cover,
            "discounts": self.discounts,
        }


def rule_after_cooling_off(product_snapshot: dict[str, Any]) -> str:
    rule = (product_snapshot.get("cancellation") or {}).get("after_cooling_off", DEFAULT_RULE)
    return rule if rule in RULES else DEFAULT_RULE


def has_cooling_off(product_snapshot: dict[str, Any]) -> bool:
    """A product with 0 cooling-off days has none (its policies still record the issue day)."""
    return int(product_snapshot.get("cooling_off_days", 1)) > 0


def terms(policy: dict[str, Any], on: date) -> list[dict[str, Any]]:
    """The cancellation rules of a policy in force from day `on` on, in order, each with its last day
    (None: to the end of cover) and its words: what the policy page says before anyone asks a quote."""
    snapshot = policy["product_snapshot"]
    start, end = date.fromisoformat(policy["start_date"]), date.fromisoformat(policy["end_date"])
    cooling = policy.get("cooling_off_until")
    periods: list[dict[str, Any]] = []
    if has_cooling_off(snapshot) and cooling and on <= date.fromisoformat(cooling):
        periods.append(
            {
                "rule": "cooling_off",
                "until": cooling,
                "text": f"Full refund in the cooling-off period, until {cooling}",
            }
        )
    last_before_start = start - timedelta(days=1)
    if on < start and (not periods or date.fromisoformat(periods[-1]["until"]) < last_before_start):
        periods.append(
            {
                "rule": "not_started",
                "until": last_before_start.isoformat(),
                "text": f"Full refund before your cover starts, until {last_before_start.isoformat()}",
            }
        )
    rule = rule_after_cooling_off(snapshot)
    after = {
        "pro_rata": "a refund for the unused days of cover (pro-rata)",
        "short_rate": "a refund by the short-rate table (the insurer keeps a share for each month begun)",
        "none": "no refund",
    }[rule]
    if on <= end:
        then = "After that" if periods else "Now"
        periods.append({"rule": rule, "until": None, "text": f"{then}: {after}, until cover ends on {end}"})
    return periods


def _discounts(premium: dict[str, Any], full: bool, at: str) -> list[dict[str, Any]]:
    """What happens to the order's coupon and points on this cancellation, in words."""
    said = []
    for d in premium.get("discounts") or []:
        if d.get("kind") == "points":
            spent = int(d.get("points") or 0)
            if full:
                text = f"The {spent} points you spent come back to your points balance"
            else:
                text = (
                    f"The {spent} points you spent are not returned: the refund is a share of what you paid"
                )
            said.append(
                {"kind": "points", "label": d.get("label"), "points": spent, "returned": full, "text": text}
            )
        elif d.get("kind") == "coupon":
            label, until = d.get("label") or "Your coupon", d.get("valid_until")
            if not full:
                returned, text = (
                    False,
                    f"The coupon ({label}) is not returned: the refund is a share of what you paid",
                )
            elif until and until < at:
                returned, text = False, f"The coupon ({label}) expired on {until[:10]} and does not come back"
            elif until:
                returned, text = True, f"The coupon ({label}) comes back to use again until {until[:10]}"
            else:
                returned, text = True, f"The coupon ({label}) comes back while it is still valid"
            said.append(
                {
                    "kind": "coupon",
                    "label": label,
                    "claim_id": d.get("claim_id"),
                    "returned": returned,
                    "text": text,
                }
            )
    return said


def quote(policy: dict[str, Any], on: date, at: str = "") -> RefundQuote:
    """The refund for cancelling `policy` (status, premium_cents, start/end dates, cooling_off_until,
    product_snapshot, premium) on day `on`, at instant `at` (ISO UTC, for a coupon's validity).
    Raises Conflict when it cannot be cancelled."""
    status = policy["status"]
    if status != "in_force":
        raise Conflict(f"This policy is {status} and cannot be cancelled")
    premium = int(policy["premium_cents"])
    start, end = date.fromisoformat(policy["start_date"]), date.fromisoformat(policy["end_date"])
    if on > end:
        raise Conflict(f"This policy's cover ended on {end.isoformat()}; it cannot be cancelled")
    snapshot = policy["product_snapshot"]
    cooling = policy.get("cooling_off_until")
    within = has_cooling_off(snapshot) and bool(cooling) and on <= date.fromisoformat(cooling)
    at = at or f"{on.isoformat()}T00:00:00.000+00:00"
    if on < start:
        cover = f"Your cover, due to start on {start.isoformat()}, will not start"
    else:
        cover = f"Your cover ends at the end of today, {on.isoformat()}, instead of on {end.isoformat()}"

    def made(rule: str, refund: int, explanation: str, breakdown: list[dict[str, Any]]) -> RefundQuote:
        return RefundQuote(
            cancelled_on=on.isoformat(),
            within_cooling_off=within,
            premium_cents=premium,
            rule=rule,
            refund_cents=refund,
            explanation=explanation,
            breakdown=breakdown,
            cover=cover,
            discounts=_discounts(policy.get("premium") or {}, rule in FULL_REFUND, at),
        )

    def full(rule: str, explanation: str) -> RefundQuote:
        breakdown = [{"label": "Premium paid", "cents": premium}, {"label": "Refund", "cents": premium}]
        return made(rule, premium, explanation, breakdown)

    if within:
        return full("cooling_off", f"{RULE_WORDS['cooling_off']}, which ends on {cooling}")
    if on < start:
        return full("not_started", f"{RULE_WORDS['not_started']}: it starts on {start.isoformat()}")
    rule = rule_after_cooling_off(snapshot)
    if rule == "none":
        return made(
            "none",
            0,
            RULE_WORDS["none"] + (" and the cooling-off period is over" if has_cooling_off(snapshot) else ""),
            [{"label": "Premium paid", "cents": premium}, {"label": "Refund", "cents": 0}],
        )
    if rule == "pro_rata":
        total_days = (end - start).days + 1
        used_days = (on - start).days + 1
        unused = total_days - used_days
        refund = half_up(Decimal(premium) * unused / total_days)
        return made(
            "pro_rata",
            refund,
            f"{RULE_WORDS['pro_rata']}: {unused} of {total_days} days unused",
            [
                {"label": "Premium paid", "cents": premium},
                {"label": "Days of cover", "value": total_days},
                {"label": "Days used (to the end of the cancellation day)", "value": used_days},
                {"label": "Days unused", "value": unused},
                {"label": f"Refund: premium x {unused}/{total_days}", "cents": refund},
            ],
        )
    months = months_begun(start, on)
    retained_pct = SHORT_RATE_RETAINED[min(months, 12)]
    retained = half_up(Decimal(premium) * retained_pct / 100)
    refund = max(premium - retained, 0)
    return made(
        "short_rate",
        refund,
        f"{RULE_WORDS['short_rate']}: {months} month(s) begun, {retained_pct}% kept",
        [
            {"label": "Premium paid", "cents": premium},
            {"label": "Months begun", "value": months},
            {"label": "Short-rate share kept by the insurer", "value": f"{retained_pct}%"},
            {"label": "Kept", "cents": retained},
            {"label": "Refund", "cents": refund},
        ],
    )
