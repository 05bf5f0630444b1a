"""Operators manage products and their rate tables: create, edit (guarded by the revision they edited),
put on or take off shelf, publish a new rate-table version.

`store` is anything with catalog.store's product and rate-table functions (reads, `read_product` with
its write guard, the audited writes); `now` an aware datetime (a publication's time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog import pricing
from catalog.domain import product_rules
from catalog.domain.rate_table_upload import build_rate_table, sale_problems
from catalog.domain.starting_price import premium_from
from insuremall import errors
from insuremall.clock import now_iso
from insuremall.money import money_text

SHELF_STATUSES = ("on_shelf", "off_shelf")


@dataclass(frozen=True)
class Published:
    table: dict[str, Any]
    product: dict[str, Any]


def insurer_names(store) -> dict[str, str]:
    return {i["insurer_id"]: i["name"] for i in store.list_insurers()}


def all_products(store) -> list[dict[str, Any]]:
    return sorted(store.list_products(consistent=True), key=lambda p: p["product_id"])


def product(store, product_id: str) -> dict[str, Any]:
    found, _ = store.read_product(product_id)
    return found


def _validated(store, body: dict[str, Any]) -> dict[str, Any]:
    """The document as the product rules read it; ProductInvalid (an Invalid) names every bad field."""
    return product_rules.validate_product(
        body,
        insurers={i["insurer_id"] for i in store.list_insurers()},
        categories={c["category_id"] for c in store.list_categories()},
    )


def create(store, body: dict[str, Any], actor) -> dict[str, Any]:
    """A new product, off shelf and without rates until an operator publishes them."""
    created = _validated(store, body)
    created.update(status="off_shelf", rate_table_version=None, premium_from=None, revision=1)
    store.create_product(created, actor)
    return created


def update(store, product_id: str, body: dict[str, Any], actor) -> dict[str, Any]:
    """The edited document replaces the product if nobody saved it since `body["revision"]`; an on-shelf
    product must stay priceable by its current rate table."""
    revision = body.get("revision")
    if isinstance(revision, bool) or not isinstance(revision, int):
        raise errors.Invalid({"revision": "is required: the revision you edited"})
    if body.get("product_id", product_id) != product_id:
        raise errors.Invalid({"product_id": "cannot change; create a new product instead"})
    edited = _validated(store, {**body, "product_id": product_id})
    before, guard = store.read_product(product_id)
    current = int(before.get("revision") or 1)
    if revision != current:
        raise errors.Conflict(
            f"Someone saved this product after you opened it (revision {current}, you edited {revision}); "
            "reload it and make your changes again",
            {"revision": f"stale; the current revision is {current}"},
        )
    after = {
        **edited,
        "status": before.get("status", "off_shelf"),
        "rate_table_version": before.get("rate_table_version"),
        "premium_from": before.get("premium_from"),
        "revision": current + 1,
    }
    if after["status"] == "on_shelf" and (problems := _sale_problems(store, after)):
        raise errors.Conflict(
            "This product is on shelf and its current rate table would not price it as edited: "
            f"{problems}. Take it off shelf, publish rates for the change, then put it back on shelf"
        )
    if after["rate_table_version"]:
        # Plans or terms may have changed; the "from" price follows the current table.
        table = pricing.current_rate_table(store, after)
        after["premium_from"] = _price_text(premium_from(after, table) if table else None)
    store.update_product(before, after, guard, actor)
    return after


def shelve(store, product_id: str, status: Any, actor) -> dict[str, Any]:
    """Put the product on shelf (if its current rate table prices it) or take it off."""
    if status not in SHELF_STATUSES:
        raise errors.Invalid({"status": "must be on_shelf or off_shelf"})
    before, guard = store.read_product(product_id)
    if before.get("status") == status:
        return before
    after = {**before, "status": status}
    if status == "on_shelf" and (problem := _sale_problems(store, after)):
        raise errors.Conflict(f"Cannot put this product on shelf: {problem}")
    store.update_product(before, after, guard, actor, action="product.shelved")
    return after


def _sale_problems(store, product: dict[str, Any]) -> str | None:
    return sale_problems(product, pricing.current_rate_table(store, product))


def rate_tables(store, product_id: str) -> tuple[list[dict[str, Any]], int | None]:
    """Every published version, newest first, and the product's current one."""
    found, _ = store.read_product(product_id)
    return store.list_rate_tables(product_id), found.get("rate_table_version")


def publish_rate_table(store, product_id: str, body: dict[str, Any], actor, *, now: datetime) -> Published:
    """A new rate-table version (the next number), and the product switched to it in the same write;
    RateTableInvalid (an Invalid) names every problem, and a publication that raced another is Stale."""
    before, guard = store.read_product(product_id)
    version = store.latest_rate_table_version(product_id) + 1
    table = build_rate_table(
        before,
        body,
        pricing.current_rate_table(store, before),
        version,
        published_at=now_iso(now),
        published_by={"id": actor.subject, "email": actor.email},
    )
    after = {
        **before,
        "rate_table_version": version,
        "premium_from": _price_text(premium_from(before, table)),
    }
    store.publish_rate_table(table, before, after, guard, actor)
    return Published(table, after)


def _price_text(amount) -> str | None:
    return money_text(amount) if amount is not None else None
