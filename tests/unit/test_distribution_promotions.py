"""Promotions' use cases (distribution.promotions) over in-memory fakes: an order's discounts, points
from events, the check-in, campaigns, the points page and the programme settings; and reading the
consumed events into their dataclasses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from distribution_fakes import (
    AT,
    LOGGER,
    FakeAudit,
    FakeCampaignStore,
    FakeCoupons,
    FakePointsLedger,
    FakeSettingsStore,
    a_claim,
    caller,
    clock,
    no_settings,
    settings,
)

from distribution import consumed_events
from distribution.promotions.campaigns import Campaigns
from distribution.promotions.check_in import CheckIn
from distribution.promotions.discounts import Discounts
from distribution.promotions.points import Points
from distribution.promotions.points_earning import PointsEarning
from distribution.promotions.program_settings import ProgramSettings
from insuremall import errors
from insuremall.events import MemberInvited, PolicyCancelled, PolicyIssued

DEFAULTS = settings()


def _discounts(coupons: FakeCoupons, ledger: FakePointsLedger | None, read_settings=DEFAULTS):
    def points():
        if ledger is None:
            raise AssertionError("the points ledger was loaded")
        return ledger

    return Discounts(coupons=coupons, points=points, settings=read_settings, logger=LOGGER, now=lambda: AT)


# ---------- an order's discounts ----------
def test_given_a_coupon_and_points_when_derived_then_the_coupon_applies_first_and_points_within_the_limit():
    discounts = _discounts(FakeCoupons(a_claim()), FakePointsLedger({"member-1": 10_000}))

    result = discounts.derive(
        "member-1", "accident-guardian", 36_000, {"coupon_claim_id": "c0ffee01", "points": 500}
    )

    assert [(d["kind"], d["amount_cents"]) for d in result["discounts"]] == [
        ("coupon", 2000),
        ("points", 500),
    ]
    assert result["payable_cents"] == 36_000 - 2000 - 500 and result["max_points"] == 3600


def test_given_a_plain_order_then_neither_the_points_ledger_nor_the_settings_are_read():
    result = _discounts(FakeCoupons(), None, no_settings).derive("member-1", "p", 36_000, {})
    assert result["discounts"] == [] and result["payable_cents"] == 36_000


def test_given_a_used_coupon_and_too_many_points_then_invalid_names_both():
    claim = a_claim() | {"status": "used", "order_id": "ORD0"}
    discounts = _discounts(FakeCoupons(claim), FakePointsLedger({"member-1": 100}))
    with pytest.raises(errors.Invalid) as refused:
        discounts.derive("member-1", "p", 36_000, {"coupon_claim_id": "c0ffee01", "points": 500})
    assert set(refused.value.fields) == {"coupon_claim_id", "points"}


def test_given_points_spent_meanwhile_when_applied_then_conflict_and_the_coupon_is_given_back():
    coupons, ledger = FakeCoupons(a_claim()), FakePointsLedger({"member-1": 100})
    wanted = [{"kind": "coupon", "claim_id": "c0ffee01"}, {"kind": "points", "points": 500}]
    with pytest.raises(errors.Conflict, match="no longer have these points"):
        _discounts(coupons, ledger).apply("member-1", "ORD1", wanted)
    assert coupons.get_claim("member-1", "c0ffee01")["status"] == "available"


def test_given_a_full_refund_event_then_the_coupon_and_points_come_back_once_and_a_partial_one_keeps_them():
    coupons, ledger = FakeCoupons(a_claim()), FakePointsLedger({"member-1": 1000})
    discounts = _discounts(coupons, ledger)
    spent = [{"kind": "coupon", "claim_id": "c0ffee01"}, {"kind": "points", "points": 300}]
    discounts.apply("member-1", "ORD1", spent)
    discounts.confirm("member-1", "ORD1", spent)
    event = {"policy_no": "P1", "order_id": "ORD1", "customer_id": "member-1", "discounts": spent}

    kept = discounts.give_back_for_cancellation(
        consumed_events.read(PolicyCancelled, event | {"rule": "short_rate"})
    )
    full = consumed_events.read(PolicyCancelled, event | {"rule": "cooling_off"})

    assert kept == {"coupon": None, "points": 0} and ledger.balance("member-1") == 700
    assert discounts.give_back_for_cancellation(full) == {"coupon": "c0ffee01", "points": 300}
    assert discounts.give_back_for_cancellation(full) == {"coupon": None, "points": 0}
    assert ledger.balance("member-1") == 1000


# ---------- points ----------
def _earning(ledger: FakePointsLedger, **program) -> PointsEarning:
    return PointsEarning(
        ledger=ledger,
        settings=settings(**program),
        campaign_multiplier=lambda product_id, at: Decimal("2") if product_id == "accident-guardian" else 1,
        logger=LOGGER,
        now=clock,
    )


def test_given_policy_issued_twice_then_the_buyer_earns_once_with_the_product_and_campaign_multipliers():
    ledger = FakePointsLedger()
    earning = _earning(
        ledger, purchase_points_per_cny=1, product_points_multipliers={"accident-guardian": "1.5"}
    )
    event = consumed_events.read(
        PolicyIssued,
        {
            "policy_no": "P1",
            "customer_id": "buyer",
            "product_id": "accident-guardian",
            "premium_cents": 36_050,
            "issued_at": AT,
        },
    )

    assert [earning.for_purchase(event), earning.for_purchase(event)] == [True, False]

    assert ledger.balance("buyer") == 1081  # floor(360.50 x 1.5 x 2)
    assert ledger.entries[("buyer", "PURCHASE#P1")]["detail"]["campaign_multiplier"] == "2"
    assert earning.for_purchase(consumed_events.read(PolicyIssued, {"policy_no": "P2"})) is False  # no buyer


def test_given_a_cancellation_before_the_issue_then_the_late_purchase_earns_nothing():
    ledger = FakePointsLedger()
    earning = _earning(ledger)
    assert earning.reverse(consumed_events.read(PolicyCancelled, {"policy_no": "P1", "customer_id": "buyer"}))
    issued = {
        "policy_no": "P1",
        "customer_id": "buyer",
        "product_id": "x",
        "premium_cents": 10_000,
        "issued_at": AT,
    }
    assert earning.for_purchase(consumed_events.read(PolicyIssued, issued)) is False
    assert ledger.balance("buyer") == 0


def test_given_member_invited_then_the_inviter_earns_the_invitation_points_once():
    ledger = FakePointsLedger()
    earning = _earning(ledger, invitation_points=100)
    event = MemberInvited(invitee_id="b", inviter_id="a", bound_at=AT)
    assert [earning.for_invitation(event), earning.for_invitation(event)] == [True, False]
    assert ledger.balance("a") == 100


def test_given_a_check_in_twice_on_one_day_then_the_second_says_so_and_earns_nothing():
    check_in = CheckIn(ledger=FakePointsLedger(), logger=LOGGER)
    first, second = check_in.today("member-1"), check_in.today("member-1")
    assert (first.new, first.awarded, first.balance) == (True, 5, 5)
    assert (second.new, second.awarded, second.balance) == (False, 0, 5)


def test_given_an_unknown_member_then_operators_get_not_found_before_the_page_is_checked():
    points = Points(ledger=FakePointsLedger(), member_exists=lambda member_id: member_id == "member-1")
    with pytest.raises(errors.NotFound):
        points.of_member("nobody", {"limit": "nope"})
    with pytest.raises(errors.Invalid) as refused:
        points.of_member("member-1", {"limit": "0"})
    assert refused.value.fields == {"limit": "must be a whole number from 1 to 100"}


# ---------- campaigns ----------
CAMPAIGN = {
    "name": "Winter",
    "starts_at": "2026-12-01",
    "ends_at": "2026-12-31",
    "coupons": [{"coupon_id": "twenty-off", "kind": "amount", "amount_cents": 2000, "quota": 10}],
}


def test_given_a_claimed_coupon_when_the_campaign_drops_it_then_invalid_and_an_unknown_campaign_not_found():
    store = FakeCampaignStore()
    campaigns = Campaigns(store=store, logger=LOGGER, now=lambda: AT)
    created = campaigns.create(caller(operator=True), CAMPAIGN)
    store.claimed[created["campaign_id"]] = {"twenty-off": 3}

    with pytest.raises(errors.Invalid) as refused:
        campaigns.update(caller(operator=True), created["campaign_id"], CAMPAIGN | {"coupons": []})
    assert "claimed 3 times" in refused.value.fields["coupons"]
    with pytest.raises(errors.NotFound):
        campaigns.update(caller(operator=True), "ffffffffffff", CAMPAIGN)


# ---------- programme settings ----------
def test_given_a_stale_revision_then_conflict_and_a_current_one_saves_with_its_audit_entry():
    store, audit = FakeSettingsStore(), FakeAudit()
    program = ProgramSettings(store=store, audit=audit, logger=LOGGER)
    operator = caller("op", operator=True)

    with pytest.raises(errors.Conflict, match="current revision 0"):
        program.update(operator, {"signin_points": 6, "revision": 3})
    with pytest.raises(errors.Invalid):
        program.update(operator, {"signin_points": 6})
    saved = program.update(operator, {"signin_points": 6, "revision": 0})

    assert (saved["signin_points"], saved["revision"]) == (6, 1)
    assert audit.records == [
        (
            "op",
            "settings.updated",
            "settings:rewards",
            {"signin_points": {"from": 5, "to": 6}},
            "the transaction",
        )
    ]


# ---------- consumed events ----------
def test_given_a_partial_payload_then_missing_fields_are_none_defaults_kept_and_unknown_ones_ignored():
    event = consumed_events.read(PolicyIssued, {"policy_no": "P1", "premium_cents": 100, "new_field": 1})
    assert (event.policy_no, event.premium_cents, event.customer_id) == ("P1", 100, None)
    assert (
        event.attribution == {"level1": None, "level2": None, "source": "none"} and event.discount_cents == 0
    )
    assert consumed_events.read(PolicyIssued, event) is event
