"""The audit trail layer module over the embedded AWS: entries per entity, latest across everything,
and entries written inside the transaction of the change they describe."""

from __future__ import annotations

import uuid

import pytest
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from insuremall import audit
from insuremall.auth import Caller
from insuremall.models import transaction_connection
from insuremall.models.catalog import CatalogRecord

OPERATOR = Caller(subject="op-1", email="ops@example.com", groups=frozenset({"operators"}))


def test_given_two_changes_to_an_entity_when_read_then_newest_first_with_actor_and_changes():
    entity = f"test:{uuid.uuid4().hex[:8]}"
    audit.record(OPERATOR, "test.created", entity, {"name": {"from": None, "to": "A"}})
    audit.record(OPERATOR, "test.updated", entity, {"name": {"from": "A", "to": "B"}})

    entries = audit.entries(entity)

    assert [e["action"] for e in entries] == ["test.updated", "test.created"]
    assert entries[0]["actor"] == {"id": "op-1", "email": "ops@example.com"}
    assert entries[0]["changes"] == {"name": {"from": "A", "to": "B"}}
    assert entries[0]["entity"] == entity
    assert entries[0]["at"] >= entries[1]["at"]


def test_given_changes_to_several_entities_when_latest_is_read_then_they_all_appear_newest_first():
    first, second = f"test:{uuid.uuid4().hex[:8]}", f"test:{uuid.uuid4().hex[:8]}"
    audit.record(OPERATOR, "test.created", first, {})
    audit.record(OPERATOR, "test.created", second, {})

    latest = audit.entries(limit=200)

    entities = [e["entity"] for e in latest]
    assert entities.index(second) < entities.index(first)
    assert [e["at"] for e in latest] == sorted((e["at"] for e in latest), reverse=True)
    assert len(audit.entries(limit=1)) == 1


def test_given_a_transaction_whose_change_is_refused_then_no_audit_entry_is_written():
    entity = f"test:{uuid.uuid4().hex[:8]}"
    existing = CatalogRecord(pk="TEST", sk=entity, doc={})
    existing.save()

    with (
        pytest.raises(TransactWriteError),
        TransactWrite(connection=transaction_connection()) as transaction,
    ):
        transaction.save(
            CatalogRecord(pk="TEST", sk=entity, doc={}), condition=CatalogRecord.pk.does_not_exist()
        )
        audit.record(OPERATOR, "test.created", entity, {}, transaction=transaction)

    assert audit.entries(entity) == []


def test_given_two_documents_when_compared_then_only_changed_fields_are_listed():
    changes = audit.field_changes(
        {"name": "A", "tags": ["x"], "revision": 1},
        {"name": "B", "tags": ["x"], "revision": 2},
        frozenset({"revision"}),
    )
    assert changes == {"name": {"from": "A", "to": "B"}}
