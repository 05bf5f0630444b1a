"""Promotion-fee rules: the two-level split, rounding to the fen, rate selection by effective day and
renewal, release day, void or clawback on cancellation, the clawback share, and the licence rule."""

from datetime import date

import pytest

from distribution.referrals.domain import promotion_fees as commission

RATE = {
    "scope": "product",
    "scope_id": "accident-guardian",
    "effective_from": "2026-11-01",
    "level1_bp": 1500,
    "level2_bp": 500,
    "renewal_level1_bp": 800,
    "renewal_level2_bp": 200,
}
ATTRIBUTION = {"level1": "member-b", "level2": "member-a", "source": "bound"}


def test_given_a_sale_with_two_levels_when_splitting_then_each_level_earns_its_rate_of_the_premium():
    fees = commission.fees_for_sale(ATTRIBUTION, RATE, premium_cents=36_000, renewal=False)

    assert [(f.level, f.member_id, f.rate_bp, f.cents) for f in fees] == [
        (1, "member-b", 1500, 5_400),
        (2, "member-a", 500, 1_800),
    ]
    assert fees[0].detail == {
        "rate_bp": 1500,
        "base_cents": 36_000,
        "rate_scope": "product",
        "rate_scope_id": "accident-guardian",
        "rate_effective_from": "2026-11-01",
        "renewal": False,
    }


def test_given_a_renewal_when_splitting_then_the_renewal_rates_apply():
    fees = commission.fees_for_sale(ATTRIBUTION, RATE, premium_cents=36_000, renewal=True)

    assert [(f.level, f.rate_bp, f.cents) for f in fees] == [(1, 800, 2_880), (2, 200, 720)]
    assert all(f.detail["renewal"] for f in fees)


def test_given_only_a_level_one_inviter_when_splitting_then_one_fee():
    fees = commission.fees_for_sale({"level1": "member-b", "level2": None}, RATE, 10_000, renewal=False)

    assert [(f.level, f.cents) for f in fees] == [(1, 1_500)]


@pytest.mark.parametrize(
    ("attribution", "rate"),
    [(None, RATE), ({}, RATE), ({"level1": None, "level2": None}, RATE), (ATTRIBUTION, None)],
)
def test_given_no_attribution_or_no_rate_when_splitting_then_no_fee(attribution, rate):
    assert commission.fees_for_sale(attribution, rate, 36_000, renewal=False) == []


def test_given_a_zero_rate_when_splitting_then_that_level_earns_nothing():
    fees = commission.fees_for_sale(ATTRIBUTION, RATE | {"level2_bp": 0}, 36_000, renewal=False)

    assert [f.level for f in fees] == [1]


@pytest.mark.parametrize(
    ("premium", "bp", "fee"),
    [
        (12_345, 1500, 1_852),  # 1851.75 -> 1852
        (10_001, 50, 50),  # 50.005 -> 50 (half-up at the fen: .005 of a fen is below half)
        (10_010, 50, 50),  # 50.05 -> 50
        (10_100, 50, 51),  # 50.5 -> 51 (exactly half rounds up)
        (1, 5000, 1),  # 0.5 -> 1
        (1, 4999, 0),  # 0.4999 -> 0
        (0, 1500, 0),
        (36_000, 0, 0),
    ],
)
def test_given_a_premium_and_basis_points_when_computing_a_fee_then_it_is_rounded_half_up_to_the_fen(
    premium, bp, fee
):
    assert commission.fee_cents(premium, bp) == fee


def test_given_product_and_category_rates_when_selecting_then_the_product_rate_wins_else_the_category():
    category = RATE | {"scope": "category", "scope_id": "accident", "level1_bp": 1000}

    assert commission.select_rate(RATE, category) is RATE
    assert commission.select_rate(None, category) is category
    assert commission.select_rate(None, None) is None


@pytest.mark.parametrize(
    ("cooling_off_until", "issue_day", "release"),
    [
        ("2026-12-10", date(2026, 11, 25), date(2026, 12, 11)),
        ("2026-12-31", date(2026, 12, 16), date(2027, 1, 1)),  # across the year end
        ("2028-02-28", date(2028, 2, 13), date(2028, 2, 29)),  # onto the leap day
        (None, date(2026, 11, 25), date(2026, 11, 26)),  # no cooling-off: the next day
    ],
)
def test_given_a_cooling_off_end_when_computing_the_release_day_then_it_is_the_day_after(
    cooling_off_until, issue_day, release
):
    assert commission.release_day(cooling_off_until, issue_day) == release


def test_given_a_run_day_when_listing_due_days_then_it_covers_three_catch_up_days_before_it():
    assert commission.release_days(date(2027, 1, 2)) == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]


def test_given_a_utc_issue_time_late_in_the_evening_when_taking_its_day_then_it_is_the_next_china_day():
    assert commission.china_day("2026-11-25T16:30:00.000+00:00") == date(2026, 11, 26)
    assert commission.china_day("2026-11-25T15:59:59.999+00:00") == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("within", "released", "action"),
    [
        (True, False, commission.VOID),
        (True, True, commission.CLAWBACK),  # released anyway (a job run for a later day): claw back
        (False, True, commission.CLAWBACK),
        (False, False, commission.RELEASE_THEN_CLAWBACK),  # the job was late: release, then claw back
    ],
)
def test_given_a_cancellation_when_deciding_then_void_before_release_and_clawback_after(
    within, released, action
):
    assert commission.cancellation_action(within, released) == action


@pytest.mark.parametrize(
    ("fee", "refund", "premium", "share"),
    [
        (5_400, 36_000, 36_000, 5_400),  # full refund: the whole fee
        (5_400, 18_000, 36_000, 2_700),  # half
        (5_400, 0, 36_000, 0),  # no refund: the fee stays
        (1_852, 12_345, 12_345, 1_852),
        (1_852, 6_000, 12_345, 900),  # 900.12 -> 900
        (1_851, 6_173, 12_345, 926),  # 925.58 -> 926
        (1, 5_000, 10_000, 1),  # 0.5 -> 1 (half-up)
        (3, 1, 2, 2),  # 1.5 -> 2
        (5_400, 40_000, 36_000, 5_400),  # never more than the fee
        (5_400, 100, 0, 0),  # no premium, nothing to share
    ],
)
def test_given_a_refund_when_clawing_back_then_the_refund_share_of_the_fee_rounded_half_up(
    fee, refund, premium, share
):
    assert commission.clawback_cents(fee, refund, premium) == share


@pytest.mark.parametrize(
    ("required", "verified", "expected"),
    [
        (False, False, ("cash", commission.RULE_NOT_REQUIRED)),
        (False, True, ("cash", commission.RULE_NOT_REQUIRED)),
        (True, True, ("cash", commission.RULE_LICENCE_VERIFIED)),
        (True, False, ("points", commission.RULE_NO_LICENCE)),
    ],
)
def test_given_the_licence_setting_when_settling_then_cash_only_with_a_verified_licence(
    required, verified, expected
):
    assert commission.settlement(required, verified) == expected


@pytest.mark.parametrize(("cents", "per_cny", "points"), [(5_400, 100, 5_400), (1_852, 10, 185), (5, 10, 1)])
def test_given_a_fee_paid_in_points_when_converting_then_points_per_cny_rounded_half_up(
    cents, per_cny, points
):
    assert commission.fee_points(cents, per_cny) == points


def test_given_a_valid_rate_when_parsing_then_it_is_accepted():
    body = {k: v for k, v in RATE.items()} | {"effective_from": "2026-11-25"}

    rate, problems = commission.parse_rate(body, today=date(2026, 11, 25))

    assert problems == {}
    assert rate == body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope": "insurer"}, "scope"),
        ({"scope_id": "Not An Id"}, "scope_id"),
        ({"effective_from": "2026-11-24"}, "effective_from"),  # yesterday: would move fees already earned
        ({"effective_from": "25/11/2026"}, "effective_from"),
        ({"level1_bp": 5001}, "level1_bp"),
        ({"level1_bp": -1}, "level1_bp"),
        ({"level1_bp": "1500"}, "level1_bp"),
        ({"level1_bp": True}, "level1_bp"),
        ({"level1_bp": 4000, "level2_bp": 1001}, "level2_bp"),  # both levels above 50 %
        ({"renewal_level1_bp": 4000, "renewal_level2_bp": 1001}, "renewal_level2_bp"),
        ({"bonus_bp": 10}, "bonus_bp"),
    ],
)
def test_given_a_bad_rate_when_parsing_then_the_field_is_named(changes, field):
    _, problems = commission.parse_rate(
        RATE | {"effective_from": "2026-11-25"} | changes, today=date(2026, 11, 25)
    )

    assert field in problems


@pytest.mark.parametrize(
    ("policy_no", "masked"),
    [("JADE2026112500000123", "JADE************0123"), ("P1234567", "P1******"), (None, None)],
)
def test_given_a_policy_number_when_masking_then_the_first_and_last_four_remain(policy_no, masked):
    assert commission.mask_policy_no(policy_no) == masked
