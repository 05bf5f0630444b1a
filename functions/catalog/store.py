"""Catalog store: the only code that reads and writes CatalogTable.

Products and rate tables change rarely and are read on every quote, so reads are cached in the
container for a short time; a rate-table *version* never changes once published, so those are
cached for the container's life.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from insuremall.models.catalog import CatalogRecord

_PRODUCT_TTL_SECONDS = 30
_product_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
_rate_table_cache: dict[tuple[str, int], dict[str, Any]] = {}
_insurer_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}


def _docs(pk: str) -> list[dict[str, Any]]:
    return [record.doc for record in CatalogRecord.query(pk)]


def list_categories() -> list[dict[str, Any]]:
    return sorted(_docs("CATEGORY"), key=lambda c: (c.get("sort", 0), c["category_id"]))


def list_insurers() -> list[dict[str, Any]]:
    return _docs("INSURER")


def get_insurer(insurer_id: str) -> dict[str, Any] | None:
    cached = _insurer_cache.get(insurer_id)
    now = time.monotonic()
    if cached and now - cached[0] < _PRODUCT_TTL_SECONDS:
        return cached[1]
    try:
        insurer = CatalogRecord.get("INSURER", insurer_id).doc
    except CatalogRecord.DoesNotExist:
        insurer = None
    _insurer_cache[insurer_id] = (now, insurer)
    return insurer


def list_products(category_id: str | None = None) -> list[dict[str, Any]]:
    if category_id:
        return [r.doc for r in CatalogRecord.by_category.query(f"CATEGORY#{category_id}")]
    return _docs("PRODUCT")


def get_product(product_id: str) -> dict[str, Any] | None:
    cached = _product_cache.get(product_id)
    now = time.monotonic()
    if cached and now - cached[0] < _PRODUCT_TTL_SECONDS:
        return cached[1]
    try:
        product = CatalogRecord.get("PRODUCT", product_id).doc
    except CatalogRecord.DoesNotExist:
        product = None
    _product_cache[product_id] = (now, product)
    return product


def get_rate_table(product_id: str, version: int) -> dict[str, Any] | None:
    key = (product_id, version)
    if key not in _rate_table_cache:
        try:
            _rate_table_cache[key] = CatalogRecord.get(f"RATES#{product_id}", f"v{version:06d}").doc
        except CatalogRecord.DoesNotExist:
            return None
    return _rate_table_cache[key]


def clear_caches() -> None:
    _product_cache.clear()
    _rate_table_cache.clear()
    _insurer_cache.clear()


# Writes: used by the demo loader now and the operator console later.
def _now() -> datetime:
    return datetime.now(UTC)


def put_category(category: dict[str, Any]) -> None:
    CatalogRecord(pk="CATEGORY", sk=category["category_id"], doc=category, updated_at=_now()).save()


def put_insurer(insurer: dict[str, Any]) -> None:
    CatalogRecord(pk="INSURER", sk=insurer["insurer_id"], doc=insurer, updated_at=_now()).save()


def put_product(product: dict[str, Any]) -> None:
    CatalogRecord(
        pk="PRODUCT",
        sk=product["product_id"],
        gsi1pk=f"CATEGORY#{product['category_id']}",
        gsi1sk=product["product_id"],
        doc=product,
        updated_at=_now(),
    ).save()
    _product_cache.pop(product["product_id"], None)


def put_rate_table(rate_table: dict[str, Any]) -> None:
    """Publish a rate-table version; a version is immutable, so a second publish is refused."""
    CatalogRecord(
        pk=f"RATES#{rate_table['product_id']}",
        sk=f"v{int(rate_table['version']):06d}",
        doc=rate_table,
        updated_at=_now(),
    ).save(condition=CatalogRecord.pk.does_not_exist())
