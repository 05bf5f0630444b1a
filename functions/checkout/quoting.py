"""Use case: quote a product (a premium locked for a time), read a quote, preview its discounts.

Collaborators come in (wiring.py builds the real ones): `quotes` stores and reads Quote records,
`pricing` is catalog.api (or a fake with product_on_sale, rating_request, price), `incentives` is
checkout.incentives."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from checkout.domain import funnel
from checkout.domain.model import Quote
from insuremall import errors, identity
from insuremall.clock import now_iso

MAX_DAYS_AHEAD = 90


def _new_quote_id() -> str:
    return f"Q{uuid.uuid4().hex[:20].upper()}"


def _start_date(form: dict[str, Any], today: date, problems: dict[str, str]) -> date:
    start = today + timedelta(days=1)
    if "start_date" not in form:
        return start
    try:
        start = date.fromisoformat(str(form["start_date"]))
    except ValueError:
        problems["start_date"] = "use the form YYYY-MM-DD"
        return start
    if not today < start <= today + timedelta(days=MAX_DAYS_AHEAD):
        problems["start_date"] = "cover can start from tomorrow up to 90 days ahead"
    return start


def _factors(form: dict[str, Any], today: date, start: date, problems: dict[str, str]) -> dict[str, Any]:
    """The rating factors: the form's, with the age on the start date when a birth date is given."""
    factors = dict(form)
    if "birth_date" in form and "age" not in form:
        try:
            birth = date.fromisoformat(str(form["birth_date"]))
            if birth > today:
                raise ValueError
            factors["age"] = identity.age_at(birth, start)
        except ValueError:
            problems["birth_date"] = "use a past date in the form YYYY-MM-DD"
    return factors


def create_quote(
    form: dict[str, Any],
    *,
    quotes,
    pricing,
    now: float,
    today: date,
    ttl_seconds: int,
    new_id: Callable[[], str] = _new_quote_id,
    channel: str = "h5",
) -> Quote:
    """Price the form's factors on the product's current rate table and keep the premium for ttl_seconds;
    the quote's QuoteGiven event (the funnel's first step, counted under `channel`: the storefront's
    default, as its orders) is written with it."""
    product_id = form.get("product_id")
    if not isinstance(product_id, str) or not product_id:
        raise errors.Invalid({"product_id": "is required"})
    product = pricing.product_on_sale(product_id)
    problems: dict[str, str] = {}
    start = _start_date(form, today, problems)
    factors = _factors(form, today, start, problems)
    try:
        request = pricing.rating_request(product, factors)
    except errors.Invalid as exc:
        problems = {**exc.fields, **problems}
    errors.check(problems)
    priced = pricing.price(product, request)
    quote = Quote(
        quote_id=new_id(),
        product_id=product_id,
        rate_table_version=priced.rate_table_version,
        inputs={
            "plan": request.plan,
            "age": request.age,
            "gender": request.gender,
            "term": request.term,
            "options": list(request.options),
            "occupation_class": request.occupation_class,
            "start_date": start.isoformat(),
        },
        premium_cents=priced.premium_cents,
        premium=priced.premium.to_dict(),
        created_at=now_iso(),
        valid_until=int(now) + ttl_seconds,
    )
    quotes.put_quote(quote, funnel.quote_given(quote, product, channel))
    return quote


def get_quote(quote_id: str, *, quotes) -> Quote:
    quote = quotes.get_quote(quote_id)
    if quote is None:
        raise errors.NotFound("No such quote")
    return quote


def live(quote: Quote, now: float) -> Quote:
    """The quote, if it can still be taken."""
    if quote.expired(now):
        raise errors.Conflict("This quote has expired; get a new quote", {"quote_id": "expired"})
    return quote


def preview_discounts(
    quote_id: str, member_id: str, form: dict[str, Any], *, quotes, incentives, now: float
) -> dict[str, Any]:
    """What a coupon and points would take off this quote, and the member's choices."""
    quote = live(get_quote(quote_id, quotes=quotes), now)
    return incentives.preview(member_id, quote.product_id, quote.premium_cents, form)
