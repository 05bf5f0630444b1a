"""The analysts' lake over the embedded AWS: events written to EventsTable reach ReportsTasksFunction through
the template's stream subscription and land in the lake bucket under the partition of their China day; a
batch that fails after landing is delivered again (bisected) and leaves no row twice; and DuckDB, which
`make query` runs, reads the files as they are written."""

from __future__ import annotations

import uuid

import pytest

from insuremall import events
from local.lambda_runtime import Fault
from local.streams import StreamPoller
from reports.domain import lake

FUNCTION = "ReportsTasksFunction"
DAY = "2031-05-20"  # no other test sells on it (the figures these sales add stay on their own day)


@pytest.fixture
def streams(aws):
    mine = [s for s in aws.template.stream_subscriptions() if s.function == FUNCTION]
    return StreamPoller(aws, subscriptions=mine, starting_position="LATEST", retry_delay=0)


def _bucket(aws) -> str:
    return aws.template.physical_name("LakeBucket")


def _objects(aws, prefix: str) -> dict[str, list[dict]]:
    s3 = aws.client("s3")
    listed = s3.list_objects_v2(Bucket=_bucket(aws), Prefix=prefix).get("Contents", [])
    return {
        o["Key"]: lake.decode(s3.get_object(Bucket=_bucket(aws), Key=o["Key"])["Body"].read()) for o in listed
    }


def _sell(at: str, region: str = "31", premium: int = 16900, product: str = "accident-guardian") -> str:
    """A PolicyIssued as the policy capability stores it (EventsTable streams it)."""
    from insuremall.models.events import DomainEventRecord, index_key

    no = f"L{uuid.uuid4().hex[:10].upper()}"
    event = events.PolicyIssued(
        policy_no=no, order_id=f"O{no}", customer_id="member-secret", product_id=product, plan="standard",
        term="1Y", sum_insured=100000, premium_cents=premium, start_date=at[:10], end_date="2032-05-19",
        issued_at=at, channel="h5", insurer_id="jade-pc", product_kind="accident", region=region,
        product_name="Accident Guardian", insurer_name="Jade P&C",
    )  # fmt: skip
    DomainEventRecord(
        pk=f"POLICY#{no}", sk=event.type, event_type=event.type, occurred_at=at, payload=event.payload(),
        gsi1pk=index_key(event.type, at[:10], no), gsi1sk=f"{at}#{no}",
    ).save()  # fmt: skip
    return no


def test_given_sales_either_side_of_china_midnight_then_each_lands_in_its_china_day(aws, streams):
    late = _sell("2031-05-19T15:30:00.000+00:00")  # 23:30 China time on the 19th
    early = _sell("2031-05-19T16:10:00.000+00:00")  # 00:10 China time on the 20th

    streams.drain()

    landed = _objects(aws, "events/type=PolicyIssued/dt=2031-05-19/")
    assert [r["policy_no"] for rows in landed.values() for r in rows] == [late]
    on_the_20th = [r for rows in _objects(aws, f"events/type=PolicyIssued/dt={DAY}/").values() for r in rows]
    (row,) = [r for r in on_the_20th if r["policy_no"] == early]
    assert row["province"] == "Shanghai" and row["premium_cents"] == 16900
    assert "member-secret" not in repr(row) and "customer_id" not in row
    (key,) = [
        k for k, rows in _objects(aws, "events/type=PolicyIssued/").items() if rows[0]["policy_no"] == early
    ]
    assert key.startswith(f"events/type=PolicyIssued/dt={DAY}/") and key.endswith(".jsonl.gz")


def test_given_a_batch_that_fails_after_landing_when_redelivered_then_no_row_is_written_twice(aws, streams):
    sold = [
        _sell(f"2031-05-21T0{i}:00:00.000+00:00", region=r) for i, r in enumerate(["31", "44", "11", "31"])
    ]
    aws.runtime.inject_fault(Fault(FUNCTION, None, times=1, when="after"))  # landed and counted, then fails

    streams.drain()

    rows = [r for rows in _objects(aws, "events/type=PolicyIssued/dt=2031-05-21/").values() for r in rows]
    assert sorted(r["policy_no"] for r in rows) == sorted(sold)  # each once, though delivered twice
    (mapping,) = streams.mappings
    assert mapping.counts["failed"] == 1 and mapping.counts["delivered"] == len(sold)


def test_given_landed_files_then_duckdb_reads_them_as_make_query_does(aws, streams, tmp_path):
    duckdb = pytest.importorskip("duckdb", reason="DuckDB is a dev dependency (requirements/dev.txt)")
    from local import query

    for region, premium in (("31", 10000), ("31", 5000), ("44", 20000)):
        _sell("2031-06-02T03:00:00.000+00:00", region=region, premium=premium, product="lake-duck")
    streams.drain()
    s3 = aws.client("s3")
    for key in _objects(aws, "events/type=PolicyIssued/dt=2031-06-02/"):
        target = tmp_path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s3.get_object(Bucket=_bucket(aws), Key=key)["Body"].read())

    connection = duckdb.connect()
    query.define_views(connection, tmp_path)
    rows = connection.sql(
        "select province, sum(premium_cents) / 100 as premium from events"
        " where type = 'PolicyIssued' and dt between '2031-06-01' and '2031-06-30'"
        " and product_id = 'lake-duck'"
        " group by province order by premium desc"
    ).fetchall()
    assert rows == [("Guangdong", 200.0), ("Shanghai", 150.0)]
