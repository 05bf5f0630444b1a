"""End-to-end purchase latency through the local platform, over HTTP like the storefront.

One platform, one signed-up customer; each purchase insures a new person. A purchase is: POST
/quotes -> POST /orders -> poll GET /orders/{id} every 50 ms until awaiting_payment -> POST the
sandbox pay endpoint (which sends the signed webhook) -> poll until issued. One untimed warm-up
purchase first, so imports and first-use clients are not in the figures (a warm Lambda).

The local platform runs every function in this one process on moto, so the figures say how the
code and the saga behave end to end, not what AWS latency would be. Polling every 50 ms rounds each
wait up by up to 50 ms.
"""

from __future__ import annotations

import sys
import time

from bench import _platform, _shop
from bench._common import Metric, Report, main, median, percentile

PURCHASES = 20
POLL_S = 0.05


def run() -> Report:
    report = Report("purchase", "Purchase latency end to end (local platform, HTTP)")
    instruments = _platform.Instruments()
    platform = _platform.start("purchase", instruments)
    try:
        customer = _shop.sign_up(platform.api_url)
        _shop.purchase(customer, POLL_S)  # warm-up, not timed
        instruments.reset()
        results = []
        started = time.monotonic()
        for n in range(PURCHASES):
            results.append(_shop.purchase(customer, POLL_S))
            if (n + 1) % 5 == 0:
                print(f"  {n + 1}/{PURCHASES} purchases", flush=True)
        elapsed = time.monotonic() - started
    finally:
        _platform.stop(platform, instruments)

    issued = sum(1 for r in results if r.status == "issued")
    figures = {
        "order -> payable": [r.order_to_payable_s for r in results],
        "pay -> issued": [r.pay_to_issued_s for r in results],
        "quote -> issued": [r.quote_to_issued_s for r in results],
        "of which: POST /orders answered": [r.order_request_s for r in results],
        "of which: POST sandbox pay answered": [r.pay_request_s for r in results],
    }
    report.table(
        f"Latency of {len(results)} purchases (ms), polling every {POLL_S * 1000:.0f} ms",
        ["Step", "Median", "p90", "Max", "Min"],
        [
            [
                step,
                round(median(v) * 1000),
                round(percentile(v, 90) * 1000),
                round(max(v) * 1000),
                round(min(v) * 1000),
            ]
            for step, v in figures.items()
        ],
        note="order -> payable: POST /orders sent until a poll sees awaiting_payment; pay -> issued: sandbox "
        "pay sent until a poll sees issued; quote -> issued: the whole purchase; the 'of which' rows are the "
        "HTTP requests alone (part of the first two rows). p90 is nearest-rank",
    )
    by_kind: dict[tuple[str, str], list[float]] = {}
    for invocation in instruments.invocations:
        by_kind.setdefault((invocation.function, invocation.label), []).append(invocation.seconds * 1000)
    report.table(
        "Handler time per invocation (ms, wall time in this process)",
        ["Function", "Invocation", "Runs", "Median", "p90", "Max"],
        sorted(
            (
                [
                    function,
                    label,
                    len(ms),
                    round(median(ms), 1),
                    round(percentile(ms, 90), 1),
                    round(max(ms), 1),
                ]
                for (function, label), ms in by_kind.items()
            ),
            key=lambda row: -row[3],
        ),
        note="POST .../pay includes the webhook round trip it waits for; the rest of each step's latency is "
        "HTTP, the gateway, moto's state machine executor and the 50 ms polling",
    )
    report.table(
        "Throughput of the sequential run",
        ["Purchases", "Issued", "Seconds", "Purchases/min", "Polls per purchase (median)"],
        [
            [
                len(results),
                issued,
                round(elapsed, 1),
                round(len(results) / elapsed * 60, 1),
                median([r.polls for r in results]),
            ]
        ],
    )
    report.metrics += [
        Metric("Purchases issued", issued, f"of {len(results)}", len(results), ">=", digits=0),
        Metric("order -> payable, median", round(median(figures["order -> payable"]) * 1000), "ms", digits=0),
        Metric(
            "order -> payable, p90", round(percentile(figures["order -> payable"], 90) * 1000), "ms", digits=0
        ),
        Metric("pay -> issued, median", round(median(figures["pay -> issued"]) * 1000), "ms", digits=0),
        Metric("pay -> issued, p90", round(percentile(figures["pay -> issued"], 90) * 1000), "ms", digits=0),
        Metric("quote -> issued, median", round(median(figures["quote -> issued"]) * 1000), "ms", digits=0),
        Metric(
            "quote -> issued, p90", round(percentile(figures["quote -> issued"], 90) * 1000), "ms", digits=0
        ),
        Metric("quote -> issued, max", round(max(figures["quote -> issued"]) * 1000), "ms", digits=0),
    ]
    orders_handler = by_kind.get(("CheckoutFunction", "POST /orders"))
    if orders_handler:
        gap = median(figures["of which: POST /orders answered"]) * 1000 - median(orders_handler)
        report.note(
            f"POST /orders: the HTTP answer takes {gap:.0f} ms (median) longer than the handler: the client, "
            "the local gateway (about 40 ms per request is a TCP delayed-ACK stall, see bench/README.md) and "
            "the saga starting in parallel; none of it is Lambda or API Gateway"
        )
    report.note(
        "no latency targets were set for this benchmark; the one target is that every purchase ends issued"
    )
    return report


if __name__ == "__main__":
    sys.exit(main("purchase", run))
