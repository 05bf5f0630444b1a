"""Points arithmetic (pure): how many points a purchase earns, the China day of a sign-in, and exact
FIFO expiry without touching every lot on each spend. What points take off at checkout is the
discount rule's (promotions.domain.coupons.breakdown).

The model. Lots (earns) are laid end to end on a line in the order they were earned; a lot occupies
[end - points, end), where `end` is the member's cumulative `earned_total` just after it. Spending
and expiring consume the line from the front (oldest first); `consumed` = net spent + expired.
Reversing a cancelled policy's lot removes that lot's unspent tail, leaving a hole that the front
skips; `holes` are the reversed amounts of the lots at or before a position. So the supply up to a
lot's end is `end - holes(<= end)`, and what is still unspent up to it is that minus `consumed`.

Lots must expire in line order for this to hold, so a lot never expires before one earned earlier
(`lot_expiry`): shortening the expiry setting does not overtake older lots. Expiring a lot expires
everything unspent up to its end, which also covers an older lot whose run was missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from insuremall.clock import CHINA

EXPIRY_CATCH_UP_DAYS = 3
EXPIRING_SOON_DAYS = 30


@dataclass(frozen=True)
class Reversal:
    """A reversed lot: where it ends on the line and how many of its points were removed."""

    lot_end: int
    points: int


def china_day(at: datetime | str) -> date:
    """The calendar day in China of an instant (naive datetimes are taken as UTC)."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at.replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA).date()


def multiplier(raw: Any) -> Decimal:
    """A multiplier from settings or a campaign ("1.5", 2, None); anything unreadable or negative is 1."""
    if raw is None or isinstance(raw, bool):
        return Decimal(1)
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return Decimal(1)
    return value if value.is_finite() and value >= 0 else Decimal(1)


def purchase_points(
    premium_cents: int, points_per_cny: int, product_multiplier: Any = 1, campaign_multiplier: Any = 1
) -> int:
    """floor(premium in CNY x points per CNY x product multiplier x campaign multiplier), never below 0."""
    if premium_cents <= 0 or points_per_cny <= 0:
        return 0
    exact = (
        Decimal(premium_cents)
        * Decimal(points_per_cny)
        * multiplier(product_multiplier)
        * multiplier(campaign_multiplier)
        / 100
    )
    return max(0, int(exact.to_integral_value(rounding=ROUND_FLOOR)))


def product_multiplier(settings: dict[str, Any], product_id: str | None) -> Decimal:
    return multiplier((settings.get("product_points_multipliers") or {}).get(product_id or ""))


def lot_expiry(earned_on: date, expiry_days: int, last_expires_on: date | None) -> date:
    """The day a new lot expires: `expiry_days` after it is earned, but never before an older lot."""
    due = earned_on + timedelta(days=expiry_days)
    return max(due, last_expires_on) if last_expires_on else due


def expiry_days_to_run(run_day: date, catch_up_days: int = EXPIRY_CATCH_UP_DAYS) -> list[date]:
    """The expiry days one run covers, oldest first: the run day and the days before it (a missed run)."""
    return [run_day - timedelta(days=back) for back in range(catch_up_days, -1, -1)]


def holes_up_to(lot_end: int, reversals: Iterable[Reversal]) -> int:
    """Reversed points in the lots ending at or before `lot_end`."""
    return sum(r.points for r in reversals if r.lot_end <= lot_end)


def unspent_up_to(lot_end: int, consumed: int, reversals: Iterable[Reversal]) -> int:
    """Points still unspent in all lots ending at or before `lot_end` (FIFO: the front is consumed first)."""
    return max(0, lot_end - holes_up_to(lot_end, reversals) - consumed)


def to_expire(lot_end: int, consumed: int, reversals: Iterable[Reversal]) -> int:
    """What expiring the lot ending at `lot_end` removes: everything unspent up to its end."""
    return unspent_up_to(lot_end, consumed, reversals)


def unspent_in_lot(lot_points: int, lot_end: int, consumed: int, reversals: Iterable[Reversal]) -> int:
    """The unspent part of one lot (what a reversal of it may take back)."""
    reversals = list(reversals)
    if any(r.lot_end == lot_end for r in reversals):
        return 0  # already reversed
    return min(lot_points, unspent_up_to(lot_end, consumed, reversals))


def expire_on_return(returned: int, consumed: int, expired_through: int) -> int:
    """Points given back by a released spend that fall in lots already expired, so expire at once.

    `expired_through` is the supply position up to which lots have been expired; the front must not
    move back behind it, or those points would never expire.
    """
    return min(returned, max(0, expired_through - (consumed - returned)))


@dataclass(frozen=True)
class Lot:
    points: int
    lot_end: int
    expires_on: date


def expiring_next(
    lots: Iterable[Lot], consumed: int, reversals: Iterable[Reversal], today: date
) -> tuple[int, date] | None:
    """The first day from `today` on which unspent points expire, and how many; lots in line order."""
    lots, reversals = list(lots), list(reversals)
    for lot in lots:
        if lot.expires_on < today:
            continue
        unspent = unspent_in_lot(lot.points, lot.lot_end, consumed, reversals)
        if unspent <= 0:
            continue
        total = sum(
            unspent_in_lot(other.points, other.lot_end, consumed, reversals)
            for other in lots
            if other.expires_on == lot.expires_on
        )
        return total, lot.expires_on
    return None
