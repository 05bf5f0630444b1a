"""What other capabilities may ask the catalog: the one way to price and to confirm a price, and reads of
products and insurers. They import these names, never catalog's store or domain.

Pricing is one sequence, written once in catalog.pricing (load the product, check it is on sale for the
channel, load the rate table version, rate, turn rating problems into failures); these names run it on
the real store.
"""

from __future__ import annotations

from typing import Any

from catalog import pricing, wiring
from catalog.domain import product_rules, rating

RatingRequest = rating.RatingRequest
Premium = rating.Premium
Priced = pricing.Priced

# The one on-shelf rule: on shelf, and (when a channel is named) sold through it.
on_sale = product_rules.on_sale


def product(product_id: str) -> dict[str, Any] | None:
    """The product whatever its status (None if there is none)."""
    return wiring.store.get_product(product_id)


def insurer(insurer_id: str) -> dict[str, Any]:
    return wiring.store.get_insurer(insurer_id) or {}


def product_on_sale(product_id: str, channel: str | None = None) -> dict[str, Any]:
    return pricing.product_on_sale(wiring.store, product_id, channel)


def rating_request(product: dict[str, Any], factors: dict[str, Any]) -> rating.RatingRequest:
    """Parse a customer's rating factors against the product; Invalid names every bad field."""
    return pricing.rating_request(product, factors)


def price(product: dict[str, Any], request: rating.RatingRequest) -> Priced:
    """A new price on the product's current rate table (a quote): the inputs are the customer's, so a
    problem with them is Invalid; no published rates is a Conflict."""
    return pricing.price(wiring.store, product, request)


def reprice(
    product_id: str, version: int, request: rating.RatingRequest, *, channel: str | None = None, changed: str
) -> Priced:
    """The same inputs on a stated rate-table version (confirming a quote or a renewal offer): the product
    must still be on sale, and if the product or its rates changed so that they no longer rate, that is a
    Conflict saying `changed`. Comparing the result with the price offered is the caller's rule."""
    return pricing.reprice(wiring.store, product_id, version, request, channel=channel, changed=changed)


def try_price(
    product: dict[str, Any], version: int, request: rating.RatingRequest
) -> tuple[Priced | None, dict]:
    """Price without raising (a renewal offer explains why a policy cannot renew): (priced, problems)."""
    return pricing.try_price(wiring.store, product, version, request)
