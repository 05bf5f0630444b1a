"""Withdrawals through the real DistributionFunction handler, in-process over the embedded AWS: payout
accounts, requests reserving the available balance (50 at once), operators' approvals and rejections,
payouts paid once, automatic approval, and who may see what."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from contextlib import contextmanager

import pytest
from test_catalog_admin import _signed_in

from distribution.promotions.repository import program_settings as rewards_settings
from distribution.referrals import payouts
from distribution.referrals.domain.withdrawals import china_day
from distribution.referrals.repository import fee_ledger as ledger
from distribution.referrals.repository import withdrawals
from insuremall import audit
from insuremall.models.rewards import (
    SETTINGS_PK,
    SETTINGS_SK,
    LedgerEntryRecord,
    ProgramSettingsRecord,
    member_pk,
)

ACCOUNT = {"holder_name": "Li Hua", "bank_name": "ICBC Beijing Branch", "account_no": "6222020200112233445"}


def fund(member_id: str, cents: int) -> None:
    """Give a member an available balance the way the ledger records one (an adjust entry)."""
    ledger.post(
        member_id,
        [ledger.Entry(f"T{uuid.uuid4().hex[:12]}", "adjust", cents, "available", detail={"reason": "test"})],
        day=china_day(),
    )


def ledger_sums(member_id: str) -> dict[str, int]:
    sums: Counter[str] = Counter()
    for entry in LedgerEntryRecord.query(
        member_pk(member_id), LedgerEntryRecord.sk.startswith("LEDGER#"), consistent_read=True
    ):
        sums[entry.balance] += int(entry.amount_cents)
    return {f"{name}_cents": sums.get(name, 0) for name in ledger.BALANCES}


def balances(member_id: str) -> dict[str, int]:
    found = ledger.balance(member_id, consistent=True)
    return {k: found[k] for k in ("pending_cents", "available_cents", "reserved_cents", "withdrawn_cents")}


@contextmanager
def programme(**changes):
    """Programme settings changed for one test, then put back."""
    before = rewards_settings.current()
    revision = before.pop("revision")
    rewards_settings.save(before | changes, revision, "test")
    try:
        yield
    finally:
        if revision == 0:  # never saved before: leave no settings item behind
            ProgramSettingsRecord(SETTINGS_PK, SETTINGS_SK).delete()
        else:
            rewards_settings.save(before, rewards_settings.current()["revision"], "test")


class SpyProvider(payouts.SandboxPayoutProvider):
    """The sandbox, optionally failing before or after it pays (a crash around the payout)."""

    def __init__(self, fail_before: int = 0, fail_after: int = 0):
        super().__init__()
        self.fail_before, self.fail_after, self.calls = fail_before, fail_after, 0

    def payout(self, withdrawal_id, amount_cents, account):
        self.calls += 1
        if self.fail_before:
            self.fail_before -= 1
            raise ConnectionError("provider unreachable")
        paid = super().payout(withdrawal_id, amount_cents, account)
        if self.fail_after:
            self.fail_after -= 1
            raise TimeoutError("answer lost")
        return paid


@pytest.fixture
def provider(monkeypatch) -> SpyProvider:
    spy = SpyProvider()
    monkeypatch.setattr(payouts, "_provider", spy)
    return spy


@pytest.fixture(scope="module")
def operator(aws):
    return _signed_in(aws, groups=("operators",))


def new_member(aws, funds: int = 0, account: bool = True):
    member = _signed_in(aws)
    member.member_id = member.get("/members/me")[1]["member"]["member_id"]
    if account:
        status, body = member.put("/members/me/payout-account", ACCOUNT)
        assert status == 200, body
    if funds:
        fund(member.member_id, funds)
    return member


def withdraw(member, cents: int, key: str | None = None):
    return member.post(
        "/members/me/withdrawals", {"amount_cents": cents}, headers={"idempotency-key": key} if key else None
    )


def decide(operator, withdrawal_id: str, decision: str, note: str | None = None):
    body = {"decision": decision} | ({"note": note} if note else {})
    return operator.post(f"/admin/withdrawals/{withdrawal_id}/decision", body)


# ---------- payout accounts ----------


def test_given_no_account_when_read_then_200_with_none_and_when_saved_then_only_masked_numbers_are_shown(aws):
    member = new_member(aws, account=False)
    # A missing optional thing is not an error: the rewards page asks on every load.
    assert member.get("/members/me/payout-account") == (200, {"payout_account": None})

    status, body = member.put(
        "/members/me/payout-account", ACCOUNT | {"account_no": "6222 0202 0011 2233 445"}
    )
    assert status == 200, body
    assert body["account_no"] == "*" * 15 + "3445"
    assert body["holder_name"] == "L*****"
    assert body["bank_name"] == ACCOUNT["bank_name"]
    assert member.get("/members/me/payout-account") == (200, {"payout_account": body})
    assert "6222020200112233445" not in str(member.get("/members/me/payout-account")[1])


def test_given_a_bad_account_when_saved_then_422_names_each_field(aws):
    member = new_member(aws, account=False)
    status, body = member.put("/members/me/payout-account", {"holder_name": "L", "account_no": "12-34"})
    assert status == 422
    assert set(body["error"]["fields"]) == {"holder_name", "bank_name", "account_no"}
    account = {"holder_name": "Li Lei", "bank_name": "ICBC", "account_no": "12-34"}
    status, body = member.put("/members/me/payout-account", account)
    assert status == 422 and body["error"]["fields"] == {
        "account_no": "must be the bank account or card number: 12 to 19 digits"
    }, body
    # Spaces and dashes people type stay allowed.
    account["account_no"] = "6222 0202-0011 2233 445"
    status, body = member.put("/members/me/payout-account", account)
    assert status == 200 and body["account_no"].endswith("3445"), body
    status, body = member.call("PUT", "/members/me/payout-account", ["not", "an", "object"])
    assert status == 400


# ---------- requests ----------


def test_given_an_available_balance_when_withdrawing_then_it_is_reserved_in_the_ledger(aws, provider):
    member = new_member(aws, funds=10_000)
    status, body = withdraw(member, 4_000)
    assert status == 201, body
    assert (body["status"], body["amount_cents"], body["amount"]) == ("pending", 4_000, "40.00")
    assert body["payout_account"] == {
        "holder_name": "L*****",
        "bank_name": ACCOUNT["bank_name"],
        "account_no": "*" * 15 + "3445",
    }
    assert [h["status"] for h in body["history"]] == ["pending"]
    assert "member_id" not in body
    assert balances(member.member_id) == {
        "pending_cents": 0,
        "available_cents": 6_000,
        "reserved_cents": 4_000,
        "withdrawn_cents": 0,
    }
    entries = ledger.entries_for_subject(member.member_id, f"W{body['withdrawal_id']}")
    assert sorted((e["kind"], e["balance"], e["amount_cents"]) for e in entries) == [
        ("reserve", "available", -4_000),
        ("reserved", "reserved", 4_000),
    ]
    assert provider.sent == []


def test_given_bad_requests_then_401_422_or_409_with_the_reason(aws):
    member = new_member(aws, funds=5_000)
    assert withdraw(_signed_in.__globals__["Api"](aws), 2_000)[0] == 401
    status, body = withdraw(member, 999)
    assert status == 422 and "minimum withdrawal is 1000 fen" in body["error"]["fields"]["amount_cents"]
    status, body = withdraw(member, 5_001)
    assert status == 409 and "available balance (5000 fen)" in body["error"]["fields"]["amount_cents"]
    status, body = withdraw(new_member(aws, funds=5_000, account=False), 2_000)
    assert status == 422 and "payout_account" in body["error"]["fields"]
    status, body = withdraw(member, 2_000, key="bad key")
    assert status == 400
    assert balances(member.member_id)["available_cents"] == 5_000


def test_given_the_minimum_raised_by_operators_then_smaller_requests_are_refused(aws):
    member = new_member(aws, funds=50_000)
    with programme(withdrawal_min_cents=20_000):
        status, body = withdraw(member, 19_999)
        assert status == 422 and "20000 fen" in body["error"]["fields"]["amount_cents"]
        assert withdraw(member, 20_000)[0] == 201


def test_given_50_concurrent_requests_against_one_balance_then_never_more_than_it_is_reserved(aws, provider):
    member = new_member(aws, funds=10_000)
    statuses: list[int] = []
    lock = threading.Lock()

    def request(cents: int) -> None:
        status, _ = withdraw(member, cents)
        with lock:
            statuses.append(status)

    amounts = [1_500] * 40 + [1_000] * 10
    threads = [threading.Thread(target=request, args=(cents,)) for cents in amounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == 50 and set(statuses) <= {201, 409}, Counter(statuses)
    mine, _ = withdrawals.for_member(member.member_id, limit=50)
    reserved = sum(w["amount_cents"] for w in mine)
    assert len(mine) == statuses.count(201) >= 6
    assert reserved <= 10_000
    assert balances(member.member_id) == ledger_sums(member.member_id)
    assert balances(member.member_id)["reserved_cents"] == reserved
    assert balances(member.member_id)["available_cents"] == 10_000 - reserved >= 0
    assert balances(member.member_id)["available_cents"] < 1_000  # the balance was used up


def test_given_an_idempotency_key_when_the_request_is_repeated_then_one_withdrawal(aws, provider):
    member = new_member(aws, funds=10_000)
    key = f"wd-{uuid.uuid4().hex[:12]}"
    first = withdraw(member, 3_000, key)
    again = withdraw(member, 3_000, key)
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["withdrawal_id"] == first[1]["withdrawal_id"]
    assert withdraw(member, 4_000, key)[0] == 409

    key2 = f"wd-{uuid.uuid4().hex[:12]}"
    results: list[tuple[int, dict]] = []
    threads = [
        threading.Thread(target=lambda: results.append(withdraw(member, 2_000, key2))) for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({body["withdrawal_id"] for _, body in results}) == 1
    assert sorted(status for status, _ in results) == [200] * 9 + [201]
    assert balances(member.member_id)["reserved_cents"] == 5_000
    assert balances(member.member_id) == ledger_sums(member.member_id)


# ---------- decisions ----------


def test_given_a_pending_withdrawal_when_rejected_then_the_money_returns_to_available(
    aws, operator, provider
):
    member = new_member(aws, funds=8_000)
    withdrawal_id = withdraw(member, 5_000)[1]["withdrawal_id"]

    status, body = decide(operator, withdrawal_id, "reject", "account name does not match")
    assert status == 200, body
    assert (body["status"], body["note"], body["member_id"]) == (
        "rejected",
        "account name does not match",
        member.member_id,
    )
    assert [h["status"] for h in body["history"]] == ["pending", "rejected"]
    assert balances(member.member_id) == {
        "pending_cents": 0,
        "available_cents": 8_000,
        "reserved_cents": 0,
        "withdrawn_cents": 0,
    }
    assert balances(member.member_id) == ledger_sums(member.member_id)
    trail = audit.entries(entity=f"withdrawal:{withdrawal_id}")
    assert [e["action"] for e in trail] == ["withdrawal.rejected"]
    assert trail[0]["actor"]["email"] == operator.email

    assert decide(operator, withdrawal_id, "reject")[1]["status"] == "rejected"  # repeated: no change
    assert balances(member.member_id)["available_cents"] == 8_000
    status, body = decide(operator, withdrawal_id, "approve")
    assert status == 409 and "rejected" in body["error"]["message"]
    assert provider.sent == []
    assert member.get("/members/me/withdrawals")[1]["withdrawals"][0]["status"] == "rejected"


def test_given_two_concurrent_approvals_then_the_withdrawal_is_paid_once(aws, operator, provider):
    member = new_member(aws, funds=9_000)
    withdrawal_id = withdraw(member, 6_000)[1]["withdrawal_id"]
    results: list[tuple[int, dict]] = []
    threads = [
        threading.Thread(target=lambda: results.append(decide(operator, withdrawal_id, "approve")))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in results] == [200, 200], results
    assert {body["status"] for _, body in results} == {"paid"}
    assert provider.sent == [withdrawal_id]
    assert withdrawals.get_payout(withdrawal_id)["amount_cents"] == 6_000
    assert balances(member.member_id) == {
        "pending_cents": 0,
        "available_cents": 3_000,
        "reserved_cents": 0,
        "withdrawn_cents": 6_000,
    }
    assert balances(member.member_id) == ledger_sums(member.member_id)
    kinds = sorted(e["kind"] for e in ledger.entries_for_subject(member.member_id, f"W{withdrawal_id}"))
    assert kinds == ["payout", "reserve", "reserved", "withdrawn"]
    paid = withdrawals.get(withdrawal_id)
    assert [h["status"] for h in paid["history"]] == ["pending", "approved", "paid"]
    assert paid["payout"]["payout_id"] == f"po_{withdrawal_id}"
    actions = sorted(e["action"] for e in audit.entries(entity=f"withdrawal:{withdrawal_id}"))
    assert actions == ["withdrawal.approved", "withdrawal.paid"]
    status, body = decide(operator, withdrawal_id, "approve")  # once more: nothing changes
    assert (status, body["status"], provider.sent) == (200, "paid", [withdrawal_id])
    assert decide(operator, withdrawal_id, "reject")[0] == 409


@pytest.mark.parametrize("crash", ["fail_before", "fail_after"])
def test_given_a_crash_around_the_payout_when_approved_again_then_it_is_finished_and_paid_once(
    aws, operator, monkeypatch, crash
):
    spy = SpyProvider(**{crash: 1})
    monkeypatch.setattr(payouts, "_provider", spy)
    member = new_member(aws, funds=7_000)
    withdrawal_id = withdraw(member, 7_000)[1]["withdrawal_id"]

    status, body = decide(operator, withdrawal_id, "approve")
    assert status == 409 and "approve it again" in body["error"]["message"]
    assert withdrawals.get(withdrawal_id)["status"] == "approved"
    assert balances(member.member_id)["reserved_cents"] == 7_000
    listed = operator.get("/admin/withdrawals", query="status=approved")[1]["withdrawals"]
    assert withdrawal_id in [w["withdrawal_id"] for w in listed]

    status, body = decide(operator, withdrawal_id, "approve")
    assert (status, body["status"]) == (200, "paid")
    assert spy.sent == [withdrawal_id] and spy.calls == 2
    assert balances(member.member_id)["withdrawn_cents"] == 7_000
    assert balances(member.member_id) == ledger_sums(member.member_id)


def test_given_the_account_changed_after_the_request_then_the_request_pays_the_old_account(
    aws, operator, provider
):
    member = new_member(aws, funds=3_000)
    withdrawal_id = withdraw(member, 3_000)[1]["withdrawal_id"]
    member.put("/members/me/payout-account", ACCOUNT | {"account_no": "6217000010009998887"})
    decide(operator, withdrawal_id, "approve")
    assert withdrawals.get_payout(withdrawal_id)["account_no"].endswith("3445")
    assert member.get("/members/me/payout-account")[1]["payout_account"]["account_no"].endswith("8887")


def test_given_automatic_approval_below_an_amount_then_small_requests_are_paid_at_once(aws, provider):
    member = new_member(aws, funds=20_000)
    with programme(auto_approve_below_cents=5_000):
        status, small = withdraw(member, 4_999)
        status_big, big = withdraw(member, 5_000)
    assert (status, small["status"], small["auto_approved"]) == (201, "paid", True)
    assert small["payout"]["payout_id"] == f"po_{small['withdrawal_id']}"
    assert [h["status"] for h in small["history"]] == ["pending", "approved", "paid"]
    assert (status_big, big["status"]) == (201, "pending")
    assert provider.sent == [small["withdrawal_id"]]
    assert balances(member.member_id) == {
        "pending_cents": 0,
        "available_cents": 20_000 - 4_999 - 5_000,
        "reserved_cents": 5_000,
        "withdrawn_cents": 4_999,
    }
    assert balances(member.member_id) == ledger_sums(member.member_id)


# ---------- who sees what ----------


def test_given_a_customer_when_calling_operator_routes_then_403(aws):
    member = new_member(aws)
    assert member.get("/admin/withdrawals")[0] == 403
    assert decide(member, "0123456789abcdef", "approve")[0] == 403


def test_given_operator_routes_then_unknown_ids_404_and_bad_input_422(aws, operator):
    assert decide(operator, "0123456789abcdef", "approve")[0] == 404
    assert decide(operator, "not-an-id", "approve")[0] == 404
    status, body = decide(operator, "0123456789abcdef", "pay")
    assert status == 422 and "decision" in body["error"]["fields"]
    status, body = operator.get("/admin/withdrawals", query="status=lost")
    assert status == 422 and "status" in body["error"]["fields"]
    assert operator.get("/admin/withdrawals", query="limit=0")[0] == 422
    assert operator.get("/admin/withdrawals", query="after=%27x")[0] == 422


def test_given_two_members_then_each_sees_only_their_own_withdrawals(aws, operator, provider):
    alice, bob = new_member(aws, funds=6_000), new_member(aws, funds=6_000)
    mine = [withdraw(alice, cents)[1]["withdrawal_id"] for cents in (1_000, 2_000, 3_000)]
    status, body = bob.get("/members/me/withdrawals")
    assert (status, body) == (200, {"withdrawals": [], "next": None})

    status, page1 = alice.get("/members/me/withdrawals", query="limit=2")
    assert status == 200
    assert [w["withdrawal_id"] for w in page1["withdrawals"]] == mine[::-1][:2]
    page2 = alice.get("/members/me/withdrawals", query=f"limit=2&after={page1['next']}")[1]
    assert [w["withdrawal_id"] for w in page2["withdrawals"]] == [mine[0]]
    assert page2["next"] is None

    queue = operator.get("/admin/withdrawals", query="status=pending&limit=50")[1]
    assert queue["status"] == "pending"
    listed = {w["withdrawal_id"]: w for w in queue["withdrawals"]}
    while queue["next"] and not set(mine) <= set(listed):
        queue = operator.get("/admin/withdrawals", query=f"status=pending&limit=50&after={queue['next']}")[1]
        listed |= {w["withdrawal_id"]: w for w in queue["withdrawals"]}
    assert set(mine) <= set(listed)
    assert listed[mine[0]]["member_id"] == alice.member_id

    decide(operator, mine[0], "approve")
    paid = operator.get("/admin/withdrawals", query="status=paid")[1]["withdrawals"]
    assert paid[0]["withdrawal_id"] == mine[0]  # decided ones newest first
    pending_ids = {
        w["withdrawal_id"] for w in operator.get("/admin/withdrawals", query="limit=50")[1]["withdrawals"]
    }
    assert mine[0] not in pending_ids


def test_given_a_clawback_left_the_balance_below_zero_when_withdrawing_then_it_says_what_is_owed(aws):
    member = new_member(aws, funds=2_000)
    # A fee of CNY 30 already withdrawn, clawed back after its policy was cancelled.
    ledger.post(
        member.member_id,
        [ledger.Entry(f"P{uuid.uuid4().hex[:12]}#L1", "clawback", -3_000, "available", earned=True)],
        day=china_day(),
    )
    assert balances(member.member_id)["available_cents"] == -1_000

    status, body = withdraw(member, 1_000)

    assert status == 409, body
    message = body["error"]["message"]
    assert "-10.00" not in message and "at most" not in message
    assert "You owe CNY 10.00" in message and "Nothing can be withdrawn until new fees cover" in message
    assert "1000 fen is owed" in body["error"]["fields"]["amount_cents"]


def test_given_a_paid_withdrawal_when_an_operator_rejects_it_then_409_says_it_cannot_be_rejected(
    aws, operator, provider
):
    member = new_member(aws, funds=3_000)
    withdrawal_id = withdraw(member, 2_000)[1]["withdrawal_id"]
    assert decide(operator, withdrawal_id, "approve")[1]["status"] == "paid"

    status, body = decide(operator, withdrawal_id, "reject", "too late")

    assert status == 409, body
    assert body["error"]["message"] == "This withdrawal is paid; it cannot be rejected"
