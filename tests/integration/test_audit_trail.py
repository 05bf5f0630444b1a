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
    entity = f"banner:test-{uuid.uuid4().hex[:8]}"
    audit.record(OPERATOR, "test.created", entity, {"name": {"from": None, "to": "A"}})
    audit.record(OPERATOR, "test.updated", entity, {"name": {"from": "A", "to": "B"}})

    entries = audit.entries(entity)

    assert [e["action"] for e in entries] == ["test.updated", "test.created"]
    assert entries[0]["actor"] == {"id": "op-1", "email": "ops@example.com"}
    assert entries[0]["changes"] == {"name": {"from": "A", "to": "B"}}
    assert entries[0]["entity"] == entity
    assert entries[0]["at"] >= entries[1]["at"]


def test_given_changes_to_several_entities_when_latest_is_read_then_they_all_appear_newest_first():
    first, second = f"banner:test-{uuid.uuid4().hex[:8]}", f"banner:test-{uuid.uuid4().hex[:8]}"
    audit.record(OPERATOR, "test.created", first, {})
    audit.record(OPERATOR, "test.created", second, {})

    latest = audit.entries(limit=200)

    entities = [e["entity"] for e in latest]
    assert entities.index(second) < entities.index(first)
    assert [e["at"] for e in latest] == sorted((e["at"] for e in latest), reverse=True)
    assert len(audit.entries(limit=1)) == 1


def test_given_a_transaction_whose_change_is_refused_then_no_audit_entry_is_written():
    entity = f"banner:test-{uuid.uuid4().hex[:8]}"
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


def test_given_an_entity_of_a_kind_the_trail_does_not_record_then_no_entry_is_made():
    with pytest.raises(ValueError, match="not an audited entity"):
        audit.record(OPERATOR, "test.created", f"gadget:{uuid.uuid4().hex[:8]}", {})


def test_given_one_entry_of_each_kind_recorded_when_filtered_by_each_entity_then_that_entry_is_found(aws):
    """Every kind the code records (audit.entry refuses others, so each writer's own tests would fail
    on an unlisted kind) can be asked for by operators, ids with colons included."""
    from test_catalog_admin import _signed_in

    operator = _signed_in(aws, groups=("operators",))
    suffix = uuid.uuid4().hex[:6]
    for kind, example in audit.ENTITY_KINDS.items():
        entity = f"{kind}:{example}-{suffix}"
        audit.record(OPERATOR, f"{kind}.tested", entity, {"note": {"from": None, "to": kind}})

        status, body = operator.get("/admin/audit", f"entity={entity}")

        assert status == 200, (entity, body)
        assert [(e["entity"], e["action"]) for e in body["entries"]] == [(entity, f"{kind}.tested")]
    rates = f"commission-rates:category:travel-{suffix}"
    audit.record(OPERATOR, "commission-rate.added", rates, {})
    assert operator.get("/admin/audit", f"entity={rates}")[1]["entries"][0]["entity"] == rates
    status, body = operator.get("/admin/audit", "entity=gadget:x")
    assert status == 422 and "commission-rates" in body["error"]["fields"]["entity"]
    assert operator.get("/admin/audit", "entity=product:")[0] == 422
