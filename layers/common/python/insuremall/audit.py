"""The audit trail: who changed what, when. Any capability records its changes here.

An entry names an entity as "<type>:<id>" (product:accident-guardian, banner:B12, featured:home),
an action ("product.updated"), the actor and the changed fields as {"field": {"from", "to"}}.
Pass the TransactWrite that makes the change, so the change and its entry are written together and
a change is never unaudited; without one the entry is written on its own.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from insuremall.clock import now_iso
from insuremall.models.audit import AuditRecord

# Every kind of entity the trail records, with an example id: `entry` refuses any other kind, and the
# operators' filter accepts exactly these (an id may hold colons: commission-rates:product:<id>).
ENTITY_KINDS: dict[str, str] = {
    "product": "accident-guardian",
    "banner": "B1A2B3C4D5",
    "featured": "home",
    "category": "travel",
    "commission-rates": "product:accident-guardian",
    "campaign": "0123456789ab",
    "withdrawal": "0123456789abcdef",
    "member": "6c1f2d3e-0000-4000-8000-000000000001",
    "settings": "rewards",
    "policy": "HML2026112500000125",
    "referral": "ORD20261125100000ABCDEF1234",
}
ENTITY = re.compile(
    r"^(?:" + "|".join(re.escape(kind) for kind in ENTITY_KINDS) + r"):[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*$"
)
ENTITY_MAX = 160


def is_entity(value: str) -> bool:
    """An entity the trail can hold: "<kind>:<id>" with a recorded kind."""
    return len(value) <= ENTITY_MAX and ENTITY.match(value) is not None


# "Latest across everything" walks back one day partition at a time; this bounds the walk.
LATEST_DAYS = 60
MAX_LIMIT = 200


def field_changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None, ignore: frozenset[str] = frozenset()
) -> dict[str, dict[str, Any]]:
    """Top-level fields that differ between two documents, as {"field": {"from", "to"}}."""
    before, after = before or {}, after or {}
    return {
        key: {"from": before.get(key), "to": after.get(key)}
        for key in sorted(set(before) | set(after))
        if key not in ignore and before.get(key) != after.get(key)
    }


def entry(actor, action: str, entity: str, changes: dict[str, Any]) -> AuditRecord:
    """The record for one change, not yet written (for callers that build their own transaction)."""
    if not is_entity(entity):
        raise ValueError(f"not an audited entity: {entity!r} (the kinds are audit.ENTITY_KINDS)")
    at = now_iso()
    entry_id = uuid.uuid4().hex[:12]
    return AuditRecord(
        pk=f"ENTITY#{entity}",
        sk=f"{at}#{entry_id}",
        gsi1pk=f"DAY#{at[:10]}",
        gsi1sk=f"{at}#{entry_id}",
        at=at,
        entity=entity,
        action=action,
        actor_id=actor.subject,
        actor_email=actor.email,
        changes=changes,
    )


def record(actor, action: str, entity: str, changes: dict[str, Any], transaction=None) -> dict[str, Any]:
    """Record a change by `actor` (an insuremall.auth.Caller); inside `transaction` when given."""
    item = entry(actor, action, entity, changes)
    if transaction is not None:
        transaction.save(item, condition=AuditRecord.pk.does_not_exist())
    else:
        item.save(condition=AuditRecord.pk.does_not_exist())
    return view(item)


def entries(entity: str | None = None, limit: int = 50, days: int = LATEST_DAYS) -> list[dict[str, Any]]:
    """Newest first: one entity's history, or without `entity` the latest across everything
    (at most `days` day partitions back)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    if entity:
        query = AuditRecord.query(f"ENTITY#{entity}", scan_index_forward=False, limit=limit)
        return [view(item) for item in query]
    found: list[dict[str, Any]] = []
    today = datetime.now(UTC).date()
    for back in range(days):
        day = today - timedelta(days=back)
        query = AuditRecord.by_day.query(
            f"DAY#{day.isoformat()}", scan_index_forward=False, limit=limit - len(found)
        )
        found.extend(view(item) for item in query)
        if len(found) >= limit:
            break
    return found[:limit]


def view(item: AuditRecord) -> dict[str, Any]:
    return {
        "entry_id": item.sk.rpartition("#")[2],
        "at": item.at,
        "actor": {"id": item.actor_id, "email": item.actor_email},
        "action": item.action,
        "entity": item.entity,
        "changes": item.changes,
    }
