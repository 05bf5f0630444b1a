"""Cancellation refunds: full inside cooling-off or before cover, pro-rata and short-rate after, none."""

from datetime import date

import pytest

from insuremall.errors import Conflict
from policy.domain.cancellation import add_months, months_begun, quote


def policy(
    rule=None, start="2026-01-01", end="2026-12-31", cooling="2026-01-15", premium=36500, status="in_force"
):
    snapshot = {"cooling_off_days": 15}
    if rule:
        snapshot["cancellation"] = {"after_cooling_off": rule}
    return {
        "status": status,
        "premium_cents": premium,
        "start_date": start,
        "end_date": end,
        "cooling_off_until": cooling,
        "product_snapshot": snapshot,
    }


def test_given_cooling_off_when_cancelled_on_its_last_day_then_full_refund():
    q = quote(policy("none"), date(2026, 1, 15))
    assert (q.rule, q.within_cooling_off, q.refund_cents) == ("cooling_off", True, 36500)


def test_given_cooling_off_over_when_cancelled_the_next_day_then_the_product_rule_applies():
    q = quote(policy("pro_rata"), date(2026, 1, 16))
    # 16 of 365 days used (the cancellation day counts as used)
    assert (q.rule, q.within_cooling_off, q.refund_cents) == ("pro_rata", False, 34900)
    assert q.to_dict()["retained_cents"] == 1600


def test_given_no_rule_on_the_product_when_cancelled_after_cooling_off_then_pro_rata():
    assert quote(policy(None), date(2026, 7, 2)).rule == "pro_rata"


def test_given_pro_rata_when_the_share_has_half_a_fen_then_round_half_up():
    # 1 of 2 days unused of 1 fen... use 3 fen over 2 days: 1.5 -> 2
    q = quote(
        policy("pro_rata", start="2026-03-01", end="2026-03-02", cooling=None, premium=3), date(2026, 3, 1)
    )
    assert q.refund_cents == 2


def test_given_leap_year_when_pro_rata_then_366_days_count():
    q = quote(
        policy("pro_rata", start="2028-01-01", end="2028-12-31", cooling=None, premium=36600),
        date(2028, 2, 29),
    )
    assert q.refund_cents == 36600 - 60 * 100


def test_given_short_rate_when_cancelled_in_the_fourth_month_then_40_percent_kept():
    q = quote(policy("short_rate"), date(2026, 4, 10))
    assert q.rule == "short_rate" and q.refund_cents == 36500 - 14600


def test_given_short_rate_when_the_tenth_month_begins_then_85_becomes_90_percent_kept():
    assert quote(policy("short_rate"), date(2026, 9, 30)).refund_cents == 36500 - 31025
    assert quote(policy("short_rate"), date(2026, 10, 1)).refund_cents == 36500 - 32850


def test_given_short_rate_when_cancelled_on_the_last_day_then_nothing_back():
    assert quote(policy("short_rate"), date(2026, 12, 31)).refund_cents == 0


def test_given_month_end_start_when_counting_months_then_short_months_clamp():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert months_begun(date(2026, 1, 31), date(2026, 2, 27)) == 1
    assert months_begun(date(2026, 1, 31), date(2026, 2, 28)) == 2


def test_given_rule_none_when_cancelled_after_cooling_off_then_nothing_back():
    q = quote(policy("none"), date(2026, 3, 1))
    assert (q.rule, q.refund_cents) == ("none", 0)


def test_given_cover_not_started_when_cancelled_then_full_refund():
    q = quote(policy("none", start="2026-06-01", end="2027-05-31", cooling="2026-01-15"), date(2026, 2, 1))
    assert (q.rule, q.refund_cents) == ("not_started", 36500)


@pytest.mark.parametrize("status", ["cancelled", "expired"])
def test_given_a_policy_not_in_force_when_quoted_then_conflict(status):
    with pytest.raises(Conflict):
        quote(policy(status=status), date(2026, 2, 1))


def test_given_cover_ended_when_quoted_then_conflict():
    with pytest.raises(Conflict):
        quote(policy(), date(2027, 1, 1))
