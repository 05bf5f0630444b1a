"""Sales statistics and the monthly export against the size of the history: the statistics query for 31
days with 1,000 vs 1,000,000 policies sold in those 31 days and the 31 before (what the query reads), and
the monthly export when the month holds 100,000 policies. Both read the figures per China day and
dimension value (ReportsTable), never the policies, so their DynamoDB requests follow the days asked
for, not the policies sold.

On the embedded AWS (moto) in this process, no HTTP. The history is made of synthetic PolicyIssued and
PolicyCancelled events (8 products, 4 insurers, 31 provinces, 3 channels, 3 partners and direct sales,
5% cancelled), summed with the stream consumer's own rule (`reports.domain.figures.summed`) and written
as the items that rule produces with batch writes: what counting every event through the stream would
leave, without writing a million markers into moto first. The sums are checked against the events.

Only the days a query reads are written, and the table is emptied between cases: moto answers a Query by
reading every item of the table (about 1 s per Query at 18,000 items here), which DynamoDB does not (one
partition per Query), so a year of other days would time moto, not the design.
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench._common import Metric, Report, main

SIZES = (1_000, 1_000_000)
EXPORT_POLICIES = 100_000
QUERY_DAYS = 31
CHUNK = 20_000
# Each history gets its own year so that the sizes never share a day's items.
QUERY_ENDS = {1_000: date(2031, 3, 31), 1_000_000: date(2033, 3, 31), EXPORT_POLICIES: date(2035, 3, 31)}
PRODUCTS = [
    (f"bench-product-{i}", f"Bench product {i}", f"bench-insurer-{i % 4}", f"cat-{i % 5}") for i in range(8)
]
REGIONS = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
]  # fmt: skip
CHANNELS = ("h5", "pc", "partner_api")
PARTNERS = (None, "bench-partner-a", "bench-partner-b", "bench-partner-c")
CANCELLED_SHARE = 0.05


def _events(count: int, last_day: date, days: int, seed: int):
    """`count` sales spread evenly over the `days` China days ending on `last_day`, 5% later cancelled."""
    from insuremall import events

    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic sales, not secrets
    first = last_day - timedelta(days=days - 1)
    for i in range(count):
        product_id, product_name, insurer_id, category_id = PRODUCTS[rng.randrange(len(PRODUCTS))]
        day = first + timedelta(days=i * days // count)
        issued_at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC) + timedelta(seconds=i % 50_000)
        premium = rng.randrange(2_000, 200_000)
        channel = CHANNELS[rng.randrange(3)]
        partner = PARTNERS[rng.randrange(1, 4)] if channel == "partner_api" else None
        region = REGIONS[rng.randrange(len(REGIONS))]
        common = {
            "policy_no": f"B{seed}{i:09d}",
            "order_id": f"O{seed}{i:09d}",
            "customer_id": "bench",
            "product_id": product_id,
            "insurer_id": insurer_id,
            "channel": channel,
            "region": region,
            "category_id": category_id,
            "product_name": product_name,
            "insurer_name": insurer_id.replace("-", " ").title(),
            "partner_id": partner,
        }
        yield events.PolicyIssued(
            **common,
            plan="standard",
            term="1Y",
            sum_insured=1_000_000,
            premium_cents=premium,
            start_date=day.isoformat(),
            end_date=day.isoformat(),
            issued_at=issued_at.isoformat(),
            product_kind="medical",
            gross_cents=premium,
        )
        if rng.random() < CANCELLED_SHARE:
            yield events.PolicyCancelled(
                **common,
                cancelled_on=min(day + timedelta(days=3), last_day).isoformat(),
                rule="pro_rata",
                refund_cents=premium // 2,
                premium_cents=premium,
            )


def _write_history(count: int, last_day: date, days: int, seed: int) -> dict[str, Any]:
    """Sum the history per (day, dimension, value) as the consumer does and write the items."""
    from insuremall.models.reports import SalesFigures
    from reports import store
    from reports.domain import figures

    started = time.perf_counter()
    totals: dict[figures.Key, figures.Sum] = {}
    chunk: list = []
    checked = Counter()

    def fold(batch):
        for key, part in figures.summed(batch).items():
            total = totals.setdefault(key, figures.Sum(part.name))
            for figure, amount in part.figures.items():
                total.figures[figure] += amount

    for event in _events(count, last_day, days, seed):
        contribution = figures.contribution(event)
        if contribution:
            checked.update(contribution[1])
        chunk.append(event)
        if len(chunk) == CHUNK:
            fold(chunk)
            chunk = []
    fold(chunk)
    summed_s = time.perf_counter() - started
    started = time.perf_counter()
    with SalesFigures.batch_write() as batch:
        for key, total in totals.items():
            batch.save(
                SalesFigures(
                    pk=store._pk(key.day, key.dimension),  # noqa: SLF001 - the store's own key rule
                    sk=key.value,
                    name=total.name,
                    **{f: n for f, n in total.figures.items() if n},
                )
            )
    return {
        "items": len(totals),
        "summed_s": summed_s,
        "write_s": time.perf_counter() - started,
        "checked": checked,
    }


def _empty_reports_table() -> None:
    from insuremall.models.reports import SalesFigures

    with SalesFigures.batch_write() as batch:
        for item in SalesFigures.scan():  # bench set-up only, between cases
            batch.delete(item)


def _remembered(read):
    """The reader's answers kept in memory, so the answer's own cost can be timed without moto's."""
    kept: dict[tuple[str, str], list] = {}

    def remembered(day: str, dimension: str) -> list:
        if (day, dimension) not in kept:
            kept[(day, dimension)] = read(day, dimension)
        return kept[(day, dimension)]

    return remembered


def _timed(fn, runs: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2], result


def run() -> Report:
    from local.embedded_aws import EmbeddedAws

    aws = EmbeddedAws().start()
    try:
        return _measure(aws)
    finally:
        aws.stop()


def _measure(aws) -> Report:
    from reports import statistics, store

    report = Report("statistics", "Sales statistics and the monthly export against the history's size")
    rows, results = [], {}
    for size in SIZES:
        end = QUERY_ENDS[size]
        _empty_reports_table()
        history = _write_history(size, end, 2 * QUERY_DAYS, seed=size)
        query = statistics.SalesQuery(end - timedelta(days=QUERY_DAYS - 1), end, "region", "day")
        statistics.sales(query, store.figures)  # warm-up (connection, models)
        aws.meter.reset()
        answer = statistics.sales(query, store.figures)
        calls = Counter({k: n for k, n in aws.meter.calls.items() if k.startswith("dynamodb.")})
        moto_ms, _ = _timed(lambda q=query: statistics.sales(q, store.figures), runs=1)
        read = _remembered(store.figures)
        statistics.sales(query, read)
        compute_ms, _ = _timed(lambda q=query, r=read: statistics.sales(q, r))
        results[size] = {"requests": sum(calls.values()), "ms": compute_ms, "moto_ms": moto_ms}
        rows.append(
            [
                f"{size:,}",
                history["items"],
                round(history["summed_s"], 1),
                round(history["write_s"], 1),
                sum(calls.values()),
                ", ".join(f"{k.split('.', 1)[1]} {n}" for k, n in sorted(calls.items())),
                answer["totals"]["policies_issued"],
                answer["totals"]["net_premium"],
                len(answer["rows"]),
                round(compute_ms, 1),
                round(moto_ms),
            ]
        )
    report.table(
        f"GET /reports/sales for {QUERY_DAYS} days by region, with the {QUERY_DAYS} days before: "
        f"the policies sold over those {2 * QUERY_DAYS} days",
        [
            "Policies sold in the 62 days",
            "Figure items stored",
            "Sum s",
            "Write s (batch)",
            "DynamoDB requests",
            "By operation",
            "Policies in the 31 days",
            "Net premium (CNY)",
            "Rows",
            "Compute ms",
            "On moto ms",
        ],
        rows,
        note="One Query per day of the range and of the window before; the items per day grow with the "
        "dimension values sold that day (at most 31 provinces), never with the policies. Compute ms: the "
        "answer built from the same items held in memory (median of 5); on moto ms: one whole call on moto",
    )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    report.metrics += [
        Metric("Statistics requests, 1M policies in history", large["requests"], "", 2 * QUERY_DAYS, "<=", 0),
        Metric(
            "Requests ratio 1M/1k policies", large["requests"] / small["requests"], "x", 1.0, "<=", digits=2
        ),
        Metric("Statistics compute ms, 1k policies", small["ms"], "ms", digits=1),
        Metric("Statistics compute ms, 1M policies", large["ms"], "ms", 100, "<=", digits=1),
        Metric("Statistics on moto ms, 1M policies", large["moto_ms"], "ms", digits=0),
    ]
    report.metrics += _monthly_export(aws, report)
    report.note(
        "Wall time on moto is not DynamoDB's: moto answers a Query by reading the items of the whole table, "
        "so the query's time grows a little with the table here; on DynamoDB each Query reads one partition "
        "(one day's values of one dimension). The request counts are exact."
    )
    return report


def _monthly_export(aws, report: Report) -> list[Metric]:
    from reports import exporting, store

    end = QUERY_ENDS[EXPORT_POLICIES]
    month_start = end.replace(day=1)
    _empty_reports_table()
    history = _write_history(EXPORT_POLICIES, end, (end - month_start).days + 1, seed=7)
    written: dict[str, int] = {}

    def put(key, body, content_type, **_):
        written[key] = len(body)
        store.put_export(
            key, body, content_type, kind="monthly", period=(month_start.isoformat(), end.isoformat())
        )

    aws.meter.reset()
    read = _remembered(store.figures)
    started = time.perf_counter()
    exported = exporting.export_period("monthly", month_start, end, read=read, put=put)
    moto_s = time.perf_counter() - started
    requests = aws.meter.count("dynamodb")
    tracemalloc.start()
    started = time.perf_counter()
    exporting.export_period("monthly", month_start, end, read=read, put=lambda *a, **k: None)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report.table(
        f"Monthly export of {month_start:%Y-%m} ({EXPORT_POLICIES:,} policies sold in the month)",
        [
            "Figure items",
            "Export s (compute)",
            "On moto s",
            "Peak Python memory MB",
            "DynamoDB requests",
            "Policies",
            "Net premium",
            "Files",
        ],
        [
            [
                history["items"],
                round(seconds, 2),
                round(moto_s, 1),
                round(peak / 1e6, 1),
                requests,
                exported.policies_issued,
                exported.net_premium,
                ", ".join(f"{k.rsplit('/', 1)[-1]} {n / 1024:.0f} KiB" for k, n in written.items()),
            ]
        ],
        note="CSV and XLSX (summary, one sheet per dimension, native charts), XlsxWriter in constant-memory "
        "mode; compute and peak memory (tracemalloc, Python allocations) over a second call from the same "
        "items in memory; on moto s: the first call, reading them from moto",
    )
    if exported.policies_issued != history["checked"]["policies_issued"]:
        raise AssertionError("the export's policies do not match the events summed")
    return [
        Metric("Monthly export s, compute (100k policies)", seconds, "s", 10, "<=", digits=2),
        Metric("Monthly export s on moto (100k policies)", moto_s, "s", digits=1),
        Metric("Monthly export DynamoDB requests", requests, "", digits=0),
        Metric("Monthly export peak memory", peak / 1e6, "MB", 256, "<=", digits=1),
    ]


if __name__ == "__main__":
    sys.exit(main("statistics", run))
