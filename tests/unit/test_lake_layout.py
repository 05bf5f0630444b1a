"""The analysts' lake: the partition of an event's China day, a key per batch that a redelivery (or a split
batch) rewrites without repeating a row, rows without personal data, and the Glue table's columns."""

from __future__ import annotations

import dataclasses
from datetime import date

from insuremall import events
from insuremall.event_stream import StreamedEvent
from local.template import load_raw
from reports import landing
from reports.domain import lake


def _issued(no: str, at: str, **extra) -> events.PolicyIssued:
    fields = dict(
        policy_no=no, order_id=f"O{no}", customer_id="member-7", product_id="accident-guardian",
        plan="standard", term="1Y", sum_insured=100000, premium_cents=16900, start_date="2026-12-02",
        end_date="2027-12-01", issued_at=at, channel="h5", insurer_id="jade-pc", product_kind="accident",
        region="31", attribution={"level1": "member-1", "level2": "member-2", "source": "link"},
    )  # fmt: skip
    return events.PolicyIssued(**(fields | extra))


def _streamed(no: str, at: str, sequence: str, event: events.Event | None = None) -> StreamedEvent:
    event = event or _issued(no, at)
    return StreamedEvent(f"POLICY#{no}|{event.type}", event, at, sequence)


class Bucket(dict):
    def put(self, key: str, data: bytes) -> None:
        self[key] = data

    def rows(self) -> list[dict]:
        return [row for data in self.values() for row in lake.decode(data)]


def test_an_event_lands_in_the_partition_of_its_china_day():
    late = _streamed("P1", "2026-11-30T15:30:00.000+00:00", "100")  # 23:30 China time on the 30th
    after_midnight = _streamed("P2", "2026-11-30T16:10:00.000+00:00", "101")  # 00:10 on 1 December
    bucket = Bucket()
    landing.land([late, after_midnight], bucket.put)
    assert sorted(bucket) == [
        "events/type=PolicyIssued/dt=2026-11-30/100.jsonl.gz",
        "events/type=PolicyIssued/dt=2026-12-01/101.jsonl.gz",
    ]
    assert (
        lake.partition("PolicyCancelled", date(2026, 12, 3)) == "events/type=PolicyCancelled/dt=2026-12-03/"
    )


def test_each_type_and_day_of_a_batch_is_one_file_named_by_its_first_record():
    batch = [
        _streamed("P1", "2026-12-01T02:00:00.000+00:00", "200"),
        _streamed("P2", "2026-12-01T03:00:00.000+00:00", "201"),
        _streamed(
            "P1", "2026-12-01T04:00:00.000+00:00", "202",
            events.PolicyCancelled(
                policy_no="P1", order_id="OP1", customer_id="member-7", product_id="accident-guardian",
                cancelled_on="2026-12-01", rule="cooling_off", refund_cents=16900, premium_cents=16900,
                cancelled_by="operator-3", discounts=[{"kind": "coupon", "claim_id": "CL1"}],
            ),
        ),
        _streamed("P3", "2026-12-01T05:00:00.000+00:00", "203"),
    ]  # fmt: skip
    bucket = Bucket()
    landed = landing.land(batch, bucket.put)
    assert (landed.files, landed.rows) == (2, 4)
    issued = lake.decode(bucket["events/type=PolicyIssued/dt=2026-12-01/200.jsonl.gz"])
    assert [r["policy_no"] for r in issued] == ["P1", "P2", "P3"]  # stream order
    (cancelled,) = lake.decode(bucket["events/type=PolicyCancelled/dt=2026-12-01/202.jsonl.gz"])
    assert cancelled["discounts"] == [{"kind": "coupon"}] and "cancelled_by" not in cancelled


def test_a_redelivered_batch_rewrites_the_same_keys_with_the_same_bytes():
    batch = [_streamed(f"P{i}", f"2026-12-01T0{i}:00:00.000+00:00", f"30{i}") for i in range(5)]
    first, again = Bucket(), Bucket()
    landing.land(batch, first.put)
    landing.land(batch + batch[:2], again.put)  # redelivered, some records twice in one batch
    assert first == again and len(first.rows()) == 5


def test_a_batch_bisected_after_a_failure_leaves_every_row_in_exactly_one_file():
    batch = [_streamed(f"P{i}", f"2026-12-0{1 + i % 2}T0{i}:00:00.000+00:00", f"{400 + i}") for i in range(8)]
    bucket = Bucket()
    landing.land(batch, bucket.put)  # written, then the invocation failed: Lambda bisects the batch
    landing.land(batch[:4], bucket.put)
    landing.land(batch[4:6], bucket.put)  # ...and bisects the second half again
    landing.land(batch[6:], bucket.put)
    ids = [r["event_id"] for r in bucket.rows()]
    assert sorted(ids) == sorted(s.event_id for s in batch) and len(ids) == len(set(ids))


def test_a_row_carries_no_personal_data_and_names_the_province():
    bucket = Bucket()
    landing.land([_streamed("P1", "2026-12-01T02:00:00.000+00:00", "500")], bucket.put)
    (row,) = bucket.rows()
    assert row["event_id"] == "POLICY#P1|PolicyIssued" and row["occurred_at"].startswith("2026-12-01T02")
    assert row["province"] == "Shanghai" and row["attribution_source"] == "link"
    text = repr(row)
    assert "member-" not in text and "customer_id" not in row and "attribution" not in row


def test_every_personal_field_of_every_event_type_is_left_out():
    personal = {"customer_id", "invitee_id", "inviter_id", "cancelled_by"}
    for cls in events.TYPES.values():
        names = {f.name for f in dataclasses.fields(cls)}
        assert names & personal <= lake.PERSONAL
    invited = events.MemberInvited(invitee_id="m1", inviter_id="m2", bound_at="2026-12-01T01:00:00+00:00")
    row = lake.row(
        lake.StreamEvent("MEMBER#m1|MemberInvited", invited.type, invited.bound_at, "1", invited.payload())
    )
    assert row == {
        "event_id": "MEMBER#m1|MemberInvited",
        "occurred_at": invited.bound_at,
        "bound_at": invited.bound_at,
    }


def test_a_test_mode_sale_never_lands():
    bucket = Bucket()
    test_sale = _issued("T1", "2026-12-01T02:00:00.000+00:00", livemode=False)
    landing.land([_streamed("T1", "2026-12-01T02:00:00.000+00:00", "600", test_sale)], bucket.put)
    assert bucket == {}


_HIVE = {"str": "string", "int": "bigint", "bool": "boolean", "float": "double"}


def _lake_columns() -> dict[str, str]:
    """Every column a lake row can have: the envelope, each event type's fields less the personal ones
    (objects flattened, lists of objects as arrays of structs), and the province's name."""
    columns = {"event_id": "string", "occurred_at": "string"}
    for cls in events.TYPES.values():
        for f in dataclasses.fields(cls):
            if f.name in lake.PERSONAL:
                continue
            kind = str(f.type).replace(" | None", "")
            if kind.startswith("dict"):
                sample = lake.row(lake.StreamEvent("e", cls.type, "2026-12-01T00:00:00+00:00", "1",
                                                   {f.name: f.default_factory()}))  # fmt: skip
                columns.update({k: "string" for k in sample if k.startswith(f.name + "_")})
            elif kind.startswith("list"):
                columns.setdefault(f.name, "array<struct<kind:string,points:bigint>>")
            else:
                columns.setdefault(f.name, _HIVE[kind])
    columns["province"] = "string"
    return columns


def test_the_glue_table_has_a_column_for_every_field_a_lake_row_can_have():
    table = load_raw()["Resources"]["LakeEventsTable"]["Properties"]["TableInput"]
    declared = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    expected = _lake_columns()
    missing = {k: v for k, v in expected.items() if declared.get(k) != v}
    assert not missing, f"add to LakeEventsTable's Columns in infra/template.yaml: {missing}"
    assert set(declared) == set(expected), f"columns no event has: {set(declared) - set(expected)}"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["type", "dt"]
    assert table["Parameters"]["projection.type.type"] == "injected"  # a new event type needs no change


def test_the_glue_table_reads_where_the_lake_writes():
    table = load_raw()["Resources"]["LakeEventsTable"]["Properties"]["TableInput"]
    template = table["Parameters"]["storage.location.template"].value
    assert template.replace("${!type}", "{type}").replace("${!dt}", "{dt}") == (
        "s3://${LakeBucket}/" + lake.partition("{type}", date(2026, 1, 1)).replace("2026-01-01", "{dt}")
    )
