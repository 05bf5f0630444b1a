"""Operators read the audit trail: one entity's entries (e.g. "product:<id>") or the latest of all.

`store` is anything with catalog.store's `audit_trail`.
"""

from __future__ import annotations

from typing import Any

from insuremall import audit, errors

DEFAULT_LIMIT = "50"


def entries(store, entity: str | None, limit: str | None) -> list[dict[str, Any]]:
    """Newest first; `entity` and `limit` as the query string gives them (Invalid names a bad one)."""
    problems = {}
    entity = entity or None
    if entity is not None and not audit.is_entity(entity):
        problems["entity"] = (
            "use <kind>:<id>, e.g. product:accident-guardian or commission-rates:product:accident-guardian;"
            f" the kinds are {', '.join(audit.ENTITY_KINDS)}"
        )
    raw = limit if limit is not None else DEFAULT_LIMIT
    count = int(raw) if raw.isdigit() else 0
    if not 1 <= count <= audit.MAX_LIMIT:
        problems["limit"] = f"must be a whole number from 1 to {audit.MAX_LIMIT}"
    errors.check(problems)
    return store.audit_trail(entity, count)
