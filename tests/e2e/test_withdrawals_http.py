"""Withdrawals over HTTP on the local platform: a member with an available balance sends 50 withdrawal
requests at once and never gets more than the balance reserved; operators approve (paid) and reject
(money back), and customers cannot reach the operators' routes."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from shop import ApiClient

pytestmark = pytest.mark.e2e
ACCOUNT = {
    "holder_name": "Wang Fang",
    "bank_name": "Bank of China Shanghai",
    "account_no": "6217 8500 0000 1234 567",
}


def send(client: ApiClient, method: str, path: str, body=None, headers=None) -> requests.Response:
    """One request on its own connection (a requests.Session is not shared between threads)."""
    sent = {"Authorization": f"Bearer {client.token}"} | (headers or {})
    return requests.request(method, client.base + path, json=body, headers=sent, timeout=60)


def fund(member_id: str, cents: int) -> None:
    """An available balance as the ledger records one (the platform runs in this process)."""
    from distribution.referrals.domain.withdrawals import china_day
    from distribution.referrals.repository import fee_ledger as ledger

    ledger.post(
        member_id,
        [ledger.Entry(f"T{uuid.uuid4().hex[:12]}", "adjust", cents, "available", detail={"reason": "e2e"})],
        day=china_day(),
    )


def ledger_sums(member_id: str) -> dict[str, int]:
    from insuremall.models.rewards import LedgerEntryRecord, member_pk

    sums: Counter[str] = Counter()
    for entry in LedgerEntryRecord.query(
        member_pk(member_id), LedgerEntryRecord.sk.startswith("LEDGER#"), consistent_read=True
    ):
        sums[entry.balance] += int(entry.amount_cents)
    return {f"{name}_cents": sums.get(name, 0) for name in ("pending", "available", "reserved", "withdrawn")}


def balances(member_id: str) -> dict[str, int]:
    from distribution.referrals.repository import fee_ledger as ledger

    found = ledger.balance(member_id, consistent=True)
    return {k: found[k] for k in ("pending_cents", "available_cents", "reserved_cents", "withdrawn_cents")}


def test_given_50_concurrent_requests_over_http_then_the_balance_is_never_overdrawn_and_decisions_settle(
    platform, customer, operator
):
    member_id = customer.get("/members/me").json()["member"]["member_id"]
    assert send(customer, "POST", "/members/me/withdrawals", {"amount_cents": 2_000}).status_code == 422
    response = send(customer, "PUT", "/members/me/payout-account", ACCOUNT)
    assert response.status_code == 200, response.text
    assert response.json()["account_no"] == "*" * 15 + "4567"
    fund(member_id, 10_000)

    def request(cents: int) -> requests.Response:
        return send(customer, "POST", "/members/me/withdrawals", {"amount_cents": cents})

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(request, [1_500] * 40 + [1_000] * 10))

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses if r.status_code not in (201, 409)]
    accepted = [r.json() for r in responses if r.status_code == 201]
    reserved = sum(w["amount_cents"] for w in accepted)
    assert len(accepted) >= 6 and reserved <= 10_000
    refused = next(r.json() for r in responses if r.status_code == 409)
    assert "available balance" in refused["error"]["fields"]["amount_cents"]
    assert balances(member_id) == ledger_sums(member_id)
    assert balances(member_id)["reserved_cents"] == reserved
    assert balances(member_id)["available_cents"] == 10_000 - reserved

    mine = send(customer, "GET", "/members/me/withdrawals?limit=50").json()["withdrawals"]
    assert sorted(w["withdrawal_id"] for w in mine) == sorted(w["withdrawal_id"] for w in accepted)
    assert all(w["status"] == "pending" for w in mine)

    # Customers cannot reach the operators' routes.
    assert send(customer, "GET", "/admin/withdrawals").status_code == 403
    first, second = accepted[0], accepted[1]
    path = f"/admin/withdrawals/{first['withdrawal_id']}/decision"
    assert send(customer, "POST", path, {"decision": "approve"}).status_code == 403

    with ThreadPoolExecutor(max_workers=2) as pool:
        approvals = list(pool.map(lambda _: send(operator, "POST", path, {"decision": "approve"}), range(2)))
    assert [r.status_code for r in approvals] == [200, 200], [r.text for r in approvals]
    assert {r.json()["status"] for r in approvals} == {"paid"}
    response = send(
        operator,
        "POST",
        f"/admin/withdrawals/{second['withdrawal_id']}/decision",
        {"decision": "reject", "note": "please use an account in your own name"},
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"

    after = balances(member_id)
    assert after == ledger_sums(member_id)
    assert after["withdrawn_cents"] == first["amount_cents"]
    assert after["reserved_cents"] == reserved - first["amount_cents"] - second["amount_cents"]
    assert after["available_cents"] == 10_000 - reserved + second["amount_cents"]

    shown = {
        w["withdrawal_id"]: w
        for w in send(customer, "GET", "/members/me/withdrawals?limit=50").json()["withdrawals"]
    }
    assert shown[first["withdrawal_id"]]["status"] == "paid"
    assert shown[first["withdrawal_id"]]["payout"]["payout_id"] == f"po_{first['withdrawal_id']}"
    assert shown[second["withdrawal_id"]]["note"] == "please use an account in your own name"
    paid = send(operator, "GET", "/admin/withdrawals?status=paid").json()["withdrawals"]
    assert paid[0]["withdrawal_id"] == first["withdrawal_id"]
    assert paid[0]["member_id"] == member_id
