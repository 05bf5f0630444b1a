"""Referrals' use cases (distribution.referrals) over in-memory fakes: promotion fees over the policy
lifecycle, withdrawals, invitations, attribution, the operators' member lookup and licences, and
commission rates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from distribution_fakes import (
    AT,
    LOGGER,
    TODAY,
    FakeFeeLedger,
    FakeMembers,
    FakePointsLedger,
    FakeRates,
    FakeTree,
    FakeWithdrawalsStore,
    caller,
    clock,
    settings,
)

from distribution import consumed_events
from distribution.referrals.agent_licences import AgentLicences
from distribution.referrals.attribution import Attribution
from distribution.referrals.commission_rates import CommissionRates
from distribution.referrals.earnings import Earnings
from distribution.referrals.invitations import Invitations
from distribution.referrals.member_lookup import MemberLookup
from distribution.referrals.promotion_fees import PromotionFees
from distribution.referrals.withdrawals import Withdrawals
from insuremall import errors
from insuremall.events import PolicyCancelled, PolicyIssued

PREMIUM = 36_000
RATE = {
    "scope": "product",
    "scope_id": "accident-guardian",
    "effective_from": "2026-11-01",
    "level1_bp": 1500,
    "level2_bp": 500,
    "renewal_level1_bp": 800,
    "renewal_level2_bp": 200,
}
COOLING_OFF_END = TODAY + timedelta(days=15)
RELEASE_DAY = COOLING_OFF_END + timedelta(days=1)


class Fees:
    """PromotionFees over fakes, with one sale attributed to B (level 1) and A (level 2)."""

    def __init__(self, licensed: set[str] | None = None, **program) -> None:
        self.ledger, self.points = FakeFeeLedger(), FakePointsLedger()
        self.sale = {
            "policy_no": "HML2026120300000011",
            "order_id": "ORD1",
            "customer_id": "buyer",
            "product_id": "accident-guardian",
            "category_id": "accident",
            "premium_cents": PREMIUM,
            "issued_at": AT,
            "cooling_off_until": COOLING_OFF_END.isoformat(),
            "attribution": {"level1": "member-b", "level2": "member-a", "source": "bound"},
        }
        self.use_case = PromotionFees(
            ledger=self.ledger,
            rates=FakeRates(RATE),
            settings=settings(**program),
            licence_verified=lambda member_id: member_id in (licensed or set()),
            attribution_of=lambda policy_no: self.sale["attribution"],
            points=lambda: self.points,
            logger=LOGGER,
            now=clock,
        )

    def issue(self, **changes):
        return self.use_case.earn(consumed_events.read(PolicyIssued, self.sale | changes))

    def cancel(self, within_cooling_off: bool, refund_cents: int, on: date):
        event = {
            "policy_no": self.sale["policy_no"],
            "customer_id": "buyer",
            "cancelled_on": on.isoformat(),
            "within_cooling_off": within_cooling_off,
            "refund_cents": refund_cents,
            "premium_cents": PREMIUM,
        }
        return self.use_case.reverse(consumed_events.read(PolicyCancelled, event))

    def kinds(self, member_id: str, level: int) -> list[str]:
        subject = f"P{self.sale['policy_no']}#L{level}"
        return sorted(e["kind"] for e in self.ledger.entries_for_subject(member_id, subject))


# ---------- promotion fees ----------
def test_given_an_attributed_sale_delivered_twice_then_each_level_earns_once_pending_until_released():
    fees = Fees()
    assert fees.issue() == {"earned": 2}
    assert fees.issue() == {"earned": 0}  # a replay writes nothing
    assert fees.ledger.balance("member-b")["pending_cents"] == 5_400
    assert fees.ledger.balance("member-a")["pending_cents"] == 1_800

    assert fees.use_case.release_due(RELEASE_DAY)["released"] == 2
    assert fees.use_case.release_due(RELEASE_DAY) == {
        "date": RELEASE_DAY.isoformat(),
        "released": 0,
        "already": 2,
        "voided": 0,
    }
    assert fees.ledger.balance("member-b")["available_cents"] == 5_400


def test_given_a_buyer_who_is_their_own_level_or_no_rate_then_no_fee_for_that():
    fees = Fees()
    assert fees.issue(customer_id="member-b") == {"earned": 1}  # only level 2
    assert Fees().issue(product_id="no-rate", category_id=None) == {"earned": 0}
    assert Fees().issue(attribution={"level1": None, "level2": None, "source": "none"}) == {"earned": 0}


def test_given_licences_required_then_an_unlicensed_member_is_paid_points_once_and_the_clawback_takes_them():
    fees = Fees(licensed={"member-a"}, require_licence_for_cash=True, fee_points_per_cny=100)
    fees.issue()
    fees.use_case.release_due(RELEASE_DAY)
    fees.use_case.release_due(RELEASE_DAY)

    assert (
        fees.points.balance("member-b") == 5_400 and fees.ledger.balance("member-b")["available_cents"] == 0
    )
    assert fees.ledger.balance("member-a")["available_cents"] == 1_800

    assert fees.cancel(False, PREMIUM // 2, RELEASE_DAY) == {"level1": "clawed_back", "level2": "clawed_back"}
    assert fees.points.balance("member-b") == 2_700
    assert fees.ledger.balance("member-a")["available_cents"] == 900


def test_given_a_cancellation_in_cooling_off_then_the_fee_is_voided_and_the_release_job_skips_it():
    fees = Fees()
    fees.issue()
    assert fees.cancel(True, PREMIUM, TODAY) == {"level1": "voided", "level2": "voided"}
    assert fees.cancel(True, PREMIUM, TODAY) == {"level1": "already", "level2": "already"}
    assert fees.use_case.release_due(RELEASE_DAY)["voided"] == 2
    assert fees.kinds("member-b", 1) == ["earn", "void"]
    assert fees.ledger.balance("member-b") | {"earned_cents": 0} == FakeFeeLedger().balance("x")


def test_given_a_cancellation_after_cooling_off_before_the_late_job_then_released_first_then_clawed_back():
    fees = Fees()
    fees.issue()
    assert fees.cancel(False, PREMIUM // 4, RELEASE_DAY)["level1"] == "clawed_back"
    assert fees.kinds("member-b", 1) == ["available", "clawback", "earn", "release"]
    assert fees.ledger.balance("member-b")["available_cents"] == 5_400 - 1_350


def test_given_the_dashboard_then_today_and_the_month_count_what_was_earned():
    fees = Fees()
    fees.issue()
    earnings = Earnings(ledger=fees.ledger, settings=settings(withdrawal_min_cents=1000), now=clock)
    dashboard = earnings.dashboard("member-b", own=True)
    assert (
        dashboard.earned == {"today_cents": 5_400, "month_cents": 5_400}
        and dashboard.withdrawal_min_cents == 1000
    )
    assert earnings.dashboard("member-b").withdrawal_min_cents is None
    with pytest.raises(errors.Invalid):
        earnings.entries("member-b", {"after": "not-ours"})


# ---------- withdrawals ----------
ACCOUNT = {"holder_name": "Zhang Wei", "bank_name": "ICBC Beijing", "account_no": "6222 0202 0011 2233 445"}


def _withdrawals(available: int = 0, **program) -> tuple[Withdrawals, FakeWithdrawalsStore]:
    ledger = FakeFeeLedger()
    ledger.balances["member-1"] = ledger.balance("member-1") | {"available_cents": available}
    store = FakeWithdrawalsStore(ledger)
    use_case = Withdrawals(
        store=store,
        ledger=ledger,
        settings=settings(**program),
        provider=lambda: "the provider",
        logger=LOGGER,
    )
    return use_case, store


def test_given_no_payout_account_or_a_bad_key_then_nothing_is_reserved():
    withdrawals, store = _withdrawals(available=5_000)
    with pytest.raises(errors.Invalid) as refused:
        withdrawals.request("member-1", {"amount_cents": 2_000}, None)
    assert set(refused.value.fields) == {"payout_account"}
    with pytest.raises(errors.Malformed):
        withdrawals.request("member-1", {"amount_cents": 2_000}, "short")
    assert store.withdrawals == {}


def test_given_money_owed_when_withdrawing_then_the_conflict_says_what_is_owed():
    withdrawals, _ = _withdrawals(available=-1_250)
    withdrawals.save_payout_account("member-1", ACCOUNT)
    with pytest.raises(errors.Conflict, match="You owe CNY 12.50") as refused:
        withdrawals.request("member-1", {"amount_cents": 2_000}, None)
    assert refused.value.fields == {"amount_cents": "nothing is available: 1250 fen is owed"}


def test_given_an_amount_below_the_auto_approval_then_it_is_paid_at_once_and_a_retry_answers_the_first():
    withdrawals, store = _withdrawals(available=5_000, auto_approve_below_cents=3_000)
    withdrawals.save_payout_account("member-1", ACCOUNT)
    first, created = withdrawals.request("member-1", {"amount_cents": 2_000}, "key-12345678")
    again, created_again = withdrawals.request("member-1", {"amount_cents": 2_000}, "key-12345678")
    assert (created, created_again, first["status"]) == (True, False, "paid")
    assert again is first and store.auto_approved == [first["withdrawal_id"]]
    with pytest.raises(errors.Conflict, match="different amount"):
        withdrawals.request("member-1", {"amount_cents": 2_500}, "key-12345678")


def test_given_a_payout_that_fails_then_conflict_and_an_unknown_withdrawal_is_not_found():
    withdrawals, store = _withdrawals(available=5_000)
    withdrawals.save_payout_account("member-1", ACCOUNT)
    withdrawal, _ = withdrawals.request("member-1", {"amount_cents": 2_000}, None)
    store.fail_payouts = True
    operator = caller("op", operator=True)
    with pytest.raises(errors.Conflict, match="approve it again"):
        withdrawals.decide(operator, withdrawal["withdrawal_id"], {"decision": "approve"})
    with pytest.raises(errors.NotFound):
        withdrawals.decide(operator, "f" * 16, {"decision": "reject"})
    status, items, _ = withdrawals.in_status({"status": "approved"})
    assert (status, [w["withdrawal_id"] for w in items]) == ("approved", [withdrawal["withdrawal_id"]])
    with pytest.raises(errors.Invalid):
        withdrawals.in_status({"status": "lost"})


# ---------- invitations and attribution ----------
def _invitations() -> tuple[Invitations, FakeTree, FakeMembers]:
    members = FakeMembers()
    tree = FakeTree(members)
    for member_id, name in (("member-a", "Alice"), ("member-b", "Bob")):
        members.create_member(member_id, f"{member_id}@example.com", name)
    tree.give_code("member-a", "ABCD2345")
    return Invitations(tree=tree, members=members, logger=LOGGER), tree, members


def test_given_an_inviters_code_then_the_member_is_bound_once_and_a_second_code_conflicts():
    invitations, tree, _ = _invitations()
    binding, inviter = invitations.bind_mine(caller("member-b"), {"invite_code": "abcd-2345"})
    assert binding["bound"] is True and inviter["display_name"] == "Alice"
    with pytest.raises(errors.Conflict, match="already have an inviter"):
        invitations.bind_mine(caller("member-b"), {"invite_code": "ABCD2345"})
    with pytest.raises(errors.Invalid, match="Not bound"):
        invitations.bind_mine(caller("new-member", "new@example.com"), {"invite_code": "ZZZZ2345"})
    assert invitations.bind_at_sign_up("member-b", "") is None
    assert invitations.bind_at_sign_up("x", "no")["reason"] == "invalid_code"
    assert invitations.mine(caller("member-a")).code == "ABCD2345" and invitations.check("ABCD2345").valid


def test_given_a_buyer_without_an_inviter_then_the_shared_links_owner_and_their_inviter_are_attributed():
    _, tree, _ = _invitations()
    tree.inviters["member-a"] = "member-root"
    attribution = Attribution(tree=tree)
    assert attribution.of_sale("buyer", "ABCD2345") == {
        "level1": "member-a",
        "level2": "member-root",
        "source": "link",
    }
    assert attribution.of_sale("buyer", "UNKNOWN2") == {"level1": None, "level2": None, "source": "none"}
    with pytest.raises(errors.Invalid):
        attribution.of_sale("buyer", 42)


# ---------- operators ----------
def test_given_an_email_or_a_code_then_the_member_is_found_and_a_bad_id_has_no_detail():
    _, tree, members = _invitations()
    lookup = MemberLookup(tree=tree, members=members, ledger=FakeFeeLedger())
    assert [s["member_id"] for s in lookup.find("member-b@example.com")] == ["member-b"]
    assert [s["member_id"] for s in lookup.find("abcd2345")] == ["member-a"]
    assert lookup.detail("member-a").balance["points"] == 0
    with pytest.raises(errors.Invalid):
        lookup.find("   ")
    with pytest.raises(errors.NotFound):
        lookup.detail("no such/member")


def test_given_a_licence_then_the_audit_sees_it_masked_and_a_bad_body_is_refused_before_the_lookup():
    _, tree, _ = _invitations()
    licences = AgentLicences(tree=tree, logger=LOGGER, now=clock)
    with pytest.raises(errors.Invalid) as refused:
        licences.set(caller("op"), "nobody", {"licence_no": "x", "verified": "yes"})
    assert set(refused.value.fields) == {"licence_no", "verified"}
    with pytest.raises(errors.NotFound):
        licences.set(caller("op"), "nobody", {"licence_no": "LIC-2026-000123", "verified": True})

    licence = licences.set(caller("op"), "member-b", {"licence_no": "lic-2026-000123", "verified": True})

    assert licence == {
        "licence_no": "LIC-2026-000123",
        "verified": True,
        "verified_at": AT,
        "verified_by": "op",
    }
    assert tree.audited["agent_licence"]["to"]["licence_no"] == "LIC********0123"
    assert tree.licence_verified("member-b")


def test_given_a_rate_in_effect_when_added_again_then_conflict_and_both_filters_are_refused():
    rates = CommissionRates(
        store=FakeRates(RATE | {"effective_from": TODAY.isoformat()}), logger=LOGGER, now=clock
    )
    body = {k: v for k, v in RATE.items()} | {"effective_from": TODAY.isoformat()}
    with pytest.raises(errors.Conflict, match="already in effect"):
        rates.add(caller("op"), body)
    assert rates.add(caller("op"), body | {"effective_from": (TODAY + timedelta(days=1)).isoformat()})
    with pytest.raises(errors.Invalid):
        rates.list({"product_id": "a", "category_id": "b"})
    assert len(rates.list({"product_id": "accident-guardian"})) == 2
