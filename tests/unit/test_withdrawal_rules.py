"""Withdrawal rules (pure): amounts, payout accounts, masking, status transitions, auto-approval."""

from __future__ import annotations

import pytest

from distribution.promotions.domain.program_settings import DEFAULTS
from distribution.referrals.domain import withdrawals as rules

SETTINGS = DEFAULTS | {"withdrawal_min_cents": 1000, "auto_approve_below_cents": 5000}
ACCOUNT = {"holder_name": "Zhang Wei", "bank_name": "ICBC Beijing", "account_no": "6222 0202 0011 2233 445"}


def test_given_an_amount_at_the_minimum_when_parsed_then_it_is_accepted():
    assert rules.parse_request({"amount_cents": 1000}, SETTINGS) == (1000, {})


@pytest.mark.parametrize("amount", [999, 0, -5])
def test_given_an_amount_below_the_minimum_when_parsed_then_the_problem_names_the_minimum(amount):
    _, problems = rules.parse_request({"amount_cents": amount}, SETTINGS)
    assert "minimum withdrawal is 1000 fen (CNY 10.00)" in problems["amount_cents"]


@pytest.mark.parametrize("amount", ["5000", 50.5, True, None, [1]])
def test_given_an_amount_that_is_not_whole_fen_when_parsed_then_it_is_refused(amount):
    _, problems = rules.parse_request({"amount_cents": amount}, SETTINGS)
    assert "whole number of fen" in problems["amount_cents"]


def test_given_a_huge_amount_when_parsed_then_it_is_refused():
    _, problems = rules.parse_request({"amount_cents": rules.MAX_AMOUNT_CENTS + 1}, SETTINGS)
    assert "at most" in problems["amount_cents"]


@pytest.mark.parametrize(
    ("amount", "threshold", "auto"),
    [(4999, 5000, True), (5000, 5000, False), (1000, 0, False), (100, 1, False)],
)
def test_given_the_auto_approval_amount_then_only_amounts_strictly_below_it_are_approved_at_once(
    amount, threshold, auto
):
    assert rules.auto_approves(amount, SETTINGS | {"auto_approve_below_cents": threshold}) is auto


def test_given_an_account_with_spaces_in_the_number_when_parsed_then_the_digits_are_kept():
    account, problems = rules.parse_payout_account(ACCOUNT)
    assert problems == {}
    assert account == {
        "holder_name": "Zhang Wei",
        "bank_name": "ICBC Beijing",
        "account_no": "6222020200112233445",
    }


@pytest.mark.parametrize(
    "number", ["12345678901", "12345678901234567890", "6222abcd00112233", 622202020011223, None]
)
def test_given_a_bad_account_number_when_parsed_then_the_problem_says_12_to_19_digits(number):
    _, problems = rules.parse_payout_account(ACCOUNT | {"account_no": number})
    assert "12 to 19 digits" in problems["account_no"]


def test_given_missing_names_when_parsed_then_each_is_named():
    _, problems = rules.parse_payout_account({"account_no": "622202020011223344"})
    assert set(problems) == {"holder_name", "bank_name"}


def test_given_an_account_when_viewed_then_the_number_and_holder_are_masked():
    account, _ = rules.parse_payout_account(ACCOUNT)
    view = rules.account_view(account | {"updated_at": "2026-11-25T00:00:00.000+00:00"})
    assert view["account_no"] == "*" * 15 + "3445"
    assert view["holder_name"] == "Z********"
    assert rules.mask_holder_name("张三") == "张*"
    snapshot = rules.account_snapshot(account | {"token": "t1"})
    assert snapshot == {
        "holder_name": "Z********",
        "bank_name": "ICBC Beijing",
        "account_no": view["account_no"],
        "token": "t1",
    }


@pytest.mark.parametrize(
    ("status", "decision", "step"),
    [
        ("pending", "approve", "approve"),
        ("approved", "approve", "pay"),  # an interrupted payout is finished by approving again
        ("paid", "approve", "done"),
        ("pending", "reject", "reject"),
        ("rejected", "reject", "done"),
    ],
)
def test_given_a_status_when_a_decision_is_made_then_the_next_step(status, decision, step):
    assert rules.next_step(status, decision) == step


@pytest.mark.parametrize(
    ("status", "decision"), [("rejected", "approve"), ("approved", "reject"), ("paid", "reject")]
)
def test_given_a_withdrawal_decided_the_other_way_when_decided_then_refused(status, decision):
    with pytest.raises(rules.InvalidDecision, match=status):
        rules.next_step(status, decision)


def test_given_a_decision_body_then_decision_and_note_are_checked():
    assert rules.parse_decision({"decision": "approve"}) == ("approve", None, {})
    assert rules.parse_decision({"decision": "reject", "note": "  wrong account  "}) == (
        "reject",
        "wrong account",
        {},
    )
    _, _, problems = rules.parse_decision({"decision": "pay", "note": "x" * 201})
    assert set(problems) == {"decision", "note"}


@pytest.mark.parametrize(
    ("key", "ok"), [(None, True), ("abc-1234_X", True), ("short", False), ("bad key!!", False)]
)
def test_given_an_idempotency_key_then_only_8_to_64_safe_characters(key, ok):
    assert rules.valid_idempotency_key(key) is ok


def test_given_a_withdrawal_when_a_member_views_it_then_no_token_and_no_operator_ids():
    withdrawal = {
        "withdrawal_id": "0123456789abcdef",
        "member_id": "m1",
        "amount_cents": 12050,
        "status": "paid",
        "requested_at": "2026-11-25T01:00:00.000+00:00",
        "payout_account": {
            "holder_name": "Z*",
            "bank_name": "B",
            "account_no": "****1234",
            "token": "secret",
        },
        "history": [
            {"status": "pending", "at": "t0", "by": None, "note": None},
            {"status": "approved", "at": "t1", "by": "op-1", "note": None},
        ],
        "decided_by": "op-1",
    }
    member_view = rules.view(withdrawal)
    assert member_view["amount"] == "120.50"
    assert "token" not in member_view["payout_account"]
    assert "member_id" not in member_view and "decided_by" not in member_view
    assert all("by" not in change for change in member_view["history"])
    operator_view = rules.view(withdrawal, for_operator=True)
    assert (operator_view["member_id"], operator_view["decided_by"]) == ("m1", "op-1")
    assert operator_view["history"][1]["by"] == "op-1"
