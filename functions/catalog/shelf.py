"""The shelf: what a customer reads in the mall (the home page, categories, insurers, product lists and
search, a product's page, the live premium). Customers see products on sale only; operators, signed in
on the same routes, see every product (to preview a draft).

`store` is anything with catalog.store's reads; `now` an aware datetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog import pricing
from catalog.domain import merchandising, product_rules, search
from catalog.domain.product_rules import on_sale
from insuremall import errors


@dataclass(frozen=True)
class Featured:
    product: dict[str, Any]
    label: str


@dataclass(frozen=True)
class Home:
    banners: list[dict[str, Any]]
    featured: list[Featured]
    categories: list[dict[str, Any]]
    needs: list[dict[str, str]]
    insurers: dict[str, str]


def channel(value: str | None) -> str | None:
    """The channel a customer names (or None); Invalid if it is none of the channels."""
    if value is not None and value not in product_rules.CHANNELS:
        raise errors.Invalid({"channel": f"must be one of {', '.join(product_rules.CHANNELS)}"})
    return value


def insurer_names(store) -> dict[str, str]:
    return {i["insurer_id"]: i["name"] for i in store.list_insurers()}


def home(store, *, channel: str | None, now: datetime) -> Home:
    """The featured products on sale (through the channel, if named), and the banners showing now that
    do not open a product no longer on sale (that would lead to a dead end)."""
    featured = [
        Featured(product, slot.get("label", ""))
        for slot in store.get_featured()
        if on_sale(product := store.get_product(slot["product_id"]), channel)
    ]
    banners = [
        b
        for b in merchandising.banners_showing(store.list_banners(), now)
        if _leads_somewhere(store, merchandising.linked_product_id(b.get("link", "")))
    ]
    return Home(banners, featured, store.list_categories(), search.needs(), insurer_names(store))


def _leads_somewhere(store, product_id: str | None) -> bool:
    return product_id is None or on_sale(store.get_product(product_id))


def categories(store) -> list[dict[str, Any]]:
    return store.list_categories()


def insurers(store) -> list[dict[str, Any]]:
    return store.list_insurers()


def browse(
    store,
    *,
    category: str | None,
    kind: str | None,
    channel: str | None,
    query: str | None,
    operator: bool,
) -> list[dict[str, Any]]:
    """The products a caller may see (in a category, of a kind, sold through a channel), best matches
    first when there is a search query; each with its insurer's name (search reads it)."""
    problems = {}
    if query is not None and len(query) > 100:
        problems["q"] = "at most 100 characters"
    if kind is not None and kind not in product_rules.KINDS:
        problems["kind"] = f"must be one of {', '.join(product_rules.KINDS)}"
    errors.check(problems)
    names = insurer_names(store)
    found = [
        {**p, "insurer_name": names.get(p["insurer_id"], p["insurer_id"])}
        for p in store.list_products(category)
        if _visible(p, operator, channel) and (not kind or p.get("kind") == kind)
    ]
    if query and query.strip():
        found = [match.product for match in search.search(found, query)]
    return found


def _visible(product: dict[str, Any], operator: bool, channel: str | None = None) -> bool:
    if operator:
        # An operator sees drafts too; a named channel still narrows the list.
        return channel is None or channel in (product.get("channels") or ())
    return on_sale(product, channel)


def product(store, product_id: str, *, operator: bool) -> dict[str, Any]:
    """A product a customer may see (on sale), or any product for an operator (read fresh)."""
    found = store.get_product(product_id, fresh=operator)
    if found is None or not (operator or on_sale(found)):
        # Customers read this: no internal id (a draft's id or name is not theirs to see either).
        raise errors.NotFound("This product is not on sale")
    return found


def product_page(store, product_id: str, *, operator: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The product and its insurer."""
    found = product(store, product_id, operator=operator)
    return found, store.get_insurer(found["insurer_id"]) or {}


def premium(store, product_id: str, factors: dict[str, Any], *, operator: bool) -> pricing.Priced:
    """The live premium on the product page; nothing is stored (a quote is checkout's)."""
    found = product(store, product_id, operator=operator)
    return pricing.price_factors(store, found, factors)
