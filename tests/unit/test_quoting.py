"""checkout.quoting over in-memory fakes (no AWS)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkout import quoting
from insuremall import errors
from tests.unit import checkout_fakes as fakes


def _quote(form, quotes=None):
    return quoting.create_quote(
        form,
        quotes=quotes or fakes.Quotes(),
        pricing=fakes.Pricing(),
        now=fakes.NOW,
        today=fakes.TODAY,
        ttl_seconds=1800,
        new_id=lambda: "Q1",
    )


def test_given_factors_and_a_birth_date_when_quoting_then_the_age_on_the_start_date_and_a_locked_premium():
    quotes = fakes.Quotes()
    form = {"product_id": "accident-guardian", "plan": "standard", "gender": "M", "term": "1Y"}
    form |= {"birth_date": fakes.BIRTH.isoformat(), "start_date": fakes.START.isoformat()}

    quote = _quote(form, quotes)

    assert quote.inputs["age"] == fakes.AGE and quote.inputs["start_date"] == fakes.START.isoformat()
    assert (quote.premium_cents, quote.rate_table_version, quote.valid_until) == (16900, 3, fakes.NOW + 1800)
    assert (
        quotes.get_quote("Q1") == quote
        and not quote.expired(fakes.NOW + 1799)
        and quote.expired(fakes.NOW + 1800)
    )


def test_given_bad_dates_and_missing_factors_when_quoting_then_every_problem_at_once():
    form = {
        "product_id": "accident-guardian",
        "start_date": fakes.TODAY.isoformat(),
        "birth_date": "2999-01-01",
    }

    with pytest.raises(errors.Invalid) as raised:
        _quote(form)

    assert {"start_date", "birth_date", "plan", "gender", "term"} <= raised.value.fields.keys()


def test_given_a_start_too_far_ahead_or_no_product_when_quoting_then_refused():
    far = (fakes.TODAY + timedelta(days=91)).isoformat()
    with pytest.raises(errors.Invalid, match="fields"):
        _quote({"product_id": "accident-guardian", "start_date": far, "age": 30})
    with pytest.raises(errors.Invalid):
        _quote({})
    with pytest.raises(errors.NotFound):
        _quote({"product_id": "no-such-product"})


def test_given_an_expired_quote_when_previewing_discounts_then_conflict():
    quotes = fakes.Quotes()
    quotes.put_quote(fakes.quote(valid_until=fakes.NOW - 1))

    with pytest.raises(errors.Conflict, match="expired"):
        quoting.preview_discounts("Q1", "m1", {}, quotes=quotes, incentives=fakes.Incentives(), now=fakes.NOW)
    with pytest.raises(errors.NotFound):
        quoting.get_quote("nope", quotes=quotes)
