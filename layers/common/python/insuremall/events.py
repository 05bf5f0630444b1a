"""The events that cross capabilities, with one serialisation that producers and consumers share.

A producer builds the dataclass and stores `event.payload()` (EventsTable, written in the same
transaction as the change it reports); a consumer reads a stream record with `parse(type, payload)`.
Fields are plain JSON values (amounts in integer fen, days as ISO dates, instants as UTC ISO 8601);
no personal data (no names, ID numbers or phones) travels in an event. Consumers must accept fields
they do not know, so a field can be added without a coordinated release.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = ""

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]):
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in payload.items() if k in known})


@dataclass(frozen=True)
class PolicyIssued(Event):
    type: ClassVar[str] = "PolicyIssued"

    policy_no: str
    order_id: str
    customer_id: str
    product_id: str
    plan: str
    term: str
    sum_insured: int
    premium_cents: int
    start_date: str
    end_date: str
    issued_at: str
    channel: str
    insurer_id: str
    product_kind: str
    region: str  # first two digits of the policyholder's PRC ID (the province), "XX" otherwise
    category_id: str | None = None
    cooling_off_until: str | None = None
    renewal_of: str | None = None
    attribution: dict[str, Any] = field(
        default_factory=lambda: {"level1": None, "level2": None, "source": "none"}
    )
    product_name: str | None = None
    insurer_name: str | None = None
    gross_cents: int | None = None  # as rated, before coupons and points (premium_cents is what was charged)
    discount_cents: int = 0
    partner_id: str | None = None
    livemode: bool = True  # False for a partner's test-key sale: never in live figures


@dataclass(frozen=True)
class PolicyCancelled(Event):
    type: ClassVar[str] = "PolicyCancelled"

    policy_no: str
    order_id: str
    customer_id: str
    product_id: str
    cancelled_on: str  # China day
    rule: str  # cooling_off, not_started, pro_rata ... (policy.domain.cancellation)
    refund_cents: int
    premium_cents: int
    insurer_id: str | None = None
    within_cooling_off: bool = False
    discounts: list[dict[str, Any]] = field(
        default_factory=list
    )  # {kind, claim_id?, points?} given back on a full refund
    reason_code: str | None = None
    cancelled_by: str | None = None
    # The sale's dimensions, so that a cancellation lowers the same rows its sale raised.
    region: str | None = None
    channel: str | None = None
    category_id: str | None = None
    product_name: str | None = None
    insurer_name: str | None = None
    partner_id: str | None = None
    livemode: bool = True


@dataclass(frozen=True)
class MemberInvited(Event):
    type: ClassVar[str] = "MemberInvited"

    invitee_id: str
    inviter_id: str
    bound_at: str


@dataclass(frozen=True, kw_only=True)
class FunnelStep(Event):
    """A step of the purchase funnel (checkout: quote, order, payment, referral, decline), with the
    dimensions the sales figures break it down by. Written with the change it reports (EventsTable key
    QUOTE#<quote id> or ORDER#<order id> and the type), so a retry or a duplicate never writes it twice."""

    product_id: str
    at: str  # UTC ISO 8601 instant of the step (its China day is the day it counts on)
    channel: str
    insurer_id: str | None = None
    category_id: str | None = None
    product_name: str | None = None
    insurer_name: str | None = None
    region: str | None = None  # the policyholder's province (PRC ID), "XX" otherwise; None before an order
    partner_id: str | None = None
    livemode: bool = True  # False for a partner's test-key sale: never in live figures


@dataclass(frozen=True, kw_only=True)
class QuoteGiven(FunnelStep):
    type: ClassVar[str] = "QuoteGiven"

    quote_id: str
    premium_cents: int


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(FunnelStep):
    type: ClassVar[str] = "OrderPlaced"

    order_id: str
    quote_id: str | None
    premium_cents: int  # payable, after coupons and points
    renewal_of: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderPaid(FunnelStep):
    type: ClassVar[str] = "OrderPaid"

    order_id: str
    premium_cents: int


@dataclass(frozen=True, kw_only=True)
class OrderReferred(FunnelStep):
    """Underwriting's rules could not decide: the order waits for an underwriter (no reasons here: they
    quote the health declaration)."""

    type: ClassVar[str] = "OrderReferred"

    order_id: str


@dataclass(frozen=True, kw_only=True)
class OrderDeclined(FunnelStep):
    """Underwriting declined the application (its rules, or an underwriter on a referral); the payment is
    refunded and the order closed."""

    type: ClassVar[str] = "OrderDeclined"

    order_id: str


TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        PolicyIssued,
        PolicyCancelled,
        MemberInvited,
        QuoteGiven,
        OrderPlaced,
        OrderPaid,
        OrderReferred,
        OrderDeclined,
    )
}


def parse(event_type: str, payload: dict[str, Any]) -> Event | None:
    """The typed event of a stored (type, payload); None for a type nobody here knows."""
    cls = TYPES.get(event_type)
    return cls.from_payload(payload) if cls else None
