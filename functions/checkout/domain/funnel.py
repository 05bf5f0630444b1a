"""The purchase funnel's events (pure): what checkout tells the reports of a quote, an order, its payment,
its referral to an underwriter and its decline, with the sale's dimensions and no personal data (the
region is the two-digit province of the policyholder's PRC ID, nothing else of the person).

The store writes each in the same transaction as the change it reports, keyed by the quote or order and
the event's type, so a retried request or a duplicated saga step never writes one twice.
"""

from __future__ import annotations

from typing import Any

from checkout.domain.model import Order, Quote
from insuremall import events, identity


def _dimensions(application: dict[str, Any], at: str) -> dict[str, Any]:
    product = application["product"]
    return {
        "product_id": product["product_id"],
        "at": at,
        "channel": application.get("channel") or "h5",
        "insurer_id": product.get("insurer_id"),
        "category_id": product.get("category_id"),
        "product_name": product.get("name"),
        "insurer_name": product.get("insurer_name"),
        "region": identity.region_of(application.get("policyholder") or {}),
        # The partner channel sets these on the application; a test-key sale never counts.
        "partner_id": application.get("partner_id"),
        "livemode": application.get("livemode") is not False,
    }


def quote_given(quote: Quote, product: dict[str, Any], channel: str, **partner: Any) -> events.QuoteGiven:
    """A quote has no policyholder yet: its region is unknown (None)."""
    return events.QuoteGiven(
        quote_id=quote.quote_id,
        premium_cents=quote.premium_cents,
        product_id=quote.product_id,
        at=quote.created_at or "",
        channel=channel,
        insurer_id=product.get("insurer_id"),
        category_id=product.get("category_id"),
        product_name=product.get("name"),
        partner_id=partner.get("partner_id"),
        livemode=partner.get("livemode") is not False,
    )


def order_placed(order: dict[str, Any]) -> events.OrderPlaced:
    """`order` as ordering.place writes it (its application inside)."""
    application = order["application"]
    return events.OrderPlaced(
        order_id=order["order_id"],
        quote_id=order.get("quote_id"),
        premium_cents=int(order["premium_cents"]),
        renewal_of=application.get("renewal_of"),
        **_dimensions(application, order["created_at"]),
    )


def order_paid(order: Order, at: str) -> events.OrderPaid:
    return events.OrderPaid(
        order_id=order.order_id, premium_cents=order.premium_cents, **_dimensions(order.application, at)
    )


def order_referred(order: Order, at: str) -> events.OrderReferred:
    return events.OrderReferred(order_id=order.order_id, **_dimensions(order.application, at))


def order_declined(order: Order, at: str) -> events.OrderDeclined:
    return events.OrderDeclined(order_id=order.order_id, **_dimensions(order.application, at))
