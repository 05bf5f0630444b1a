"""Use case: place an order - the one way an order is placed, by the storefront and by renewals.

place() re-rates the quote's inputs on the quote's rate-table version (never trusting a stored or
client price), builds and checks the application, derives the discounts from the gross premium and
uses them, writes the order once per idempotency key (giving the discounts back if it was not the
write that counted) and starts the purchase saga.

Collaborators come in (wiring.py builds the real ones): `orders` (create_order, order_for_key),
`pricing` (catalog.api: reprice, insurer, RatingRequest), `incentives` (checkout.incentives: for_order,
priced, use, give_back, attribution_for) and `saga` (start).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from checkout import quoting
from checkout.domain import funnel
from checkout.domain.application import build_application
from checkout.domain.model import Order, Quote
from insuremall import errors
from insuremall.clock import now_iso
from insuremall.observability import get_logger

logger = get_logger("checkout")

CHANNELS = {"h5", "pc", "partner_api"}
IDEMPOTENCY_TTL_SECONDS = 24 * 3600


def new_order_id() -> str:
    return f"ORD{datetime.now(UTC):%Y%m%d%H%M%S}{uuid.uuid4().hex[:10].upper()}"


@dataclass(frozen=True)
class Wording:
    """What the customer is told when the price cannot be confirmed (the seller's words)."""

    changed: str = "This quote no longer matches the product; get a new quote"
    mismatch: str = "The premium for this quote could not be confirmed; get a new quote"


@dataclass(frozen=True)
class OrderDraft:
    """An order to place. `attribution` None derives it from the form's `ref`; {} records none.
    `product` is the product as offered (None: as the catalog has it now)."""

    customer_id: str
    quote: Quote
    form: dict[str, Any]
    channel: str
    product: dict[str, Any] | None = None
    attribution: dict[str, Any] | None = None
    renewal_of: str | None = None
    discounts_allowed: bool = True
    wording: Wording = field(default_factory=Wording)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OrderDraft:
        return cls(
            **{k: v for k, v in data.items() if k not in ("quote", "wording")},
            quote=Quote(**data["quote"]),
            wording=Wording(**data.get("wording") or {}),
        )


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False: an earlier request with the same key (or a concurrent twin) placed it


def request_hash(form: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(form, sort_keys=True).encode()).hexdigest()


def draft_from_form(customer_id: str, form: dict[str, Any], *, quotes, now: float) -> OrderDraft:
    """The storefront's order form as a draft: its quote (still valid) and channel."""
    quote_id = form.get("quote_id")
    if not isinstance(quote_id, str) or not quote_id:
        raise errors.Invalid({"quote_id": "is required"})
    quote = quotes.get_quote(quote_id)
    if quote is None:
        raise errors.Invalid({"quote_id": "no such quote"})
    quoting.live(quote, now)
    channel = form.get("channel", "h5")
    if channel not in CHANNELS:
        raise errors.Invalid({"channel": f"must be one of {sorted(CHANNELS)}"})
    return OrderDraft(customer_id=customer_id, quote=quote, form=form, channel=channel)


def place_from_form(
    customer_id: str,
    form: dict[str, Any],
    idempotency_key: str | None,
    *,
    quotes,
    now: float,
    **collaborators,
) -> Placed:
    """POST /orders: a retry with the same key answers with the first order (even after its quote
    expired), which holds its own discounts."""
    digest = request_hash(form)
    replay = _replay(customer_id, idempotency_key, digest, collaborators["orders"], collaborators["saga"])
    if replay is not None:
        return replay
    draft = draft_from_form(customer_id, form, quotes=quotes, now=now)
    return place(draft, idempotency_key, request_hash=digest, now=now, **collaborators)


def _replay(customer_id: str, key: str | None, digest: str, orders, saga) -> Placed | None:
    replay = orders.order_for_key(customer_id, key, digest) if key is not None else None
    if replay is None:
        return None
    saga.start(replay)  # a retry after a crash between the write and the start
    return Placed(replay, created=False)


def _priced(draft: OrderDraft, pricing):
    """Re-rate the quote on its own rate-table version; the one comparison, in fen."""
    quote = draft.quote
    priced = pricing.reprice(
        quote.product_id,
        quote.rate_table_version,
        pricing.RatingRequest(**quote.rating_factors()),
        changed=draft.wording.changed,
    )
    if priced.premium_cents != quote.premium_cents:
        logger.error("quote premium mismatch", extra={"quote_id": quote.quote_id})
        raise errors.Conflict(draft.wording.mismatch)
    return priced


def _application(draft: OrderDraft, order_id: str, product: dict, priced, pricing) -> dict[str, Any]:
    quote = draft.quote
    application, problems = build_application(
        order_id=order_id,
        customer_id=draft.customer_id,
        product=product,
        insurer=pricing.insurer(product["insurer_id"]),
        quote={
            "quote_id": quote.quote_id,
            "rate_table_version": quote.rate_table_version,
            "inputs": quote.inputs,
            "premium": quote.premium or priced.premium.to_dict(),
            "premium_cents": quote.premium_cents,
        },
        body=draft.form,
        channel=draft.channel,
    )
    errors.check(problems)
    return application


def check(draft: OrderDraft, *, pricing, now: float) -> None:
    """Raise what place() would raise for the draft's price and application, writing nothing (a renewal
    checks before it claims its offer for the order)."""
    quoting.live(draft.quote, now)
    priced = _priced(draft, pricing)
    _application(draft, "ORDCHECK", draft.product or priced.product, priced, pricing)


def place(
    draft: OrderDraft,
    idempotency_key: str | None = None,
    *,
    orders,
    pricing,
    incentives,
    saga,
    now: float,
    request_hash: str = "",
    order_id: str | None = None,
    new_id: Callable[[], str] = new_order_id,
) -> Placed:
    """Place the draft's order once per idempotency key; `order_id` when the caller named it first
    (a renewal claims its offer for the order before placing it)."""
    customer = draft.customer_id
    replay = _replay(customer, idempotency_key, request_hash, orders, saga)
    if replay is not None:
        return replay
    quoting.live(draft.quote, now)
    priced = _priced(draft, pricing)
    product = draft.product or priced.product
    order_id = order_id or new_id()
    application = _application(draft, order_id, product, priced, pricing)
    # Discounts are derived here from the gross premium; the form only names a coupon and points.
    asked = draft.form if draft.discounts_allowed else {}
    discount = incentives.for_order(customer, product["product_id"], application["premium_cents"], asked)
    application["premium"] = incentives.priced(application["premium"], discount)
    application["premium_cents"] = discount["payable_cents"]  # charged, and what the policy records
    if draft.renewal_of:
        application["renewal_of"] = draft.renewal_of
    # Snapshot who the sale is attributed to now; later changes to the referral tree never move it.
    attribution = draft.attribution
    if attribution is None:
        attribution = incentives.attribution_for(customer, draft.form.get("ref"))
    if attribution:
        application["attribution"] = attribution
    order = {
        "order_id": order_id,
        "product_id": product["product_id"],
        "product_name": product["name"],
        "quote_id": draft.quote.quote_id,
        "premium_cents": application["premium_cents"],
        "channel": draft.channel,
        "application": application,
        "created_at": now_iso(),
    }
    # The coupon is used and the points reserved before the order exists, and given back if it is not
    # written (or a concurrent retry wrote the first order, which holds its own).
    incentives.use(customer, order_id, discount["discounts"])
    try:
        stored, created = orders.create_order(
            order,
            customer,
            idempotency_key,
            request_hash,
            int(now) + IDEMPOTENCY_TTL_SECONDS,
            event=funnel.order_placed(order),
        )
    except Exception:
        incentives.give_back(customer, order_id, discount["discounts"])
        raise
    if not created:
        incentives.give_back(customer, order_id, discount["discounts"])
    saga.start(stored)
    return Placed(stored, created)
