"""The member's promotion-fee dashboard and first ledger page for a member with 100 and with 10,000
ledger entries: latency and DynamoDB requests per request. The dashboard reads the balance item and
the day/month counters; a page is one index Query of `limit` entries; neither may grow with the ledger.

On the embedded AWS (moto) in this process, through the real DistributionFunction handler (Chalice,
JWT check) as API Gateway invokes it, no HTTP. The entries are written straight through the ledger
model with batch writes (three entries per policy, as earn + release + available), with the balance and
counters they sum to.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._common import Metric, Report, main, median, percentile

SIZES = (100, 10_000)
CALLS = 10
PASSWORD = "Bench2026pass"  # noqa: S105 - a benchmark user's password
FEE = 5_400


def _member(aws) -> tuple[str, str]:
    from local import demo

    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    sub = demo.create_user(aws, email, PASSWORD, "Bench Earner")
    tokens = aws.client("cognito-idp").initiate_auth(
        ClientId=aws.refs["StorefrontUserPoolClient"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return sub, tokens["IdToken"]


def _write_ledger(member_id: str, count: int) -> float:
    """`count` entries (a third each earn, release, available), newest ones in the last days."""
    from insuremall.clock import CHINA
    from insuremall.models.rewards import BalanceRecord, LedgerEntryRecord, StatRecord, member_pk

    started = time.perf_counter()
    pk = member_pk(member_id)
    now = datetime.now(UTC)
    policies = count // 3 + (1 if count % 3 else 0)
    written = released = 0
    with LedgerEntryRecord.batch_write() as batch:
        for p in range(policies):
            policy_no = f"JADE2026{p:012d}"
            at = (now - timedelta(minutes=5 * (policies - p))).isoformat(timespec="milliseconds")
            kinds = [("earn", FEE, "pending"), ("release", -FEE, "pending"), ("available", FEE, "available")]
            for kind, amount, balance in kinds[: min(3, count - written)]:
                sk = f"LEDGER#P{policy_no}#L1#{kind}"
                batch.save(
                    LedgerEntryRecord(
                        pk=pk,
                        sk=sk,
                        member_id=member_id,
                        kind=kind,
                        amount_cents=amount,
                        balance=balance,
                        at=at,
                        policy_no=policy_no,
                        level=1,
                        detail={"rate_bp": 1500, "base_cents": 36_000, "settlement": "cash"},
                        gsi2pk=f"LEDGER#{member_id}",
                        gsi2sk=f"{at}#{sk}",
                    )
                )
                written += 1
                released += 1 if kind == "available" else 0
    earned = policies * FEE
    BalanceRecord(
        pk=pk,
        pending_cents=earned - released * FEE,
        available_cents=released * FEE,
        earned_cents=earned,
    ).save()
    today = datetime.now(CHINA).date()
    StatRecord(pk=pk, sk=f"STAT#D#{today.isoformat()}", earned_cents=FEE).save()
    StatRecord(pk=pk, sk=f"STAT#M#{today.isoformat()[:7]}", earned_cents=earned).save()
    return time.perf_counter() - started


class _Caller:
    def __init__(self, aws, token: str):
        from local.gateway import Gateway
        from local.template import Template

        self.aws, self.token = aws, token
        self.gateway = Gateway(Template().routes(), aws.runtime)

    def get(self, path: str, query: str = "") -> tuple[dict[str, Any], float, int]:
        from local.gateway import build_event

        route, params, _ = self.gateway.match("GET", path)
        headers = {"authorization": f"Bearer {self.token}"}
        event = build_event(route, "GET", path, query, headers, b"", params, "localhost")
        self.aws.meter.reset()
        started = time.perf_counter()
        result, error = self.aws.runtime.invoke(route.function, event)
        seconds = time.perf_counter() - started
        requests = self.aws.meter.count("dynamodb")
        if error is not None or result["statusCode"] != 200:
            raise RuntimeError(f"GET {path} failed: {result}")
        return json.loads(result["body"]), seconds, requests


def _query_ms(member_id: str) -> float:
    """Median time of the page's index Query alone, in-process: on moto it grows with the table (moto
    reads every item to answer a Query); on DynamoDB it reads one page of one partition."""
    from distribution.referrals.repository import fee_ledger as ledger

    times = []
    for _ in range(5):
        started = time.perf_counter()
        ledger.page(member_id, 20)
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


def _measure(aws) -> Report:
    report = Report("member_dashboard", "Member dashboard: cost against the length of the ledger")
    rows, results = [], {}
    for size in SIZES:
        member_id, token = _member(aws)
        write_s = _write_ledger(member_id, size)
        caller = _Caller(aws, token)
        for _ in range(3):  # warm: token keys, connections, imports
            caller.get("/members/me/commissions")
            caller.get("/members/me/commissions/entries", "limit=20")
        dash_ms, dash_req, page_ms, page_req, next_ms, next_req = [], [], [], [], [], []
        for _ in range(CALLS):
            dashboard, seconds, requests = caller.get("/members/me/commissions")
            dash_ms.append(seconds * 1000)
            dash_req.append(requests)
            page, seconds, requests = caller.get("/members/me/commissions/entries", "limit=20")
            page_ms.append(seconds * 1000)
            page_req.append(requests)
            _, seconds, requests = caller.get(
                "/members/me/commissions/entries", f"limit=20&after={page['next']}"
            )
            next_ms.append(seconds * 1000)
            next_req.append(requests)
        if dashboard["total_cents"] != (size // 3 + (1 if size % 3 else 0)) * FEE or not page["next"]:
            raise RuntimeError(f"unexpected answers: {dashboard}, {len(page['entries'])} entries")
        query_ms = _query_ms(member_id)
        results[size] = {
            "dash_ms": median(dash_ms),
            "dash_req": max(dash_req),
            "page_ms": median(page_ms),
            "page_req": max(page_req),
        }
        rows.append(
            [
                size,
                round(write_s, 1),
                round(median(dash_ms), 1),
                round(percentile(dash_ms, 95), 1),
                max(dash_req),
                round(median(page_ms), 1),
                round(percentile(page_ms, 95), 1),
                max(page_req),
                round(median(next_ms), 1),
                max(next_req),
                round(query_ms, 1),
            ]
        )
    report.table(
        f"Per request through the DistributionFunction handler ({CALLS} calls each, after 3 warm-up calls)",
        [
            "Ledger entries",
            "Seed s (batch)",
            "Dashboard ms (median)",
            "Dashboard ms (p95)",
            "Dashboard DynamoDB requests",
            "First page ms (median)",
            "First page ms (p95)",
            "First page DynamoDB requests",
            "Second page ms (median)",
            "Second page DynamoDB requests",
            "The page's index Query alone ms",
        ],
        rows,
        note="Dashboard = GET /members/me/commissions (balance item + one BatchGetItem of the day and month "
        "counters + the settings item for the withdrawal minimum); "
        "pages = GET /members/me/commissions/entries?limit=20 (one Query of the byTime index); "
        "the requests column is the most any call made",
    )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    report.note(
        "Latency on moto is not DynamoDB's: moto answers a Query by reading every item of the table, so "
        "the page's time grows with everything stored in the embedded table here (all members' entries), "
        "not on DynamoDB, where one index Query reads one page of one partition. The request counts are "
        "exact and do not change with the ledger's length."
    )
    report.metrics += [
        # The balance item, one batch of the day and month counters, the settings (withdrawal minimum).
        Metric("Dashboard DynamoDB requests at 10k entries", large["dash_req"], "", 3, "<=", digits=0),
        Metric("First page DynamoDB requests at 10k entries", large["page_req"], "", 1, "<=", digits=0),
        Metric(
            "Dashboard requests 10k / 100 entries",
            large["dash_req"] / small["dash_req"],
            "x",
            1,
            "<=",
            digits=2,
        ),
        Metric(
            "Page requests 10k / 100 entries", large["page_req"] / small["page_req"], "x", 1, "<=", digits=2
        ),
        Metric("Dashboard latency at 10k entries (median)", large["dash_ms"], "ms", digits=1),
        Metric("First page latency at 10k entries (median)", large["page_ms"], "ms", digits=1),
        Metric("Dashboard latency ratio 10k / 100", large["dash_ms"] / small["dash_ms"], "x", digits=2),
    ]
    return report


def run() -> Report:
    from local.embedded_aws import EmbeddedAws

    aws = EmbeddedAws().start()
    try:
        return _measure(aws)
    finally:
        aws.stop()


if __name__ == "__main__":
    sys.exit(main("member_dashboard", run))
