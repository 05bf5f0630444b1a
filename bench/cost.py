"""Cost per policy sold: the AWS requests one purchase makes, priced at us-east-1 list prices.

One platform, one customer. A warm-up purchase first (imports, first-use clients, JWKS fetch), then
the counters are reset and ONE purchase is measured: POST /quotes, POST /orders, poll GET
/orders/{id} every 250 ms until awaiting_payment, POST the sandbox pay endpoint (which posts the
signed webhook to POST /payments/webhook), poll until issued. Half a second after "issued" the
counters are read, so the saga's last writes are in.

Sources: the platform's own counters (aws.meter for AWS API calls through botocore,
runtime.invocations, gateway.api_requests), the state machine's execution history (states
entered), and this benchmark's instruments (bench/_platform.py): each invocation's wall time in
this process, and each AWS call filed under the invocation that made it, which is how the status
polls' DynamoDB reads are subtracted exactly.

Caveats: handler times are measured on moto in one process, not on Lambda's arm64 against real
DynamoDB (network round trips there are typically longer than moto's in-process calls).
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter, defaultdict
from datetime import date

from bench import _platform, _shop
from bench._common import Metric, Report, main

POLL_S = 0.25
SETTLE_S = 0.5
POLL_LABEL = "GET /orders/{order_id}"
SANDBOX_PAY_LABEL = "POST /sandbox-payments/{intent_id}/pay"

TARGET_TRANSITIONS = 12
TARGET_DYNAMODB_REQUESTS = 40
TARGET_USD_PER_POLICY = 0.001

# Public us-east-1 list prices (on-demand / pay per request). DynamoDB's are those after the on-demand
# price cut of 2024-11-01. Assumed unchanged on the run date; not re-checked online by this benchmark.
PRICES_AS_OF = "2024-11-01"
PRICES = {
    "dynamodb_wru": 0.625 / 1e6,  # per write request unit (on-demand)
    "dynamodb_rru": 0.125 / 1e6,  # per read request unit (on-demand)
    "lambda_request": 0.20 / 1e6,  # arm64, per request
    "lambda_gb_second": 0.0000133334,  # arm64, per GB-second
    "api_request": 3.50 / 1e6,  # API Gateway REST API, first 333 million requests a month
    "sfn_transition": 0.025 / 1000,  # Step Functions Standard, per state transition
}
DDB_READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
DDB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
# Upper bound: an order/policy-sized item (< 4 KB) written = 4 WRU; read = 1 RRU (strongly consistent,
# < 4 KB); transactions cost double per item, as DynamoDB charges them.
UPPER_WRU_PER_ITEM, UPPER_RRU_PER_ITEM, TRANSACTION_FACTOR = 4, 1, 2


def capacity_units(call: _platform.AwsCall) -> tuple[str, int, int]:
    """(kind "read"/"write", lower-bound units, upper-bound units) of one DynamoDB request."""
    operation = call.operation.split(".", 1)[1]
    body = call.body
    if operation in DDB_WRITES:
        if operation == "TransactWriteItems":
            items = len(body.get("TransactItems") or []) or 1
            return "write", 1, items * UPPER_WRU_PER_ITEM * TRANSACTION_FACTOR
        if operation == "BatchWriteItem":
            items = sum(len(v) for v in (body.get("RequestItems") or {}).values()) or 1
            return "write", 1, items * UPPER_WRU_PER_ITEM
        return "write", 1, UPPER_WRU_PER_ITEM
    if operation == "TransactGetItems":
        items = len(body.get("TransactItems") or []) or 1
        return "read", 1, items * UPPER_RRU_PER_ITEM * TRANSACTION_FACTOR
    if operation == "BatchGetItem":
        items = sum(len(v.get("Keys") or []) for v in (body.get("RequestItems") or {}).values()) or 1
        return "read", 1, items * UPPER_RRU_PER_ITEM
    return "read", 1, UPPER_RRU_PER_ITEM


def _ops_text(counter: Counter, short: bool = True) -> str:
    return (
        ", ".join(f"{op.split('.', 1)[1] if short else op} {n}" for op, n in sorted(counter.items())) or "-"
    )


def usd(value: float) -> str:
    return f"{value:.7f}"


def run() -> Report:
    report = Report("cost", "Cost per policy sold (one purchase, priced)")
    instruments = _platform.Instruments()
    platform = _platform.start("cost", instruments)
    try:
        customer = _shop.sign_up(platform.api_url)
        _shop.purchase(customer, POLL_S)  # warm-up, not counted
        time.sleep(SETTLE_S)
        if getattr(platform, "streams", None) is not None:
            platform.streams.drain(timeout=30)

        platform.aws.meter.reset()
        instruments.reset()
        invocations_before = Counter(platform.aws.runtime.invocations)
        api_before = platform.gateway.api_requests
        customer.polls = 0
        bought = _shop.purchase(customer, POLL_S)
        time.sleep(SETTLE_S)
        # PolicyIssued reaches the rewards consumers through the stream: count their work too.
        streams = getattr(platform, "streams", None)
        if streams is not None:
            streams.drain(timeout=30)
        instruments.recording = False
        meter = Counter(platform.aws.meter.calls)
        invocations = Counter(platform.aws.runtime.invocations) - invocations_before
        api_requests = platform.gateway.api_requests - api_before
        execution = _platform.execution_arn(platform, bought.order_id)
        status = platform.aws.client("stepfunctions").describe_execution(executionArn=execution)["status"]
        transitions = platform.aws.state_transitions(execution)
        specs = platform.aws.template.functions()
    finally:
        _platform.stop(platform, instruments)
    if status != "SUCCEEDED":
        raise RuntimeError(f"the measured purchase's execution is {status}, not SUCCEEDED")
    calls, runs = list(instruments.calls), list(instruments.invocations)
    nested = [r for r in runs if r.nested_in]
    if nested:
        report.note(
            f"{len(nested)} invocation(s) ran inside another in the same thread (their time is also in "
            f"the outer one's): {sorted({f'{r.function} {r.label} in {r.nested_in}' for r in nested})}"
        )

    # ---------- DynamoDB ----------
    ddb_meter = Counter({k: v for k, v in meter.items() if k.startswith("dynamodb.")})
    ddb_calls = [c for c in calls if c.operation.startswith("dynamodb.")]
    if Counter(c.operation for c in ddb_calls) != ddb_meter:
        report.note(
            f"the platform meter {dict(ddb_meter)} and the per-invocation instruments "
            f"{dict(Counter(c.operation for c in ddb_calls))} disagree; totals use the meter"
        )
    poll_calls = [c for c in ddb_calls if c.label == POLL_LABEL]
    polls = sum(1 for r in runs if r.label == POLL_LABEL)
    by_op_poll = Counter(c.operation for c in poll_calls)
    report.table(
        "DynamoDB requests by operation",
        ["Operation", "Total", f"In {polls} status polls", "Excluding polls"],
        [[op.split(".", 1)[1], n, by_op_poll[op], n - by_op_poll[op]] for op, n in sorted(ddb_meter.items())]
        + [["All", sum(ddb_meter.values()), len(poll_calls), sum(ddb_meter.values()) - len(poll_calls)]],
        note=f"the customer polled GET /orders/{{id}} {customer.polls} times ({polls} invocations); the "
        "'excluding polls' column subtracts exactly the DynamoDB requests made inside those invocations",
    )

    per_label: dict[tuple[str, str], dict] = defaultdict(lambda: {"runs": 0, "ms": 0.0, "ops": Counter()})
    for r in runs:
        entry = per_label[(r.function, r.label)]
        entry["runs"] += 1
        entry["ms"] += r.seconds * 1000
    for c in calls:
        per_label[(c.function, c.label)]["ops"][c.operation] += 1
    rows = []
    for (function, label), entry in per_label.items():
        ddb = Counter({k: v for k, v in entry["ops"].items() if k.startswith("dynamodb.")})
        other = Counter({k: v for k, v in entry["ops"].items() if not k.startswith("dynamodb.")})
        rows.append(
            [
                function,
                label,
                entry["runs"],
                round(entry["ms"], 1),
                sum(ddb.values()),
                _ops_text(ddb),
                _ops_text(other, short=False),
            ]
        )
    rows.sort(key=lambda r: -r[4])
    report.table(
        "Where the requests come from (per invocation kind)",
        [
            "Function",
            "Invocation",
            "Runs",
            "Handler ms",
            "DynamoDB",
            "DynamoDB operations",
            "Other AWS calls",
        ],
        rows,
        note="handler ms = wall time in this process, summed over runs; POST .../pay includes the webhook "
        "round trip it waits for; a row '(outside any invocation)' would be calls by the AWS services",
    )

    # ---------- units and prices ----------
    units = {"lower": Counter(), "upper": Counter()}
    units_no_polls = {"lower": Counter(), "upper": Counter()}
    for c in ddb_calls:
        kind, low, high = capacity_units(c)
        units["lower"][kind] += low
        units["upper"][kind] += high
        if c.label != POLL_LABEL:
            units_no_polls["lower"][kind] += low
            units_no_polls["upper"][kind] += high

    lambda_rows, lambda_requests, gb_seconds, gb_seconds_no_polls = [], 0, 0.0, 0.0
    by_function: dict[str, list] = defaultdict(list)
    for r in runs:
        by_function[r.function].append(r)
    for function in sorted(set(by_function) | set(invocations)):
        mine = by_function.get(function, [])
        memory = specs[function].memory
        billed_ms = sum(math.ceil(r.seconds * 1000) for r in mine)  # Lambda bills each run in 1 ms steps
        gbs = billed_ms / 1000 * memory / 1024
        gbs_polls = (
            sum(math.ceil(r.seconds * 1000) for r in mine if r.label == POLL_LABEL) / 1000 * memory / 1024
        )
        lambda_requests += invocations[function]
        gb_seconds += gbs
        gb_seconds_no_polls += gbs - gbs_polls
        lambda_rows.append(
            [
                function,
                invocations[function],
                memory,
                billed_ms,
                round(gbs, 4),
                usd(invocations[function] * PRICES["lambda_request"] + gbs * PRICES["lambda_gb_second"]),
            ]
        )
    report.table(
        "Lambda invocations by function",
        ["Function", "Invocations", "MB", "Billed ms", "GB-s", "USD"],
        lambda_rows,
        note="billed ms = each invocation's handler wall time rounded up to 1 ms, summed",
    )

    cognito = sum(n for k, n in meter.items() if k.startswith("cognito-idp."))
    other_aws = Counter({k: v for k, v in meter.items() if not k.startswith(("dynamodb.", "cognito-idp."))})
    report.table(
        "Other requests",
        ["What", "Count", "Priced?"],
        [
            ["API Gateway requests (incl. the webhook the sandbox posts)", api_requests, "yes"],
            ["of which: status polls", polls, "yes"],
            ["Step Functions state transitions (states entered, execution history)", transitions, "yes"],
            ["Cognito API calls", cognito, "no: Cognito bills monthly active users, not calls"],
            *[
                [f"{op} (API call)", n, "no: included in the state machine / Lambda price"]
                for op, n in sorted(other_aws.items())
            ],
        ],
    )

    def dollars(
        ddb_units: dict[str, Counter], lam_requests: int, gbs: float, api: int
    ) -> dict[str, dict[str, float]]:
        out = {}
        for bound in ("lower", "upper"):
            out[bound] = {
                "API Gateway": api * PRICES["api_request"],
                "Lambda requests": lam_requests * PRICES["lambda_request"],
                "Lambda compute": gbs * PRICES["lambda_gb_second"],
                "Step Functions": transitions * PRICES["sfn_transition"],
                "DynamoDB writes": ddb_units[bound]["write"] * PRICES["dynamodb_wru"],
                "DynamoDB reads": ddb_units[bound]["read"] * PRICES["dynamodb_rru"],
            }
        return out

    total = dollars(units, lambda_requests, gb_seconds, api_requests)
    no_polls = dollars(units_no_polls, lambda_requests - polls, gb_seconds_no_polls, api_requests - polls)
    quantities = {
        "API Gateway": (f"{api_requests} requests", f"${PRICES['api_request'] * 1e6:.2f} / million"),
        "Lambda requests": (
            f"{lambda_requests} requests",
            f"${PRICES['lambda_request'] * 1e6:.2f} / million",
        ),
        "Lambda compute": (f"{gb_seconds:.4f} GB-s", f"${PRICES['lambda_gb_second']:.10f} / GB-s"),
        "Step Functions": (f"{transitions} transitions", f"${PRICES['sfn_transition'] * 1000:.3f} / 1,000"),
        "DynamoDB writes": (
            f"{units['lower']['write']}-{units['upper']['write']} WRU",
            f"${PRICES['dynamodb_wru'] * 1e6:.3f} / million WRU",
        ),
        "DynamoDB reads": (
            f"{units['lower']['read']}-{units['upper']['read']} RRU",
            f"${PRICES['dynamodb_rru'] * 1e6:.3f} / million RRU",
        ),
    }
    cost_rows = [
        [item, qty, price, usd(total["lower"][item]), usd(total["upper"][item]), usd(no_polls["upper"][item])]
        for item, (qty, price) in quantities.items()
    ]
    sums = {k: sum(v.values()) for k, v in total.items()}
    sum_no_polls = sum(no_polls["upper"].values())
    cost_rows.append(["Total per policy", "", "", usd(sums["lower"]), usd(sums["upper"]), usd(sum_no_polls)])
    cost_rows.append(
        [
            "Per 1,000 policies",
            "",
            "",
            f"{sums['lower'] * 1000:.4f}",
            f"{sums['upper'] * 1000:.4f}",
            f"{sum_no_polls * 1000:.4f}",
        ]
    )
    print(
        f"\nPrices used: AWS us-east-1 public list prices as published from {PRICES_AS_OF} (DynamoDB "
        f"on-demand after that day's price cut), assumed unchanged on the run date {date.today()}."
    )
    report.table(
        "Cost of one policy sold (USD)",
        ["Item", "Quantity", "Unit price", "Lower bound", "Upper bound", "Upper, excl. polls"],
        cost_rows,
        note="lower bound: every DynamoDB request = 1 request unit; upper bound: every item written = "
        f"{UPPER_WRU_PER_ITEM} WRU (an order/policy-sized item up to 4 KB), every item read = "
        f"{UPPER_RRU_PER_ITEM} RRU, transactions x{TRANSACTION_FACTOR} per item. Neither includes GSI "
        "propagation writes, Streams, storage, CloudWatch Logs or data transfer",
    )
    report.note(
        f"prices: AWS us-east-1 list prices as published from {PRICES_AS_OF}, assumed current on "
        f"{date.today()}: DynamoDB on-demand ${PRICES['dynamodb_wru'] * 1e6:.3f} per million WRU and "
        f"${PRICES['dynamodb_rru'] * 1e6:.3f} per million RRU; Lambda arm64 "
        f"${PRICES['lambda_request'] * 1e6:.2f} per million requests + "
        f"${PRICES['lambda_gb_second']:.10f} per GB-second; API Gateway REST "
        f"${PRICES['api_request'] * 1e6:.2f} per million requests; Step Functions Standard "
        f"${PRICES['sfn_transition'] * 1000:.3f} per 1,000 state transitions"
    )

    ddb_total = sum(ddb_meter.values())
    report.metrics += [
        Metric("Step Functions state transitions", transitions, "", TARGET_TRANSITIONS, digits=0),
        Metric(
            "DynamoDB requests, excluding status polls",
            ddb_total - len(poll_calls),
            "",
            TARGET_DYNAMODB_REQUESTS,
            digits=0,
        ),
        Metric(f"DynamoDB requests, including {polls} status polls", ddb_total, "", digits=0),
        Metric(
            "Cost per policy, upper bound incl. polls",
            round(sums["upper"], 7),
            "USD",
            TARGET_USD_PER_POLICY,
            digits=6,
        ),
        Metric("Cost per policy, lower bound incl. polls", round(sums["lower"], 7), "USD", digits=6),
        Metric("Lambda invocations", lambda_requests, "", digits=0),
        Metric("API Gateway requests", api_requests, "", digits=0),
    ]
    return report


if __name__ == "__main__":
    sys.exit(main("cost", run))
