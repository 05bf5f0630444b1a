"""In-memory collaborators of checkout's use cases (cosmicpython's fakes): no AWS, no tables."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from checkout.domain.model import Order, Quote, StatusChange
from insuremall import errors
from insuremall.identity import make_prc_id

START = date(2026, 12, 10)
TODAY = START - timedelta(days=1)
NOW = 1_800_000_000.0
BIRTH = date(1990, 1, 1)
ID_NUMBER = make_prc_id("310101", BIRTH, "013")
AGE = 36
PRODUCT = {
    "product_id": "accident-guardian",
    "name": "Guardian Personal Accident",
    "kind": "accident",
    "category_id": "accident",
    "insurer_id": "ins-1",
    "status": "on_shelf",
    "rate_table_version": 3,
    "age_limits": {"min": 18, "max": 65},
    "max_sum_insured_per_person": 1_000_000,
    "plans": [{"code": "standard", "name": "Standard", "sum_insured": 500_000}],
    "terms": [{"code": "1Y", "label": "1 year", "years": 1}],
    "health_questions": [{"code": "hospital", "text": "In hospital in the last year?"}],
}


class InvalidTransition(Exception):
    def __init__(self, order: Order | None = None) -> None:
        super().__init__(f"order is {order and order.status}")
        self.order = order


class Orders:
    """checkout.store's order reads and writes."""

    InvalidTransition = InvalidTransition

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.keys: dict[tuple[str, str], tuple[str, str]] = {}
        self.events: dict[str, Any] = {}  # EventsTable: event id (ORDER#<id>|type) -> event

    def create_order(self, order, customer_id, key, request_hash, ttl, event=None):
        if key is not None and (customer_id, key) in self.keys:
            first_hash, first_id = self.keys[(customer_id, key)]
            if first_hash != request_hash:
                raise errors.Conflict("This Idempotency-Key was already used for a different order")
            return self.orders[first_id], False
        stored = Order(
            customer_id=customer_id,
            status="pending_payment",
            updated_at=order["created_at"],
            history=(StatusChange("pending_payment", order["created_at"]),),
            **order,
        )
        self.orders[stored.order_id] = stored
        if key is not None:
            self.keys[(customer_id, key)] = (request_hash, stored.order_id)
        if event is not None:
            self.events[f"ORDER#{stored.order_id}|{event.type}"] = event
        return stored, True

    def order_for_key(self, customer_id, key, request_hash):
        found = self.keys.get((customer_id, key))
        if found is None:
            return None
        if found[0] != request_hash:
            raise errors.Conflict("This Idempotency-Key was already used for a different order")
        return self.orders[found[1]]

    def get_order(self, order_id, consistent=False):
        return self.orders.get(order_id)

    def mark_paid(self, order_id, intent_id, paid_at, event=None):
        """store.mark_paid: awaiting_payment -> paid once, with its event in the same write."""
        order = self.orders.get(order_id)
        if order is not None and order.status == "paid":
            return order, False
        if order is None or order.status != "awaiting_payment" or order.payment_intent_id != intent_id:
            raise self.InvalidTransition(order)
        order = replace(order, status="paid", paid_at=paid_at)
        self.orders[order_id] = order
        if event is not None:
            self.events[f"ORDER#{order_id}|{event[1].type}"] = event[1]
        return order, True


class Quotes:
    def __init__(self) -> None:
        self.quotes: dict[str, Quote] = {}
        self.events: dict[str, Any] = {}

    def put_quote(self, quote: Quote, event=None) -> None:
        self.quotes[quote.quote_id] = quote
        if event is not None:
            self.events[f"QUOTE#{quote.quote_id}|{event.type}"] = event

    def get_quote(self, quote_id: str) -> Quote | None:
        return self.quotes.get(quote_id)


@dataclass(frozen=True)
class Premium:
    total: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"total": f"{self.total:.2f}", "currency": "CNY", "breakdown": []}


@dataclass(frozen=True)
class Priced:
    product: dict
    rate_table_version: int
    request: Any
    premium: Premium

    @property
    def premium_cents(self) -> int:
        return int(self.premium.total * 100)


@dataclass(frozen=True)
class RatingRequest:
    plan: str
    age: int
    gender: str
    term: str
    options: tuple = ()
    occupation_class: int | None = None


class Pricing:
    """catalog.api: one price per rate-table version (in yuan)."""

    RatingRequest = RatingRequest

    def __init__(self, prices: dict[int, Decimal] | None = None, product: dict | None = None) -> None:
        self.prices = prices or {3: Decimal("169.00")}
        self.product = product or PRODUCT
        self.repriced: list[int] = []

    def product_on_sale(self, product_id, channel=None):
        if product_id != self.product["product_id"]:
            raise errors.NotFound("This product is not on sale")
        return self.product

    def rating_request(self, product, factors):
        missing = {k: "is required" for k in ("plan", "age", "gender", "term") if k not in factors}
        errors.check(missing)
        return RatingRequest(factors["plan"], int(factors["age"]), factors["gender"], factors["term"])

    def price(self, product, request):
        version = product["rate_table_version"]
        return Priced(product, version, request, Premium(self.prices[version]))

    def reprice(self, product_id, version, request, *, channel=None, changed):
        self.repriced.append(version)
        if version not in self.prices:
            raise errors.Conflict(changed)
        return Priced(self.product, version, request, Premium(self.prices[version]))

    def insurer(self, insurer_id):
        return {"name": "Insurer One", "short_code": "INS1"}


@dataclass
class Incentives:
    """checkout.incentives: a coupon of 10.00 when the form names one."""

    used: list = field(default_factory=list)
    given_back: list = field(default_factory=list)
    asked: list = field(default_factory=list)

    def for_order(self, member_id, product_id, gross_cents, form):
        self.asked.append(form)
        taken = (
            [{"kind": "coupon", "claim_id": form["coupon_claim_id"], "amount_cents": 1000}]
            if (form.get("coupon_claim_id"))
            else []
        )
        off = sum(d["amount_cents"] for d in taken)
        return {"gross_cents": gross_cents, "payable_cents": gross_cents - off, "discounts": taken}

    def priced(self, premium, result):
        return premium | {"discounts": result["discounts"], "payable_cents": result["payable_cents"]}

    def use(self, member_id, order_id, taken):
        self.used.append((order_id, taken))

    def give_back(self, member_id, order_id, taken):
        self.given_back.append((order_id, taken))

    def attribution_for(self, buyer_id, ref=None):
        return {"level1": "promoter-1" if ref else None, "level2": None, "source": "link" if ref else "none"}

    def preview(self, member_id, product_id, gross_cents, form):
        return {"gross_cents": gross_cents, "coupons": []}


@dataclass
class Saga:
    started: list = field(default_factory=list)

    resumed: list = field(default_factory=list)

    def start(self, order) -> None:
        self.started.append(order.order_id)

    def resume(self, order, payment) -> None:
        self.resumed.append(order.order_id)


def quote(premium_cents: int = 16900, version: int = 3, valid_until: float | None = NOW + 1800) -> Quote:
    return Quote(
        quote_id="Q1",
        product_id=PRODUCT["product_id"],
        rate_table_version=version,
        inputs={
            "plan": "standard",
            "age": AGE,
            "gender": "M",
            "term": "1Y",
            "options": [],
            "occupation_class": None,
            "start_date": START.isoformat(),
        },
        premium_cents=premium_cents,
        premium={"total": f"{premium_cents / 100:.2f}", "currency": "CNY", "breakdown": []},
        valid_until=None if valid_until is None else int(valid_until),
    )


def order_form(**more) -> dict[str, Any]:
    person = {"name": "Zhang Wei", "id_type": "prc_id", "id_number": ID_NUMBER}
    return {
        "quote_id": "Q1",
        "policyholder": {**person, "phone": "13700001111"},
        "insured": [{**person, "relation": "self"}],
        "health_answers": {"hospital": False},
        "accept_terms": True,
        **more,
    }
