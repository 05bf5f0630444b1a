"""Sales figures from the events that cross capabilities (pure): what each event adds to which day and
dimension value, summed per batch so that a batch writes one update per (day, dimension value).

A day is a China day: a sale at 23:30 China time on the 1st counts on the 1st, at 00:10 on the 2nd; a
cancellation counts on the day it happens (it lowers that day's net premium), and so does each step of the
funnel (quote, order, payment, referral, decline). Test-mode sales (a partner's test key: `livemode`
false) never count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from insuremall import events
from insuremall.clock import china_day
from reports.domain.regions import province_name

# Stored figures (integers; amounts in fen). Net premium is derived: gross - refunded.
FIGURES = (
    "policies_issued",
    "gross_premium_cents",
    "discounts_cents",
    "new_business",
    "renewals",
    "policies_cancelled",
    "refunded_cents",
    # The purchase funnel (checkout's events); its "issued" step is policies_issued.
    "quotes",
    "orders",
    "paid",
    "declined",
    "referred",
)
FUNNEL = {
    "QuoteGiven": "quotes",
    "OrderPlaced": "orders",
    "OrderPaid": "paid",
    "OrderDeclined": "declined",
    "OrderReferred": "referred",
}
DIMENSIONS = ("region", "insurer", "product", "category", "channel", "partner")
DIRECT = "direct"  # the partner dimension's value for a sale no partner made
UNKNOWN = "unknown"

DEFINITIONS = {
    "policies_issued": "Policies issued in the period (new business and renewals).",
    "gross_premium": "Premium of the policies issued, as rated, before coupons and points.",
    "discounts": "Coupons and points given on the policies issued (the platform's cost, not the insurer's).",
    "new_business": "Policies issued that renew no earlier policy.",
    "renewals": "Policies issued that renew an earlier policy.",
    "policies_cancelled": "Policies cancelled in the period, whenever they were issued.",
    "refunded_premium": "Premium refunded on the cancellations in the period.",
    "net_premium": "Gross premium minus refunded premium, both of the period.",
    "quotes": "Quotes given in the period (a premium locked for a time; a quote has no region yet).",
    "orders": "Orders placed in the period, from a quote or a renewal offer.",
    "paid": "Orders paid in the period.",
    "declined": "Paid orders underwriting declined in the period (its rules or an underwriter), refunded.",
    "referred": "Paid orders the underwriting rules referred to an underwriter in the period.",
}


class AlreadyCounted(Exception):
    """Some events of a chunk were counted before (a redelivery): their ids, to drop and write the rest."""

    def __init__(self, event_ids: list[str]):
        super().__init__(", ".join(event_ids))
        self.event_ids = event_ids


@dataclass(frozen=True)
class Key:
    day: str
    dimension: str
    value: str


@dataclass
class Sum:
    name: str | None = None
    figures: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _values(
    event: events.PolicyIssued | events.PolicyCancelled | events.FunnelStep,
) -> dict[str, tuple[str, str | None]]:
    """Dimension -> (value, name) for one event; every event has exactly one value per dimension, so the
    rows of any dimension add up to the totals."""
    region = getattr(event, "region", None) or UNKNOWN
    return {
        "region": (region, province_name(region)),
        "insurer": (event.insurer_id or UNKNOWN, getattr(event, "insurer_name", None)),
        "product": (event.product_id, getattr(event, "product_name", None)),
        "category": (event.category_id or UNKNOWN, None),
        "channel": (event.channel or UNKNOWN, None),
        "partner": (event.partner_id or DIRECT, None),
    }


def contribution(event: events.Event) -> tuple[str, dict[str, int], dict[str, tuple[str, str | None]]] | None:
    """(China day, figures added, dimension values) of one event; None if it adds nothing."""
    if not getattr(event, "livemode", True):
        return None
    if isinstance(event, events.PolicyIssued):
        day = china_day(datetime.fromisoformat(event.issued_at)).isoformat()
        gross = (
            event.gross_cents if event.gross_cents is not None else event.premium_cents + event.discount_cents
        )
        figures = {
            "policies_issued": 1,
            "gross_premium_cents": gross,
            "discounts_cents": event.discount_cents,
            "renewals" if event.renewal_of else "new_business": 1,
        }
    elif isinstance(event, events.PolicyCancelled):
        day = event.cancelled_on
        figures = {"policies_cancelled": 1, "refunded_cents": event.refund_cents}
    elif isinstance(event, events.FunnelStep) and event.type in FUNNEL:
        day = china_day(datetime.fromisoformat(event.at)).isoformat()
        figures = {FUNNEL[event.type]: 1}
    else:
        return None
    return day, figures, _values(event)


def summed(batch: list[events.Event]) -> dict[Key, Sum]:
    """The batch's figures per (day, dimension, value): one update each, however many events."""
    sums: dict[Key, Sum] = {}
    for event in batch:
        added = contribution(event)
        if added is None:
            continue
        day, figures, values = added
        for dimension, (value, name) in values.items():
            total = sums.setdefault(Key(day, dimension, value), Sum())
            total.name = total.name or name
            for figure, amount in figures.items():
                total.figures[figure] += amount
    return sums


def merged(parts: list[dict[Key, Sum]]) -> dict[Key, Sum]:
    """Several sums as one: staged sums folded together before their figures are written."""
    total: dict[Key, Sum] = {}
    for part in parts:
        for key, piece in part.items():
            into = total.setdefault(key, Sum())
            into.name = into.name or piece.name
            for figure, amount in piece.figures.items():
                into.figures[figure] += amount
    return total


def to_rows(sums: dict[Key, Sum]) -> list[list]:
    """Sums as plain JSON rows `[day, dimension, value, name, {figure: n}]` (a staged item holds them)."""
    return [
        [k.day, k.dimension, k.value, s.name, {f: n for f, n in s.figures.items() if n}]
        for k, s in sorted(sums.items(), key=lambda item: (item[0].day, item[0].dimension, item[0].value))
    ]


def from_rows(rows: list[list]) -> dict[Key, Sum]:
    sums: dict[Key, Sum] = {}
    for day, dimension, value, name, amounts in rows:
        total = sums.setdefault(Key(day, dimension, value), Sum(name))
        for figure, amount in amounts.items():
            total.figures[figure] += int(amount)
    return sums
