"""Pricing, the one sequence: load the product, check it is on sale (for the channel), load the rate table
version, rate, and turn rating problems into failures. catalog.api offers it to other capabilities with
the real store; the catalog's own routes (the product page's calculator) call it here.

`store` is anything with catalog.store's `get_product` and `get_rate_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.domain import rating
from catalog.domain.product_rules import on_sale
from insuremall import errors
from insuremall.money import to_cents


@dataclass(frozen=True)
class Priced:
    """A premium the server computed: the product as priced, the rate-table version and the inputs used."""

    product: dict[str, Any]
    rate_table_version: int
    request: rating.RatingRequest
    premium: rating.Premium

    @property
    def premium_cents(self) -> int:
        return to_cents(self.premium.total)


def current_rate_table(store, product: dict[str, Any]) -> dict[str, Any] | None:
    version = product.get("rate_table_version")
    return store.get_rate_table(product["product_id"], int(version)) if version else None


def product_on_sale(store, product_id: str, channel: str | None = None) -> dict[str, Any]:
    found = store.get_product(product_id)
    if not on_sale(found, channel):
        raise errors.NotFound("This product is not on sale")
    return found


def rating_request(product: dict[str, Any], factors: dict[str, Any]) -> rating.RatingRequest:
    """Parse a customer's rating factors against the product; the RatingError (an Invalid) names every
    bad field."""
    return rating.parse_rating_request(product, factors)


def price(store, product: dict[str, Any], request: rating.RatingRequest) -> Priced:
    """A new price on the product's current rate table (a quote): the inputs are the customer's, so a
    problem with them is Invalid (RatingError); no published rates is a Conflict."""
    premium = rating.rate(product, _published_rates(store, product), request)
    return Priced(product, int(product["rate_table_version"]), request, premium)


def price_factors(store, product: dict[str, Any], factors: dict[str, Any]) -> Priced:
    """`price` on factors not yet parsed: no published rates is answered before the factors are read."""
    rate_table = _published_rates(store, product)
    request = rating.parse_rating_request(product, factors)
    premium = rating.rate(product, rate_table, request)
    return Priced(product, int(product["rate_table_version"]), request, premium)


def _published_rates(store, product: dict[str, Any]) -> dict[str, Any]:
    rate_table = current_rate_table(store, product)
    if rate_table is None:
        raise errors.Conflict("This product has no published rates yet")
    return rate_table


def reprice(
    store, product_id: str, version: int, request: rating.RatingRequest, *, channel: str | None, changed: str
) -> Priced:
    """The same inputs on a stated rate-table version (confirming a quote or a renewal offer): the product
    must still be on sale, and if the product or its rates changed so that they no longer rate, that is a
    Conflict saying `changed` (a deliberate re-wording: the customer's inputs rated before)."""
    found = store.get_product(product_id)
    if not on_sale(found, channel):
        raise errors.Conflict("This product is no longer on sale")
    rate_table = store.get_rate_table(product_id, int(version))
    try:
        if rate_table is None:
            raise rating.RatingError({"rate_table_version": "is gone"})
        premium = rating.rate(found, rate_table, request)
    except rating.RatingError as exc:
        raise errors.Conflict(changed) from exc
    return Priced(found, int(version), request, premium)


def try_price(
    store, product: dict[str, Any], version: int, request: rating.RatingRequest
) -> tuple[Priced | None, dict]:
    """Price without raising (a renewal offer explains why a policy cannot renew): (priced, problems)."""
    rate_table = store.get_rate_table(product["product_id"], int(version))
    if rate_table is None:
        return None, {"rate_table_version": "is gone"}
    try:
        premium = rating.rate(product, rate_table, request)
    except rating.RatingError as exc:
        return None, exc.errors
    return Priced(product, int(version), request, premium), {}
