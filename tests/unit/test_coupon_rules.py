"""Coupon rules: validating campaigns, which campaigns run, and the discounts of an order."""

from __future__ import annotations

from decimal import Decimal

from distribution.promotions.domain import coupons as rules
from distribution.promotions.domain.program_settings import DEFAULTS

NOW = "2026-11-25T08:00:00.000+00:00"
SETTINGS = DEFAULTS | {"points_per_cny_discount": 100, "max_points_discount_percent": 10}


def _body(**overrides):
    return {
        "name": "Winter",
        "starts_at": "2026-11-25",
        "ends_at": "2026-12-01",
        "points_multiplier": "1.5",
        "coupons": [
            {
                "coupon_id": "c20",
                "kind": "amount",
                "amount_cents": 2000,
                "min_premium_cents": 5000,
                "quota": 10,
            }
        ],
        **overrides,
    }


def _coupon(**terms):
    return {"claim_id": "abc", "terms": {"campaign_name": "Winter", **terms}}


def test_given_dates_in_china_then_a_campaign_runs_from_the_first_to_the_last_millisecond_of_its_days():
    campaign, problems = rules.parse_campaign(_body(), NOW)
    assert not problems
    assert campaign["starts_at"] == "2026-11-24T16:00:00.000+00:00"
    assert campaign["ends_at"] == "2026-12-01T15:59:59.999+00:00"
    assert campaign["coupons"][0]["per_member_limit"] == 1
    assert campaign["points_multiplier"] == "1.5"


def test_given_a_day_at_the_ends_of_the_calendar_then_it_is_refused_as_a_date_not_a_crash():
    # 0001-01-01 in China is still year 0 in UTC; a 500 before.
    for starts_at, ends_at in (("0001-01-01", "0001-01-05"), ("9999-12-30", "9999-12-31T23:00:00-12:00")):
        assert rules.instant(starts_at) is None or rules.instant(ends_at, end_of_day=True) is None
        _, problems = rules.parse_campaign(_body(starts_at=starts_at, ends_at=ends_at), NOW)
        assert "a date (YYYY-MM-DD, China time) or an ISO 8601 time" in problems.values()


def test_given_bad_fields_then_each_is_named():
    _, problems = rules.parse_campaign(
        _body(
            name="",
            ends_at="2026-11-01",
            points_multiplier="11",
            product_ids="all",
            coupons=[
                {"coupon_id": "X!", "kind": "percent", "percent": 95, "quota": 0},
                {"coupon_id": "b", "kind": "gift", "quota": 1},
            ],
        ),
        NOW,
    )
    assert set(problems) >= {
        "name",
        "ends_at",
        "points_multiplier",
        "product_ids",
        "coupons[0].coupon_id",
        "coupons[0].percent",
        "coupons[0].quota",
        "coupons[1].kind",
    }


def test_given_an_end_in_the_past_then_refused_and_an_amount_must_be_below_its_minimum_premium():
    _, problems = rules.parse_campaign(_body(starts_at="2026-11-01", ends_at="2026-11-20"), NOW)
    assert "ends_at" in problems
    _, problems = rules.parse_campaign(
        _body(
            coupons=[
                {
                    "coupon_id": "c",
                    "kind": "amount",
                    "amount_cents": 5000,
                    "min_premium_cents": 5000,
                    "quota": 1,
                }
            ]
        ),
        NOW,
    )
    assert "coupons[0].amount_cents" in problems


def test_given_claims_then_a_coupon_cannot_be_removed_or_its_quota_cut_below_them():
    coupons = [{"coupon_id": "a", "quota": 3}]
    assert rules.quota_problems(coupons, {"a": 3}) == {}
    assert "coupons[0].quota" in rules.quota_problems(coupons, {"a": 4})
    assert "coupons" in rules.quota_problems(coupons, {"a": 0, "b": 2})
    assert rules.quota_problems(coupons, {"b": 0}) == {}


def test_given_running_campaigns_then_the_highest_multiplier_for_the_product_counts():
    campaigns = [
        {"starts_at": "2026-11-01", "ends_at": "2026-12-31", "product_ids": [], "points_multiplier": "1.5"},
        {"starts_at": "2026-11-01", "ends_at": "2026-12-31", "product_ids": ["p"], "points_multiplier": "3"},
        {"starts_at": "2026-11-01", "ends_at": "2026-11-02", "product_ids": [], "points_multiplier": "9"},
    ]
    assert rules.best_multiplier(campaigns, "p", "2026-11-25") == Decimal("3")
    assert rules.best_multiplier(campaigns, "q", "2026-11-25") == Decimal("1.5")
    assert rules.best_multiplier([], "q", "2026-11-25") == Decimal("1")


def test_given_an_amount_coupon_then_it_comes_off_the_gross_premium_above_its_minimum():
    coupon = _coupon(kind="amount", amount_cents=2000, min_premium_cents=5000)
    assert rules.coupon_discount(coupon["terms"], 6000, "p") == (2000, None)
    amount, why = rules.coupon_discount(coupon["terms"], 4999, "p")
    assert amount == 0 and "at least CNY 50.00" in why


def test_given_a_percent_coupon_then_it_is_rounded_half_up_to_the_fen():
    terms = {"kind": "percent", "percent": 15}
    assert rules.coupon_discount(terms, 1003, "p") == (150, None)  # 150.45 -> 150
    assert rules.coupon_discount(terms, 1010, "p") == (152, None)  # 151.5 -> 152


def test_given_a_coupon_for_other_products_then_it_does_not_apply():
    amount, why = rules.coupon_discount(
        {"kind": "amount", "amount_cents": 100, "product_ids": ["a"]}, 900, "b"
    )
    assert amount == 0 and "product" in why


def test_given_a_coupon_worth_more_than_the_premium_then_one_fen_is_still_payable():
    result, problems = rules.breakdown(
        gross_cents=500,
        product_id="p",
        coupon=_coupon(kind="amount", amount_cents=2000),
        points=0,
        balance_points=0,
        settings=SETTINGS,
    )
    assert not problems
    assert result["payable_cents"] == 1 and result["discounts"][0]["amount_cents"] == 499


def test_given_a_coupon_and_points_then_the_breakdown_lists_both_and_points_stay_within_the_limit():
    result, problems = rules.breakdown(
        gross_cents=36000,
        product_id="p",
        coupon=_coupon(kind="amount", amount_cents=2000, min_premium_cents=5000),
        points=3600,
        balance_points=10000,
        settings=SETTINGS,
    )
    assert not problems
    assert [(d["kind"], d["amount_cents"]) for d in result["discounts"]] == [
        ("coupon", 2000),
        ("points", 3600),
    ]
    assert result["payable_cents"] == 36000 - 2000 - 3600
    assert result["max_points"] == 3600  # 10% of CNY 360
    assert result["discounts"][0]["label"] == "Winter: CNY 20.00 off"

    _, problems = rules.breakdown(
        gross_cents=36000, product_id="p", coupon=None, points=3601, balance_points=10000, settings=SETTINGS
    )
    assert problems == {"points": "at most 3600 points on this order"}
    _, problems = rules.breakdown(
        gross_cents=36000, product_id="p", coupon=None, points=500, balance_points=100, settings=SETTINGS
    )
    assert problems == {"points": "you have 100 points"}


def test_given_points_worth_less_than_a_fen_each_then_only_whole_fen_are_taken_off_and_paid_for():
    settings = SETTINGS | {"points_per_cny_discount": 1000}  # 10 points = 1 fen
    result, problems = rules.breakdown(
        gross_cents=100000, product_id="p", coupon=None, points=1005, balance_points=5000, settings=settings
    )
    assert not problems
    assert result["discounts"] == [
        {"kind": "points", "label": "1000 points", "amount_cents": 100, "points": 1000}
    ]
    _, problems = rules.breakdown(
        gross_cents=100000, product_id="p", coupon=None, points=5, balance_points=5000, settings=settings
    )
    assert "points" in problems


def test_given_a_member_coupon_then_used_expired_and_not_yet_valid_ones_are_refused():
    claim = {"status": "available", "valid_from": "2026-11-24", "valid_until": "2026-12-01", "order_id": None}
    assert rules.coupon_problem(claim, "2026-11-25") is None
    assert rules.coupon_problem(claim, "2026-12-02") == "this coupon has expired"
    assert rules.coupon_problem(claim, "2026-11-23") == "this coupon cannot be used yet"
    assert rules.coupon_problem(claim | {"status": "used", "order_id": "O1"}, "2026-11-25") is not None
    assert rules.coupon_problem(claim | {"status": "used", "order_id": "O1"}, "2026-11-25", "O1") is None
    assert rules.coupon_problem(None, "2026-11-25") == "no such coupon"
    assert rules.claim_status(claim, "2026-12-02") == "expired"


def test_given_request_fields_then_points_must_be_a_whole_number_and_a_claim_id_ours():
    assert rules.parse_request({"coupon_claim_id": "abc123", "points": 10}) == ("abc123", 10, {})
    _, _, problems = rules.parse_request({"coupon_claim_id": "../x", "points": -1})
    assert set(problems) == {"coupon_claim_id", "points"}
    assert rules.parse_request({"points": True})[2] == {"points": "a whole number of points, 0 or more"}
