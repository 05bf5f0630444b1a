"""`make query` against a running platform: a policy bought through the storefront's API lands in the lake
(events/type=PolicyIssued/dt=<China day>/), and `python -m local.query` (what `make query` runs) mirrors the
lake over the platform's /local/lake and answers the README's query with DuckDB."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shop import pay, place_order, quote, sign_up, wait_for_order

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_given_a_policy_bought_when_make_query_runs_then_duckdb_sums_it_by_province(
    platform, anonymous, tmp_path
):
    pytest.importorskip("duckdb", reason="DuckDB is a dev dependency (requirements/dev.txt)")
    customer = sign_up(platform, "Lake Customer")
    offer = quote(anonymous, "accident-commuter", plan="plus")
    order = place_order(customer, offer, health_answers={})
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed"})
    assert issued["status"] == "issued", issued
    policy_no = issued["policy_no"]
    day = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()

    def make_query(sql: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own module, our own SQL
            [sys.executable, "-m", "local.query", sql],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PORT": str(platform.port), "LAKE_DIR": str(tmp_path)},
        )  # fmt: skip

    mine = f"type = 'PolicyIssued' and dt = '{day}' and policy_no = '{policy_no}'"
    found = make_query(f"select policy_no, province, premium_cents from events where {mine}")  # noqa: S608
    assert found.returncode == 0, found.stderr
    assert policy_no in found.stdout and "lake mirrored" in found.stderr
    assert list(tmp_path.glob(f"events/type=PolicyIssued/dt={day}/*.jsonl.gz"))

    month = f"type = 'PolicyIssued' and dt between '{day[:8]}01' and '{day}'"
    figures = "province, sum(premium_cents) / 100 as premium_cny, count(*) as policies"
    by_province = make_query(f"select {figures} from events where {month} group by province")  # noqa: S608
    assert by_province.returncode == 0, by_province.stderr
    assert "premium_cny" in by_province.stdout
