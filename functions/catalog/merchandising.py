"""Operators merchandise the mall: banners, the home page's featured slots and categories. Each write is
audited by the store; a validation problem is an Invalid from catalog.domain.merchandising's rules.

`store` is anything with catalog.store's banner, featured, category and product functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.domain import merchandising as rules


@dataclass(frozen=True)
class FeaturedSlot:
    slot: dict[str, Any]
    product: dict[str, Any]  # as it is now ({} if it is gone): the console shows its name and status


def banners(store) -> list[dict[str, Any]]:
    return sorted(store.list_banners(), key=lambda b: (b.get("position", 99), b["banner_id"]))


def create_banner(store, body: dict[str, Any], actor) -> dict[str, Any]:
    return store.create_banner(rules.validate_banner(body), actor)


def update_banner(store, banner_id: str, body: dict[str, Any], actor) -> dict[str, Any]:
    return store.update_banner(banner_id, rules.validate_banner(body), actor)


def delete_banner(store, banner_id: str, actor) -> None:
    store.delete_banner(banner_id, actor)


def featured(store) -> list[FeaturedSlot]:
    return _with_products(store, store.get_featured())


def replace_featured(store, body: dict[str, Any], actor) -> list[FeaturedSlot]:
    """The home page's slots, in order; any product may be featured (the home page shows only those on
    sale), an unknown one may not."""
    known = {p["product_id"] for p in store.list_products(consistent=True)}
    return _with_products(store, store.replace_featured(rules.validate_featured(body, known), actor))


def _with_products(store, slots: list[dict[str, Any]]) -> list[FeaturedSlot]:
    return [FeaturedSlot(s, store.get_product(s["product_id"], fresh=True) or {}) for s in slots]


def create_category(store, body: dict[str, Any], actor) -> dict[str, Any]:
    return store.create_category(rules.validate_category(body), actor)


def update_category(store, category_id: str, body: dict[str, Any], actor) -> dict[str, Any]:
    return store.update_category(rules.validate_category(body, category_id), actor)
