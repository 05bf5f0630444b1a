"""Scale model of the write path at a sales-festival peak: 10,000 policies sold per second, 20% of them
of one product. For every table and index: the most writes per second on any one item and on any one
partition key, against DynamoDB's limits (1,000 write units per second per partition and per item;
a transactional write costs 2 units; concurrent transactions on one item conflict).

Nothing here is hand-listed. The write path is recorded from real purchases on the local platform: every
DynamoDB write request the functions make (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
TransactWriteItems) during SALES purchases by SALES different customers, with the item keys and the
index keys each write sets (the index key schema comes from infra/template.yaml). A key written by only
one purchase is a sale's own (its order, its policy); a key written by several purchases is shared, and
at the peak it takes `writes per sale x 10,000/s x share`, the share being 20% for a key that names the
festival product and 100% otherwise (a day, a status, a channel: the worst case).

Stream consumers that sum a batch before writing (the reports consumer) are modelled by running their
own chunking rule (`reports.counting`) over a synthetic peak batch of the template's BatchSize, and
scaled by the batches per second the peak makes. Run it on another commit to compare designs:
`git worktree add /tmp/before <commit> && cp bench/scale_model.py /tmp/before/bench/ && cd /tmp/before
&& PYTHONPATH=functions:layers/common/python:. python -m bench.scale_model` (docs/scale-model.md).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench import _platform, _shop
from bench._common import Metric, Report, main

PEAK_PER_S = 10_000
HOT_SHARE = 0.2
HOT_PRODUCT = _shop.QUOTE["product_id"]
SALES = 12
PARTITION_UNITS_PER_S = 1_000
POLL_S = 0.1
SETTLE_S = 1.0


@dataclass
class Write:
    table: str
    index: str  # "(table)" for the base table, else the index name
    key: str  # item key (base table) or partition key value (index)
    partition: str  # partition key value
    units: int  # write units (2 for a transactional write of an item up to 1 KB)
    function: str
    sale: int


@dataclass
class Tally:
    writes: Counter = field(default_factory=Counter)  # key -> writes over all sales
    sales: dict[str, set] = field(default_factory=lambda: defaultdict(set))  # key -> sales writing it
    units: Counter = field(default_factory=Counter)
    functions: dict[str, set] = field(default_factory=lambda: defaultdict(set))


def _value(attribute: dict[str, Any] | None) -> str | None:
    if not attribute:
        return None
    return str(next(iter(attribute.values())))


def _set_values(update: dict[str, Any]) -> dict[str, str]:
    """Attribute name -> value of the `SET name = :value` parts of an update expression."""
    names = update.get("ExpressionAttributeNames") or {}
    values = update.get("ExpressionAttributeValues") or {}
    expression = update.get("UpdateExpression") or ""
    found = {}
    for name, placeholder in re.findall(r"(#?[\w.]+)\s*=\s*(:\w+)", expression):
        found[names.get(name, name)] = _value(values.get(placeholder))
    return found


def _writes_of(call, tables: dict[str, dict[str, Any]], sale: int) -> list[Write]:
    operation = call.operation.split(".", 1)[1]
    body = call.body
    requests: list[tuple[str, str, dict[str, Any], int]] = []  # (table, kind, body, units)
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        requests.append((body.get("TableName"), operation, body, 1))
    elif operation == "BatchWriteItem":
        for table, items in (body.get("RequestItems") or {}).items():
            for item in items:
                if "PutRequest" in item:
                    requests.append((table, "PutItem", item["PutRequest"], 1))
                else:
                    requests.append((table, "DeleteItem", item["DeleteRequest"], 1))
    elif operation == "TransactWriteItems":
        for item in body.get("TransactItems") or []:
            for kind in ("Put", "Update", "Delete", "ConditionCheck"):
                if kind in item:
                    requests.append(
                        (
                            item[kind]["TableName"],
                            kind + ("Item" if kind != "ConditionCheck" else ""),
                            item[kind],
                            2,
                        )
                    )
    writes = []
    for table_name, kind, request, units in requests:
        spec = tables.get(table_name)
        if spec is None or kind == "ConditionCheck":
            continue
        attributes = request.get("Item") or request.get("Key") or {}
        key_names = spec["key"]
        pk = _value(attributes.get(key_names[0]))
        item_key = "/".join(_value(attributes.get(k)) or "" for k in key_names)
        writes.append(Write(spec["logical"], "(table)", item_key, pk, units, call.function, sale))
        set_values = _set_values(request) if kind == "UpdateItem" else {}
        for index, index_pk in spec["indexes"].items():
            value = (
                _value(request.get("Item", {}).get(index_pk))
                if kind == "PutItem"
                else set_values.get(index_pk)
            )
            if value:
                writes.append(Write(spec["logical"], index, value, value, 1, call.function, sale))
    return writes


def _tables(platform) -> dict[str, dict[str, Any]]:
    template = platform.aws.template
    found = {}
    for logical, resource in template.of_type("AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        found[template.physical_name(logical)] = {
            "logical": logical,
            "key": [k["AttributeName"] for k in props["KeySchema"]],
            "indexes": {
                index["IndexName"]: next(
                    k["AttributeName"] for k in index["KeySchema"] if k["KeyType"] == "HASH"
                )
                for index in props.get("GlobalSecondaryIndexes", [])
            },
        }
    return found


def _hash_key(schema: list[dict[str, str]]) -> str:
    return next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")


def _batched_functions(platform) -> dict[str, int]:
    """Functions whose stream consumer sums a batch before it writes (reports), with their BatchSize."""
    found = {}
    for logical, resource in platform.aws.template.of_type("AWS::Serverless::Function").items():
        for event in (resource["Properties"].get("Events") or {}).values():
            if event.get("Type") == "DynamoDB" and logical.startswith("Reports"):
                found[logical] = int(event["Properties"].get("BatchSize", 100))
    return found


def _record(platform, instruments) -> list[Write]:
    tables = _tables(platform)
    writes: list[Write] = []
    warm = _shop.sign_up(platform.api_url)
    _shop.purchase(warm, POLL_S)  # warm-up, not counted
    time.sleep(SETTLE_S)
    platform.streams.drain(timeout=30)
    for sale in range(SALES):
        customer = _shop.sign_up(platform.api_url)
        instruments.reset()
        bought = _shop.purchase(customer, POLL_S)
        if bought.status != "issued":
            raise RuntimeError(f"sale {sale} ended {bought.status}")
        time.sleep(SETTLE_S)
        platform.streams.drain(timeout=30)
        for call in list(instruments.calls):
            if call.operation.startswith("dynamodb."):
                writes.extend(_writes_of(call, tables, sale))
    return writes


def _peak_batch(size: int):
    """A peak batch of PolicyIssued events: 20% of the festival product, the rest over 40 products,
    31 provinces, 3 channels, 8 insurers, 10 categories, 20 partners."""
    import random

    from insuremall import events

    rng = random.Random(10_000)  # noqa: S311 - a reproducible model, not a secret
    batch = []
    for i in range(size):
        hot = rng.random() < HOT_SHARE
        product = HOT_PRODUCT if hot else f"product-{rng.randrange(40)}"
        channel = rng.choice(("h5", "pc", "partner_api"))
        event = events.PolicyIssued(
            policy_no=f"P{i:08d}",
            order_id=f"O{i:08d}",
            customer_id="c",
            product_id=product,
            plan="standard",
            term="1Y",
            sum_insured=1,
            premium_cents=10_000,
            start_date="2026-11-11",
            end_date="2027-11-10",
            issued_at="2026-11-11T04:00:00+00:00",
            channel=channel,
            insurer_id=f"insurer-{rng.randrange(8)}",
            product_kind="accident",
            region=f"{rng.randrange(11, 42)}",
            category_id=f"cat-{rng.randrange(10)}",
            partner_id=f"partner-{rng.randrange(20)}" if channel == "partner_api" else None,
        )
        batch.append((f"PolicyIssued#{event.policy_no}", event))
    return batch


class _RecordingStore:
    """The reports store's steps in memory, recording the figure items each fold transaction writes."""

    def __init__(self) -> None:
        self.staged_items: dict[str, Any] = {}
        self.figure_writes: list[Any] = []
        self.transactions = 0

    def stage(self, event_ids, sums):
        self.transactions += 1
        self.staged_items[event_ids[0]] = sums
        return event_ids[0]

    def merge(self, staged_ids, sums):
        self.transactions += 1
        for staged_id in staged_ids:
            del self.staged_items[staged_id]
        into = "+".join(staged_ids)
        self.staged_items[into] = sums
        return into

    def apply(self, staged_id, part, rest):
        self.transactions += 1
        del self.staged_items[staged_id]
        self.figure_writes.extend(part)
        if rest:
            self.staged_items[staged_id + "r"] = rest
            return staged_id + "r"
        return None

    def staged(self, lane):
        return []


def _consumer_model(batch_size: int, events_per_sale: float) -> list[list[Any]] | None:
    """The reports consumer's writes per peak batch, from its own counting rule, scaled to the batches per
    second the peak makes. None when the code under test has no batching consumer."""
    try:
        from reports import counting, store
    except ImportError:
        return None
    recorder = _RecordingStore()
    if not hasattr(counting, "fold"):  # the design before staging: markers and figures in each chunk
        recorder = None
        writes_per_item: Counter = Counter()
        writes_per_partition: Counter = Counter()
        transactions = 0
        from reports.domain import figures

        for chunk in counting._chunks(counting._distinct(_peak_batch(batch_size))):  # noqa: SLF001
            transactions += 1  # noqa: SIM113 - counted beside the sums
            for key in figures.summed([event for _, event in chunk]):
                writes_per_item[(store._pk(key.day, key.dimension), key.value)] += 1  # noqa: SLF001
                writes_per_partition[store._pk(key.day, key.dimension)] += 1  # noqa: SLF001
    else:
        counting.count(_peak_batch(batch_size), recorder)
        transactions = recorder.transactions
        writes_per_item = Counter(
            (store._pk(k.day, k.dimension), k.value)  # noqa: SLF001 - the store's own key rule
            for k in recorder.figure_writes
        )
        writes_per_partition = Counter(store._pk(k.day, k.dimension) for k in recorder.figure_writes)  # noqa: SLF001
    per_s = PEAK_PER_S * events_per_sale / batch_size  # full batches at the peak
    (item, item_n), (partition, partition_n) = (
        writes_per_item.most_common(1)[0],
        writes_per_partition.most_common(1)[0],
    )
    return [
        ["ReportsTable", "(table)", "figures item", "/".join(item), item_n * per_s, item_n * per_s * 2],
        [
            "ReportsTable",
            "(table)",
            "figures partition",
            partition,
            partition_n * per_s,
            partition_n * per_s * 2,
        ],  # noqa: E501
        ["ReportsTable", "(table)", "transactions", f"{transactions} per batch", transactions * per_s, None],
    ]


def run() -> Report:
    report = Report("scale_model", f"Write path at {PEAK_PER_S:,} policies/s, {HOT_SHARE:.0%} on one product")
    instruments = _platform.Instruments()
    platform = _platform.start("scale_model", instruments)
    try:
        writes = _record(platform, instruments)
        batched = _batched_functions(platform)
    finally:
        _platform.stop(platform, instruments)
    events_per_sale = sum(1 for w in writes if w.table == "EventsTable" and w.index == "(table)") / SALES
    items: dict[tuple[str, str], Tally] = defaultdict(Tally)
    partitions: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for w in writes:
        if w.function in batched:
            continue  # modelled from its batching rule below, not per event
        for tallies, key in ((items, w.key), (partitions, w.partition)):
            tally = tallies[(w.table, w.index)]
            tally.writes[key] += 1
            tally.units[key] += w.units
            tally.sales[key].add(w.sale)
            tally.functions[key].add(w.function)

    def peak(tally: Tally, key: str) -> tuple[float, float]:
        """(writes/s, units/s) on `key` at the peak. A sharded key (`...#07`, insuremall.sharding) takes
        1/SHARDS of what all the keys of its family take together."""
        family, shards = _family(key)
        keys = [k for k in tally.writes if _family(k)[0] == family]
        sales = set().union(*(tally.sales[k] for k in keys))
        if len(sales) <= 1:
            return tally.writes[key], tally.units[key]  # one sale's own key: its writes over the sale
        share = HOT_SHARE if HOT_PRODUCT in key else 1.0
        per_sale = PEAK_PER_S * share / SALES / shards
        return sum(tally.writes[k] for k in keys) * per_sale, sum(tally.units[k] for k in keys) * per_sale

    rows, worst_units = [], 0.0
    for (table, index), tally in sorted(partitions.items()):
        item_tally = items[(table, index)]
        hot_item = max(item_tally.writes, key=lambda k: peak(item_tally, k)[1])
        hot_partition = max(tally.writes, key=lambda k: peak(tally, k)[1])
        item_writes, item_units = peak(item_tally, hot_item)
        part_writes, part_units = peak(tally, hot_partition)
        worst_units = max(worst_units, part_units, item_units)
        rows.append(
            [
                table,
                index,
                _pattern(hot_item),
                round(item_writes),
                round(item_units),
                _pattern(hot_partition),
                round(part_writes),
                round(part_units),
                ", ".join(sorted(tally.functions[hot_partition])),
                "OVER" if max(part_units, item_units) > PARTITION_UNITS_PER_S else "under",
            ]
        )
    report.table(
        f"Hottest item and partition key per table and index at {PEAK_PER_S:,} sales/s (recorded from "
        f"{SALES} purchases)",
        ["Table", "Index", "Hottest item", "Writes/s", "Units/s", "Hottest partition key", "Writes/s",
         "Units/s", "Written by", "vs 1,000/s"],
        rows,
        note="A key one sale writes alone shows that sale's writes (not per second); shared keys are scaled "
        f"to the peak: x{HOT_SHARE:.0%} for keys naming {HOT_PRODUCT}, x100% otherwise. Units: 1 per write "
        "(items up to 1 KB), 2 per transactional write; an index write costs the index 1 unit",
    )  # fmt: skip
    for function, batch_size in batched.items():
        model = _consumer_model(batch_size, events_per_sale)
        if model:
            worst_units = max([worst_units] + [r[5] for r in model if r[5] is not None])
            for row in model:
                row[4:] = [None if v is None else round(v) for v in row[4:]]
            report.table(
                f"{function}: the reports consumer at the peak ({events_per_sale:.0f} events per sale: "
                f"{PEAK_PER_S * events_per_sale / batch_size:.0f} batches/s of {batch_size})",
                ["Table", "Index", "What", "Hottest key", "Writes/s", "Units/s"],
                model,
                note="From reports.counting's own rule run over a synthetic peak batch (20% one product, "
                "31 provinces, 3 channels, 40 other products, 8 insurers, 20 partners; every event counted "
                "like a sale, the worst case), in memory; every write transactional (2 units)",
            )
    report.metrics.append(
        Metric(
            "Most write units/s on one partition key or item", worst_units, "units/s", 1000, "<=", digits=0
        )
    )
    return report


def _family(key: str) -> tuple[str, int]:
    """(the key with its shard replaced by <shard>, the number of shards), or (key, 1) if unsharded."""
    try:
        from insuremall.sharding import SHARDS
    except ImportError:  # a design before write sharding
        return key, 1
    family, found = re.subn(r"#\d{2}(?=/|$)", "#<shard>", key)
    return (family, SHARDS) if found else (key, 1)


def _pattern(key: str) -> str:
    """A key with its ids shortened, so the table shows its shape (ORDER#<id>, END#2027-12-02#07)."""
    key = re.sub(r"ORD\d{14}[0-9A-F]{10}", "<order id>", key)
    key = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<customer>", key)
    key = re.sub(r"[0-9a-f]{32}", "<uuid>", key)
    key = re.sub(r"[A-Z]{2,4}\d{16}", "<policy no>", key)
    return key if len(key) <= 60 else key[:57] + "..."


if __name__ == "__main__":
    sys.exit(main("scale_model", run))
