"""Catalog store: the only code that reads and writes CatalogTable.

Products and rate tables change rarely and are read on every quote, so reads are cached in the
container for a short time (30 s: another container may serve a product up to that long after an
operator changed it); a rate-table *version* never changes once published, so those are cached for
the container's life. Operator reads bypass the cache.

Every operator write goes through a function here that takes the operator and writes the change
and its audit entry in one transaction, so nothing changes unaudited. Read-modify-write on a
product is guarded by its `updated_at`: a write based on a read that someone else's write has
overtaken fails instead of overwriting it.
"""

from __future__ import annotations

import copy
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from catalog.domain.product_rules import with_defaults
from insuremall import audit
from insuremall.errors import Conflict, NotFound
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.catalog import CatalogRecord

_PRODUCT_TTL_SECONDS = 30
_product_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
_rate_table_cache: dict[tuple[str, int], dict[str, Any]] = {}
_insurer_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}

# Audit entries list what an operator changed, not the bookkeeping that goes with every write.
_BOOKKEEPING = frozenset({"revision"})


def _docs(pk: str, consistent: bool = False) -> list[dict[str, Any]]:
    return [record.doc for record in CatalogRecord.query(pk, consistent_read=consistent)]


def list_categories() -> list[dict[str, Any]]:
    return sorted(_docs("CATEGORY"), key=lambda c: (c.get("sort", 0), c["category_id"]))


def get_category(category_id: str) -> dict[str, Any] | None:
    try:
        return CatalogRecord.get("CATEGORY", category_id, consistent_read=True).doc
    except CatalogRecord.DoesNotExist:
        return None


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


def list_products(category_id: str | None = None, consistent: bool = False) -> list[dict[str, Any]]:
    if category_id:
        return [r.doc for r in CatalogRecord.by_category.query(f"CATEGORY#{category_id}")]
    return _docs("PRODUCT", consistent)


def get_product(product_id: str, fresh: bool = False) -> dict[str, Any] | None:
    cached = _product_cache.get(product_id)
    now = time.monotonic()
    if cached and not fresh and now - cached[0] < _PRODUCT_TTL_SECONDS:
        return cached[1]
    try:
        product = CatalogRecord.get("PRODUCT", product_id, consistent_read=fresh).doc
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


def list_rate_tables(product_id: str) -> list[dict[str, Any]]:
    """Every published version, newest first."""
    return [
        {**r.doc, "published_at": r.doc.get("published_at") or (r.updated_at and r.updated_at.isoformat())}
        for r in CatalogRecord.query(f"RATES#{product_id}", scan_index_forward=False, consistent_read=True)
    ]


def latest_rate_table_version(product_id: str) -> int:
    for record in CatalogRecord.query(
        f"RATES#{product_id}", scan_index_forward=False, limit=1, consistent_read=True
    ):
        return int(record.doc["version"])
    return 0


def clear_caches() -> None:
    _product_cache.clear()
    _rate_table_cache.clear()
    _insurer_cache.clear()


# ---------- demo loader writes (no operator, no audit) ----------
def _now() -> datetime:
    return datetime.now(UTC)


def put_category(category: dict[str, Any]) -> None:
    CatalogRecord(pk="CATEGORY", sk=category["category_id"], doc=category, updated_at=_now()).save()


def put_insurer(insurer: dict[str, Any]) -> None:
    CatalogRecord(pk="INSURER", sk=insurer["insurer_id"], doc=insurer, updated_at=_now()).save()


def put_product(product: dict[str, Any]) -> None:
    product = {**product, "revision": product.get("revision") or 1}
    _product_record(product).save()
    _product_cache.pop(product["product_id"], None)


def put_rate_table(rate_table: dict[str, Any]) -> None:
    """Publish a rate-table version; a version is immutable, so a second publish is refused."""
    _rate_table_record(rate_table).save(condition=CatalogRecord.pk.does_not_exist())


def put_banner(banner: dict[str, Any]) -> None:
    CatalogRecord(pk="BANNER", sk=banner["banner_id"], doc=banner, updated_at=_now()).save()


def put_featured(slots: list[dict[str, Any]]) -> None:
    CatalogRecord(pk="FEATURED", sk="HOME", doc={"slots": slots}, updated_at=_now()).save()


def _product_record(product: dict[str, Any]) -> CatalogRecord:
    return CatalogRecord(
        pk="PRODUCT",
        sk=product["product_id"],
        gsi1pk=f"CATEGORY#{product['category_id']}",
        gsi1sk=product["product_id"],
        doc=product,
        updated_at=_now(),
    )


def _rate_table_record(rate_table: dict[str, Any]) -> CatalogRecord:
    return CatalogRecord(
        pk=f"RATES#{rate_table['product_id']}",
        sk=f"v{int(rate_table['version']):06d}",
        doc=rate_table,
        updated_at=_now(),
    )


# ---------- operator writes: each with its audit entry, in one transaction ----------
class Stale(Conflict):
    """The record changed between the read a write was based on and the write."""


def read_product(product_id: str) -> tuple[dict[str, Any], datetime | None]:
    """A product for read-modify-write: the document and the guard its write must pass."""
    try:
        record = CatalogRecord.get("PRODUCT", product_id, consistent_read=True)
    except CatalogRecord.DoesNotExist:
        raise NotFound(f"No product {product_id!r}") from None
    return copy.deepcopy(record.doc), record.updated_at


def _product_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What an edit changed; a field a stored product lacks counts as its default, not as a change."""
    return audit.field_changes(with_defaults(before), with_defaults(after), _BOOKKEEPING)


def create_product(product: dict[str, Any], actor) -> dict[str, Any]:
    changes = audit.field_changes(None, product, _BOOKKEEPING)
    _transact(
        lambda t: t.save(_product_record(product), condition=CatalogRecord.pk.does_not_exist()),
        actor,
        "product.created",
        f"product:{product['product_id']}",
        changes,
        Conflict(f"A product {product['product_id']!r} already exists", {"product_id": "is taken"}),
    )
    return product


def update_product(
    before: dict[str, Any],
    after: dict[str, Any],
    guard: datetime | None,
    actor,
    action: str = "product.updated",
) -> dict[str, Any]:
    """Replace a product read with `read_product`; raises Stale if it changed since that read."""
    changes = _product_changes(before, after)
    _transact(
        lambda t: t.save(_product_record(after), condition=_guard(guard)),
        actor,
        action,
        f"product:{after['product_id']}",
        changes,
        Stale("This product was changed by someone else just now; reload it and try again"),
    )
    return after


def publish_rate_table(
    rate_table: dict[str, Any], before: dict[str, Any], after: dict[str, Any], guard: datetime | None, actor
) -> None:
    """A new rate-table version and the product switched to it, together; a version is never
    published twice (a concurrent publish of the same number fails and may be retried)."""
    changes = _product_changes(before, after)
    changes["rows"] = {"from": None, "to": len(rate_table.get("rows") or ())}
    changes["effective_from"] = {"from": None, "to": rate_table["effective_from"]}

    def write(t):
        t.save(_rate_table_record(rate_table), condition=CatalogRecord.pk.does_not_exist())
        t.save(_product_record(after), condition=_guard(guard))

    _transact(
        write,
        actor,
        "rates.published",
        f"product:{after['product_id']}",
        changes,
        Stale("Another rate table was published for this product just now; reload and try again"),
    )


def list_banners() -> list[dict[str, Any]]:
    return _docs("BANNER")


def get_banner(banner_id: str) -> dict[str, Any] | None:
    try:
        return CatalogRecord.get("BANNER", banner_id, consistent_read=True).doc
    except CatalogRecord.DoesNotExist:
        return None


def create_banner(banner: dict[str, Any], actor) -> dict[str, Any]:
    banner = {"banner_id": f"B{uuid.uuid4().hex[:10].upper()}", **banner}
    record = CatalogRecord(pk="BANNER", sk=banner["banner_id"], doc=banner, updated_at=_now())
    _transact(
        lambda t: t.save(record, condition=CatalogRecord.pk.does_not_exist()),
        actor,
        "banner.created",
        f"banner:{banner['banner_id']}",
        audit.field_changes(None, banner),
        Conflict("Could not create the banner; try again"),
    )
    return banner


def update_banner(banner_id: str, banner: dict[str, Any], actor) -> dict[str, Any]:
    try:
        current = CatalogRecord.get("BANNER", banner_id, consistent_read=True)
    except CatalogRecord.DoesNotExist:
        raise NotFound(f"No banner {banner_id!r}") from None
    after = {"banner_id": banner_id, **banner}
    record = CatalogRecord(pk="BANNER", sk=banner_id, doc=after, updated_at=_now())
    _transact(
        lambda t: t.save(record, condition=_guard(current.updated_at)),
        actor,
        "banner.updated",
        f"banner:{banner_id}",
        audit.field_changes(current.doc, after),
        Stale("This banner was changed by someone else just now; reload it and try again"),
    )
    return after


def delete_banner(banner_id: str, actor) -> None:
    try:
        current = CatalogRecord.get("BANNER", banner_id, consistent_read=True)
    except CatalogRecord.DoesNotExist:
        raise NotFound(f"No banner {banner_id!r}") from None
    _transact(
        lambda t: t.delete(current, condition=CatalogRecord.pk.exists()),
        actor,
        "banner.deleted",
        f"banner:{banner_id}",
        audit.field_changes(current.doc, None),
        NotFound(f"No banner {banner_id!r}"),
    )


def get_featured() -> list[dict[str, Any]]:
    try:
        return CatalogRecord.get("FEATURED", "HOME").doc.get("slots", [])
    except CatalogRecord.DoesNotExist:
        return []


def replace_featured(slots: list[dict[str, Any]], actor) -> list[dict[str, Any]]:
    try:
        before = CatalogRecord.get("FEATURED", "HOME", consistent_read=True)
    except CatalogRecord.DoesNotExist:
        before = None
    record = CatalogRecord(pk="FEATURED", sk="HOME", doc={"slots": slots}, updated_at=_now())
    _transact(
        lambda t: t.save(record, condition=_guard(before.updated_at if before else None)),
        actor,
        "featured.updated",
        "featured:home",
        audit.field_changes(before.doc if before else {"slots": []}, {"slots": slots}),
        Stale("The featured slots were changed by someone else just now; reload them and try again"),
    )
    return slots


def create_category(category: dict[str, Any], actor) -> dict[str, Any]:
    record = CatalogRecord(pk="CATEGORY", sk=category["category_id"], doc=category, updated_at=_now())
    _transact(
        lambda t: t.save(record, condition=CatalogRecord.pk.does_not_exist()),
        actor,
        "category.created",
        f"category:{category['category_id']}",
        audit.field_changes(None, category),
        Conflict(f"A category {category['category_id']!r} already exists", {"category_id": "is taken"}),
    )
    return category


def update_category(category: dict[str, Any], actor) -> dict[str, Any]:
    category_id = category["category_id"]
    try:
        current = CatalogRecord.get("CATEGORY", category_id, consistent_read=True)
    except CatalogRecord.DoesNotExist:
        raise NotFound(f"No category {category_id!r}") from None
    record = CatalogRecord(pk="CATEGORY", sk=category_id, doc=category, updated_at=_now())
    _transact(
        lambda t: t.save(record, condition=_guard(current.updated_at)),
        actor,
        "category.updated",
        f"category:{category_id}",
        audit.field_changes(current.doc, category),
        Stale("This category was changed by someone else just now; reload it and try again"),
    )
    return category


def audit_trail(entity: str | None, limit: int) -> list[dict[str, Any]]:
    """Audit entries newest first: one entity's (e.g. "product:<id>"), or the latest of all."""
    return audit.entries(entity, limit)


def _guard(updated_at: datetime | None):
    """The condition that the record is as it was read: same updated_at (or still absent)."""
    if updated_at is None:
        return CatalogRecord.updated_at.does_not_exist()
    return CatalogRecord.updated_at == updated_at


def _transact(write, actor, action: str, entity: str, changes: dict, refused: Exception) -> None:
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            write(transaction)
            audit.record(actor, action, entity, changes, transaction=transaction)
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise refused from None
        raise
    finally:
        clear_caches()
