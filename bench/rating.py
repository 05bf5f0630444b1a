"""Rating throughput: quotes per second in-process, parse + rate, over every on-shelf demo product.

Each quote is what POST /quotes does with CPU: `parse_rating_request(product, body)` then
`rate(product, rate_table, request)` (no DynamoDB, no HTTP). The bodies are random but valid: a
random plan, term, gender, age within the product's limits, option subset and occupation class,
kept only if the engine rates it (some combinations are refused by design, e.g. a TO60 term at 58).
The mix cycles through all products in a shuffled order; a short warm-up compiles the rate tables
first (the engine caches the compiled form per product and version, as a warm Lambda would).
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from bench._common import Metric, Report, main, median

TARGET_PER_SECOND = 5_000
RUN_SECONDS = 3.0
WINDOWS = 6  # the run is timed in windows; the median window resists a burst of other load on the box
WARMUP_SECONDS = 0.5
PER_PRODUCT_SECONDS = 0.3
PER_PRODUCT_WINDOWS = 3
BODIES_PER_PRODUCT = 200
SEED = 20261125


def load_cases() -> list[tuple[dict, dict]]:
    """(product, rate table) of every on-shelf demo product, the table named by rate_table_version."""
    from local.demo import load_catalog

    catalog = load_catalog()
    tables = {(t["product_id"], int(t["version"])): t for t in catalog["rate_tables"]}
    cases = []
    for product in catalog["products"]:
        if product.get("status") != "on_shelf":
            continue
        key = (product["product_id"], int(product["rate_table_version"]))
        if key not in tables:
            raise RuntimeError(f"demo catalog has no rate table {key} for on-shelf {product['product_id']}")
        cases.append((product, tables[key]))
    if not cases:
        raise RuntimeError("the demo catalog has no on-shelf products")
    return cases


def random_bodies(product: dict, rate_table: dict, rng: random.Random, count: int) -> list[dict[str, Any]]:
    from catalog.domain import rating

    limits = product.get("age_limits") or {"min": 0, "max": 100}
    options = [o["code"] for o in product.get("options") or ()]
    bodies: list[dict[str, Any]] = []
    for _ in range(count * 50):
        body: dict[str, Any] = {
            "plan": rng.choice(product["plans"])["code"],
            "term": rng.choice(product["terms"])["code"],
            "gender": rng.choice("MF"),
            "age": rng.randint(int(limits["min"]), int(limits["max"])),
            "options": rng.sample(options, rng.randint(0, len(options))),
        }
        if product.get("occupation_classes"):
            body["occupation_class"] = rng.randint(1, int(product["occupation_classes"]["max"]))
        try:
            rating.rate(product, rate_table, rating.parse_rating_request(product, body))
        except rating.RatingError:
            continue
        bodies.append(body)
        if len(bodies) == count:
            return bodies
    raise RuntimeError(f"could not draw {count} valid quote requests for {product['product_id']}")


def _quote_loop(work: list[tuple[dict, dict, dict]], seconds: float) -> tuple[int, float]:
    """Rate work items round-robin for about `seconds`; returns (quotes, elapsed seconds)."""
    from catalog.domain.rating import parse_rating_request, rate

    done, size = 0, len(work)
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for i in range(256):
            product, table, body = work[(done + i) % size]
            rate(product, table, parse_rating_request(product, body))
        done += 256
        now = time.perf_counter()
        if now >= deadline:
            return done, now - started


def run() -> Report:
    report = Report("rating", "Rating engine throughput (in-process)")
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not security
    cases = load_cases()
    per_product = {
        p["product_id"]: [(p, t, b) for b in random_bodies(p, t, rng, BODIES_PER_PRODUCT)] for p, t in cases
    }
    mix = [item for items in per_product.values() for item in items]
    rng.shuffle(mix)
    print(
        f"{len(cases)} on-shelf products, {len(mix)} distinct valid quote requests; "
        f"warm-up {WARMUP_SECONDS} s, then {RUN_SECONDS} s",
        flush=True,
    )

    _quote_loop(mix, WARMUP_SECONDS)
    windows = [_quote_loop(mix, RUN_SECONDS / WINDOWS) for _ in range(WINDOWS)]
    rates = [n / secs for n, secs in windows]
    quotes, elapsed = sum(n for n, _ in windows), sum(secs for _, secs in windows)
    rate_mix = median(rates)

    rows = []
    for product_id, work in per_product.items():
        per_second = median(
            [
                n / secs
                for n, secs in (
                    _quote_loop(work, PER_PRODUCT_SECONDS / PER_PRODUCT_WINDOWS)
                    for _ in range(PER_PRODUCT_WINDOWS)
                )
            ]
        )
        rows.append([product_id, work[0][1].get("basis"), round(per_second), round(1e6 / per_second, 1)])
    report.table(
        f"Per product (median of {PER_PRODUCT_WINDOWS} windows, {PER_PRODUCT_SECONDS} s in all, warm)",
        ["Product", "Basis", "Quotes/s", "us/quote"],
        rows,
    )
    report.table(
        "Mix of all on-shelf products",
        ["Quotes", "Seconds", "Median quotes/s", "Slowest window", "Fastest window", "Overall quotes/s"],
        [
            [
                quotes,
                round(elapsed, 2),
                round(rate_mix),
                round(min(rates)),
                round(max(rates)),
                round(quotes / elapsed),
            ]
        ],
        note=f"one thread; parse_rating_request + rate per quote; {WINDOWS} windows of "
        f"{RUN_SECONDS / WINDOWS:.1f} s, the headline is the median window",
    )
    report.metrics += [
        Metric(
            "Quotes per second (product mix)", round(rate_mix), "quotes/s", TARGET_PER_SECOND, ">=", digits=0
        ),
        Metric("Slowest product", min(r[2] for r in rows), "quotes/s", digits=0),
    ]
    return report


if __name__ == "__main__":
    sys.exit(main("rating", run))
