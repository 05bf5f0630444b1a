"""The daily renewal job at 1,000 and 10,000 in-force policies, 1% of them due: wall time, DynamoDB
requests by operation and offers created, and the ratio 10k/1k. The job queries the byEndDate index
one day at a time, so its cost should follow the number due, not the number of policies.

On the embedded AWS (moto) in this process, no HTTP: the policies are written straight through the
policy model with batch writes (not through the saga), then `policy.tasks.renewal_offers` runs for
the window day with the request meter reset; a second run must create nothing.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from bench._common import Metric, Report, main

SIZES = (1_000, 10_000)
DUE_SHARE = 0.01
# Each size gets its own run day (two years apart) so its end dates and offers do not meet the other's.
RUN_DAYS = {1_000: date(2030, 1, 15), 10_000: date(2032, 1, 15)}
PRODUCT_ID = "medical-million"


def _policy(no: str, end: date, product: dict[str, Any]) -> dict[str, Any]:
    start = end.replace(year=end.year - 1) + timedelta(days=1) if (end.month, end.day) != (2, 29) else end
    return {
        "policy_no": no,
        "order_id": f"BENCHORD{no}",
        "customer_id": f"bench-customer-{no[-4:]}",
        "status": "in_force",
        "product_id": PRODUCT_ID,
        "product_snapshot": {"name": product["name"], "options": []},
        "plan": "standard",
        "term": "1Y",
        "sum_insured": 1_000_000,
        "premium_cents": 29800,
        "premium": {"total": "298.00", "currency": "CNY"},
        "parties": {
            "insured": [{"insured_key": f"bench-{no}", "gender": "F", "age": 35, "birth_date": "1990-06-15"}]
        },
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "issued_at": f"{start.isoformat()}T00:00:00+00:00",
        "channel": "web",
    }


def _end_dates(count: int, run_day: date, window: int, covered: list[date]) -> list[date]:
    """1% on the window day; the rest spread over the year after the run day, skipping the days the
    job covers (its catch-up days), so exactly 1% is due."""
    due = int(count * DUE_SHARE)
    window_day = run_day + timedelta(days=window)
    others = [run_day + timedelta(days=d) for d in range(1, 366)]
    others = [d for d in others if d not in covered]
    return [window_day] * due + [others[i % len(others)] for i in range(count - due)]


def _write_policies(count: int, run_day: date, window: int, covered: list[date], product: dict) -> float:
    from insuremall.models.policy import PolicyRecord
    from policy import store

    started = time.perf_counter()
    with PolicyRecord.batch_write() as batch:
        for i, end in enumerate(_end_dates(count, run_day, window, covered)):
            p = _policy(f"BENCH{run_day.year}{i:08d}", end, product)
            batch.save(
                PolicyRecord(
                    pk=f"POLICY#{p['policy_no']}",
                    **p,
                    gsi1pk=f"CUSTOMER#{p['customer_id']}",
                    gsi1sk=f"POLICY#{p['issued_at']}#{p['policy_no']}",
                    gsi2pk=store.end_date_key(p["end_date"], p["policy_no"]),
                    gsi2sk=p["policy_no"],
                )
            )
    return time.perf_counter() - started


def _query_ms(window_day: date) -> float:
    """Median time of the window day's index Query alone: on moto it grows with the table (moto reads
    every item to answer a Query); on DynamoDB it reads one partition."""
    from policy import store

    times = []
    for _ in range(5):
        started = time.perf_counter()
        store.policy_numbers_ending_on(window_day.isoformat())
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[2]


def run() -> Report:
    from local.embedded_aws import EmbeddedAws

    aws = EmbeddedAws().start()
    try:
        return _measure(aws)
    finally:
        aws.stop()


def _measure(aws) -> Report:
    from catalog import store as catalog
    from insuremall.config import get_settings
    from local import demo
    from policy import tasks
    from policy.domain.renewal_window import renewal_end_dates

    report = Report("renewals", "Renewal job: cost against policies in force and policies due")
    demo.seed_catalog()
    product = catalog.get_product(PRODUCT_ID)
    window = get_settings().renewal_window_days
    rows, results = [], {}
    tasks.renewal_offers({"date": "2028-06-01"})  # warm-up: nothing ends then
    for size in SIZES:
        run_day = RUN_DAYS[size]
        covered = renewal_end_dates(run_day, window)
        write_s = _write_policies(size, run_day, window, covered, product)
        catalog.get_product(PRODUCT_ID)  # the catalog cache warm, as on a container that ran before
        aws.meter.reset()
        started = time.perf_counter()
        first = tasks.renewal_offers({"date": run_day.isoformat()})
        seconds = time.perf_counter() - started
        calls = Counter({k: n for k, n in aws.meter.calls.items() if k.startswith("dynamodb.")})
        aws.meter.reset()
        started = time.perf_counter()
        second = tasks.renewal_offers({"date": run_day.isoformat()})
        second_s = time.perf_counter() - started
        second_calls = aws.meter.count("dynamodb")
        query_ms = _query_ms(run_day + timedelta(days=window))
        due = int(size * DUE_SHARE)
        by_op = ", ".join(f"{k.split('.', 1)[1]} {n}" for k, n in sorted(calls.items()))
        results[size] = {
            "seconds": seconds,
            "requests": sum(calls.values()),
            "offers": first["offers_created"],
        }
        rows.append(
            [
                size,
                due,
                round(write_s, 1),
                round(seconds * 1000, 1),
                sum(calls.values()),
                by_op,
                first["offers_created"],
                second["offers_created"],
                second["already_offered"],
                second_calls,
                round(second_s * 1000, 1),
                round(query_ms, 1),
            ]
        )
    report.table(
        f"Renewal job for one run day (window {window} days; it covers the end dates "
        f"{len(covered) - 1} days before the window day too)",
        [
            "Policies in force",
            "Due",
            "Write s (batch)",
            "Job ms",
            "DynamoDB requests",
            "By operation",
            "Offers created",
            "2nd run: offers created",
            "2nd run: already offered",
            "2nd run: DynamoDB requests",
            "2nd run ms",
            "One index Query ms",
        ],
        rows,
        note=f"Product {PRODUCT_ID} (annual, age-banded); 1% of policies end on the window day, the rest "
        "over the year after the run day outside the days the job covers; the meter counts every DynamoDB "
        "call of the job; a warm-up run on a day with nothing due first (connection, catalog caches)",
    )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    request_ratio = large["requests"] / small["requests"]
    time_ratio = large["seconds"] / small["seconds"]
    report.table(
        "10k / 1k",
        ["Policies ratio", "Due ratio", "DynamoDB requests ratio", "Wall time ratio"],
        [[SIZES[-1] / SIZES[0], SIZES[-1] / SIZES[0], round(request_ratio, 2), round(time_ratio, 2)]],
        note="A scan would grow with the policies in force; the index queries follow the policies due",
    )
    report.note(
        "Wall time on moto is not DynamoDB's: moto answers a Query by reading every item of the table "
        "(the 'One index Query ms' column grows with the table), so part of the job's time grows with the "
        "policies in force here but not on DynamoDB; timings also move with the load of this shared box. "
        "The request counts are exact and follow the policies due."
    )
    per_due = large["requests"] / (SIZES[-1] * DUE_SHARE)
    report.metrics += [
        Metric("Offers created at 10k (100 due)", large["offers"], "", SIZES[-1] * DUE_SHARE, ">=", digits=0),
        # Per policy due: read it, put its offer, record its reminder and mark that sent (notifications).
        Metric("DynamoDB requests per policy due (10k)", per_due, "", 6, "<=", digits=2),
        Metric("Requests ratio 10k/1k (due ratio 10)", request_ratio, "x", 10.5, "<=", digits=2),
        Metric("Wall time ratio 10k/1k", time_ratio, "x", digits=2),
        Metric("Job wall time at 10k", large["seconds"] * 1000, "ms", digits=0),
        Metric("Offers created by a second run (10k)", rows[-1][7], "", 0, "<=", digits=0),
    ]
    return report


if __name__ == "__main__":
    sys.exit(main("renewals", run))
