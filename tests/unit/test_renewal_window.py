"""The renewal and expiry jobs' date arithmetic: which end dates a run covers around month ends, leap
days and the year end; when a renewal starts; the insured's age at renewal; renewal pricing at it."""

from datetime import date

import pytest

from catalog.domain import rating
from local.demo import load_catalog
from policy.domain.renewal_window import (
    RENEWAL_CATCH_UP_DAYS,
    age_at_renewal,
    expiry_end_dates,
    renewal_end_dates,
    renewal_rating_factors,
    renewal_start_date,
)


@pytest.mark.parametrize(
    ("run_day", "window", "last_end_date"),
    [
        (date(2027, 1, 31), 30, date(2027, 3, 2)),  # 31 Jan + 30 days crosses a 28-day February
        (date(2028, 1, 31), 30, date(2028, 3, 1)),  # ... and a 29-day one
        (date(2027, 4, 30), 30, date(2027, 5, 30)),
        (date(2027, 3, 31), 30, date(2027, 4, 30)),  # no 31 April
        (date(2028, 1, 30), 30, date(2028, 2, 29)),  # lands on the leap day
        (date(2029, 1, 30), 30, date(2029, 3, 1)),  # the same run day in a common year
        (date(2027, 12, 15), 30, date(2028, 1, 14)),  # across the year end
        (date(2027, 12, 31), 1, date(2028, 1, 1)),
    ],
)
def test_given_a_run_day_when_selecting_end_dates_then_the_window_day_is_the_last_one_covered(
    run_day, window, last_end_date
):
    covered = renewal_end_dates(run_day, window)

    assert covered[-1] == last_end_date
    assert len(covered) == RENEWAL_CATCH_UP_DAYS + 1


def test_given_a_window_ending_on_1_march_when_selecting_then_the_catch_up_days_cross_the_leap_day():
    assert renewal_end_dates(date(2028, 1, 31), 30, catch_up_days=3) == [
        date(2028, 2, 27),
        date(2028, 2, 28),
        date(2028, 2, 29),
        date(2028, 3, 1),
    ]
    assert renewal_end_dates(date(2029, 1, 30), 30, catch_up_days=2) == [
        date(2029, 2, 27),
        date(2029, 2, 28),
        date(2029, 3, 1),
    ]


def test_given_consecutive_runs_when_selecting_then_every_end_date_is_covered_with_no_gap():
    covered = set()
    for day in range(1, 366):
        run_day = date.fromordinal(date(2027, 12, 31).toordinal() + day)
        covered.update(renewal_end_dates(run_day, 30))
    first, last = min(covered), max(covered)
    assert len(covered) == (last - first).days + 1


def test_given_one_missed_run_when_the_next_day_runs_then_the_missed_end_date_is_still_covered():
    missed = renewal_end_dates(date(2028, 2, 28), 30, catch_up_days=0)

    assert set(missed) <= set(renewal_end_dates(date(2028, 2, 29), 30))


def test_given_no_catch_up_when_selecting_then_only_the_window_day_is_covered():
    assert renewal_end_dates(date(2027, 4, 30), 30, catch_up_days=0) == [date(2027, 5, 30)]


def test_given_a_run_on_1_march_of_a_leap_year_when_expiring_then_it_looks_back_over_the_leap_day():
    looked_back = expiry_end_dates(date(2028, 3, 1))

    assert looked_back[0] == date(2028, 2, 29)
    assert looked_back[-1] == date(2028, 2, 23)
    assert len(looked_back) == 7
    assert expiry_end_dates(date(2028, 1, 1), 2) == [date(2027, 12, 31), date(2027, 12, 30)]


@pytest.mark.parametrize(
    ("end_date", "start"),
    [
        (date(2027, 1, 31), date(2027, 2, 1)),
        (date(2027, 2, 28), date(2027, 3, 1)),
        (date(2028, 2, 28), date(2028, 2, 29)),
        (date(2028, 2, 29), date(2028, 3, 1)),
        (date(2027, 4, 30), date(2027, 5, 1)),
        (date(2027, 12, 31), date(2028, 1, 1)),
    ],
)
def test_given_an_end_date_when_renewing_then_cover_starts_the_next_day(end_date, start):
    assert renewal_start_date(end_date) == start


@pytest.mark.parametrize(
    ("renewal_start", "age"),
    [
        (date(2027, 2, 28), 30),  # common year: not yet 31 on 28 February
        (date(2027, 3, 1), 31),  # ... 31 on 1 March
        (date(2028, 2, 28), 31),
        (date(2028, 2, 29), 32),  # leap year: the birthday itself
    ],
)
def test_given_a_29_february_birthday_when_renewing_then_the_age_is_age_last_birthday(renewal_start, age):
    assert age_at_renewal(date(1996, 2, 29), 30, date(2026, 3, 1), renewal_start) == age


def test_given_no_birth_date_when_renewing_then_the_age_grows_by_the_whole_years_since_the_start():
    assert age_at_renewal(None, 40, date(2027, 2, 28), date(2028, 2, 28)) == 41
    assert age_at_renewal(None, 40, date(2028, 2, 29), date(2029, 2, 28)) == 40
    assert age_at_renewal(None, 40, date(2028, 2, 29), date(2029, 3, 1)) == 41


def test_given_an_insured_who_turned_31_when_pricing_the_renewal_then_the_new_age_band_applies():
    catalog = load_catalog()
    product = next(p for p in catalog["products"] if p["product_id"] == "medical-million")
    table = next(
        t
        for t in catalog["rate_tables"]
        if t["product_id"] == product["product_id"] and t["version"] == product["rate_table_version"]
    )
    insured = {"gender": "F", "age": 30, "birth_date": "1996-02-29", "occupation_class": None}
    policy = {
        "plan": "standard",
        "term": "1Y",
        "start_date": "2026-03-01",
        "end_date": "2027-02-28",
        "product_snapshot": {"options": []},
        "parties": {"insured": [insured]},
    }
    start = renewal_start_date(date.fromisoformat(policy["end_date"]))
    age = age_at_renewal(date(1996, 2, 29), insured["age"], date(2026, 3, 1), start)

    renewal = rating.rate(product, table, rating.RatingRequest(**renewal_rating_factors(policy, age)))

    at_old_age = rating.rate(product, table, rating.RatingRequest(**renewal_rating_factors(policy, 30)))
    at_new_age = rating.rate(product, table, rating.RatingRequest(**renewal_rating_factors(policy, 31)))
    assert age == 31
    assert at_old_age.total != at_new_age.total
    assert renewal.total == at_new_age.total
