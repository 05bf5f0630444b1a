"""What other capabilities may ask the catalog: the one way to price and to confirm a price, and reads of
products and insurers. They import these names, never catalog's store or domain.

Pricing is one sequence, written here once: load the product, check it is on sale (for the channel),
load the rate table version, rate, and turn rating problems into failures (insuremall.errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog import store
from catalog.domain import rating
from insuremall import errors
from insuremall.money import to_cents

RatingRequest = rating.RatingRequest
Premium = rating.Premium


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


def product(product_id: str) -> dict[str, Any] | None:
    """The product whatever its status (None if there is none)."""
    return store.get_product(product_id)


def insurer(insurer_id: str) -> dict[str, Any]:
    return store.get_insurer(insurer_id) or {}


def on_sale(product: dict[str, Any] | None, channel: str | None = None) -> bool:
    """The one on-shelf rule: on shelf, and (when a channel is named) sold through it."""
    if product is None or product.get("status") != "on_shelf":
        return False
    channels = product.get("channels")
    return channel is None or not channels or channel in channels


def product_on_sale(product_id: str, channel: str | None = None) -> dict[str, Any]:
    found = store.get_product(product_id)
    if not on_sale(found, channel):
        raise errors.NotFound("This product is not on sale")
    return found


def rating_request(product: dict[str, Any], factors: dict[str, Any]) -> rating.RatingRequest:
    """Parse a customer's rating factors against the product; Invalid names every bad field."""
    try:
        return rating.parse_rating_request(product, factors)
    except rating.RatingError as exc:
        raise errors.Invalid(exc.errors) from exc


def price(product: dict[str, Any], request: rating.RatingRequest) -> Priced:
    """A new price on the product's current rate table (a quote): the inputs are the customer's, so a
    problem with them is Invalid; no published rates is a Conflict."""
    version = int(product["rate_table_version"])
    rate_table = store.get_rate_table(product["product_id"], version)
    if rate_table is None:
        raise errors.Conflict("This product has no published rates yet")
    try:
        premium = rating.rate(product, rate_table, request)
    except rating.RatingError as exc:
        raise errors.Invalid(exc.errors) from exc
    return Priced(product, version, request, premium)


def reprice(
    product_id: str, version: int, request: rating.RatingRequest, *, channel: str | None = None, changed: str
) -> Priced:
    """The same inputs on a stated rate-table version (confirming a quote or a renewal offer): the product
    must still be on sale, and if the product or its rates changed so that they no longer rate, that is a
    Conflict saying `changed`. Comparing the result with the price offered is the caller's rule."""
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
    product: dict[str, Any], version: int, request: rating.RatingRequest
) -> tuple[Priced | None, dict]:
    """Price without raising (a renewal offer explains why a policy cannot renew): (priced, problems)."""
    try:
        premium = rating.rate(product, store.get_rate_table(product["product_id"], int(version)), request)
    except rating.RatingError as exc:
        return None, exc.errors
    return Priced(product, int(version), request, premium), {}
