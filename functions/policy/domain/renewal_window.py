"""Which days the daily renewal and expiry jobs cover, and the dates and age a renewal starts at.

Pure date arithmetic (no I/O), so month ends, leap days and year ends are unit-tested here.
"""

from __future__ import annotations

from datetime import date, timedelta

from insuremall.identity import age_at

# A renewal run also covers the end dates of the days before: a missed or failed run is caught up by
# the next one. Offers are conditional puts (one per policy), so covering a day twice creates nothing.
RENEWAL_CATCH_UP_DAYS = 3
# The second reminder goes this many days before the policy's last day, if the offer is not taken.
REMINDER_DAYS_BEFORE_END = 7
# Expiry looks back this many days before the run day (the day a policy ended is the day before).
EXPIRY_LOOKBACK_DAYS = 7


def renewal_end_dates(
    run_day: date, window_days: int, catch_up_days: int = RENEWAL_CATCH_UP_DAYS
) -> list[date]:
    """End dates a run offers renewal for: from window - catch_up to window days after the run day,
    oldest first (each is one index partition)."""
    last = run_day + timedelta(days=window_days)
    return [last - timedelta(days=back) for back in range(catch_up_days, -1, -1)]


def expiry_end_dates(run_day: date, lookback_days: int = EXPIRY_LOOKBACK_DAYS) -> list[date]:
    """End dates a run expires: the `lookback_days` days before the run day, most recent first."""
    return [run_day - timedelta(days=back) for back in range(1, lookback_days + 1)]


def renewal_start_date(end_date: date) -> date:
    """Cover continues the day after the last day of cover."""
    return end_date + timedelta(days=1)


def age_at_renewal(birth_date: date | None, age_at_start: int, start_date: date, renewal_start: date) -> int:
    """The insured's age on the renewal's first day: from the birth date when known (age last
    birthday), otherwise the age at the old start plus the whole years passed since then."""
    if birth_date is not None:
        return age_at(birth_date, renewal_start)
    return age_at_start + age_at(start_date, renewal_start)


def renewal_rating_factors(policy: dict, age: int) -> dict:
    """The rating factors of a renewal: the policy's plan, term, options and insured, at the new age
    (keyword arguments of catalog.domain.rating.RatingRequest)."""
    insured = policy["parties"]["insured"][0]
    return {
        "plan": policy["plan"],
        "age": age,
        "gender": insured["gender"],
        "term": policy["term"],
        "options": tuple(policy["product_snapshot"].get("options", [])),
        "occupation_class": insured.get("occupation_class"),
    }
