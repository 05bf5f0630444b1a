"""The "from" price of a rate table, and the rules for banners, featured slots and categories."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.domain import rating
from catalog.domain.merchandising import (
    MerchandisingInvalid,
    banners_showing,
    linked_product_id,
    validate_banner,
    validate_category,
    validate_featured,
)
from catalog.domain.starting_price import cheapest_for, premium_from, yearly_cost

CATALOG = json.loads((Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8"))
PRODUCTS = {p["product_id"]: p for p in CATALOG["products"]}


def current_table(product_id: str) -> dict:
    product = PRODUCTS[product_id]
    return next(
        t
        for t in CATALOG["rate_tables"]
        if (t["product_id"], t["version"]) == (product_id, product["rate_table_version"])
    )


# --- premium_from ----------------------------------------------------------------------------------


def test_given_a_table_when_priced_then_the_lowest_row_premium_at_the_cheapest_occupation_class():
    # accident-guardian v2: basic 18-40 at 99.00, class 1 factor 1.00
    assert premium_from(PRODUCTS["accident-guardian"], current_table("accident-guardian")) == Decimal("99.00")
    # the 6-month lite term is the lowest single premium of the commuter cover
    assert premium_from(PRODUCTS["accident-commuter"], current_table("accident-commuter")) == Decimal("29.00")


def test_given_rows_beyond_the_age_limits_when_priced_then_only_insurable_ages_count():
    product = {**PRODUCTS["home-family-shield"], "age_limits": {"min": 30, "max": 80}}
    table = {**current_table("home-family-shield"), "version": 99}
    assert premium_from(product, table) == Decimal("88.00")


def test_given_the_actuarial_term_life_when_priced_then_the_youngest_age_cheapest_plan_and_term():
    product, table = PRODUCTS["term-life-harbour"], current_table("term-life-harbour")
    lowest = premium_from(product, table)
    youngest = product["age_limits"]["min"]
    candidates = [
        rating.rate(
            product, table, rating.RatingRequest(plan["code"], youngest, gender, term["code"], (), 1)
        ).total
        for plan in product["plans"]
        for term in product["terms"]
        for gender in ("M", "F")
    ]
    assert lowest == min(candidates)
    older = rating.rate(
        product, table, rating.RatingRequest("term_500k", youngest + 10, "F", "10Y", (), 1)
    ).total
    assert lowest < older


def test_given_a_table_no_one_can_be_quoted_on_when_priced_then_none():
    product = {**PRODUCTS["home-family-shield"], "age_limits": {"min": 18, "max": 80}}
    table = {**current_table("home-family-shield"), "version": 98, "rows": []}
    assert premium_from(product, table) is None


def test_given_terms_of_different_lengths_when_compared_then_by_yearly_cost():
    assert yearly_cost({"months": 6}, Decimal("29.00")) == Decimal("58.00")
    assert yearly_cost({"days": 7}, Decimal("32.00")) == Decimal("32.00")
    assert yearly_cost({"years": 20}, Decimal("944.85")) == Decimal("944.85")
    estimate = cheapest_for(PRODUCTS["accident-commuter"], current_table("accident-commuter"), 30, "F")
    assert (estimate.term["code"], estimate.per) == ("1Y", "a year")


def test_given_someone_too_old_or_in_a_class_not_covered_then_no_estimate():
    product, table = PRODUCTS["critical-illness-care"], current_table("critical-illness-care")
    assert cheapest_for(product, table, 56, "M") is None
    guardian, guardian_table = PRODUCTS["accident-guardian"], current_table("accident-guardian")
    assert cheapest_for(guardian, guardian_table, 30, "M", occupation_class=5) is None
    assert cheapest_for(guardian, guardian_table, 30, "M", occupation_class=4).premium.total > Decimal(
        "99.00"
    )


# --- banners ----------------------------------------------------------------------------------------

BANNER = {
    "title": "Winter trips",
    "subtitle": "Cover from day one",
    "link": "/product.html?id=travel-asia-explorer",
    "theme": "blue",
    "position": 1,
    "starts_at": "2026-12-01T00:00:00+08:00",
    "ends_at": "2027-01-01T00:00:00+08:00",
}


def test_given_a_good_banner_when_validated_then_active_by_default_and_times_kept():
    banner = validate_banner(BANNER)
    assert banner["active"] is True
    assert banner["starts_at"] == "2026-12-01T00:00:00+08:00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 61}, "title"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "//evil.example/"}, "link"),
        ({"link": "http://plain.example/"}, "link"),
        ({"theme": "red"}, "theme"),
        ({"position": 0}, "position"),
        ({"position": True}, "position"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"ends_at": None}, "ends_at"),
        ({"ends_at": "2026-11-30T00:00:00+08:00"}, "ends_at"),
        ({"active": "yes"}, "active"),
    ],
)
def test_given_a_bad_banner_field_when_validated_then_it_is_named(changes, field):
    with pytest.raises(MerchandisingInvalid) as caught:
        validate_banner({**BANNER, **changes})
    assert field in caught.value.errors


def test_given_banners_when_shown_at_a_moment_then_active_ones_in_their_dates_by_position():
    later = {"starts_at": "2027-01-01T00:00:00+08:00", "ends_at": "2027-02-01T00:00:00Z"}
    banners = [
        {**validate_banner({**BANNER, "position": 2}), "banner_id": "B2"},
        {**validate_banner({**BANNER, "position": 1}), "banner_id": "B1"},
        {**validate_banner({**BANNER, "active": False}), "banner_id": "B3"},
        {**validate_banner({**BANNER, **later}), "banner_id": "B4"},
    ]
    during = datetime(2026, 12, 15, tzinfo=UTC)
    assert [b["banner_id"] for b in banners_showing(banners, during)] == ["B1", "B2"]
    # 2026-12-01 00:00 in China is 2026-11-30 16:00 UTC
    assert banners_showing(banners, datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == []
    assert len(banners_showing(banners, datetime(2026, 11, 30, 16, 0, tzinfo=UTC))) == 2


@pytest.mark.parametrize(
    ("link", "product_id"),
    [
        ("/product.html?id=travel-asia-explorer", "travel-asia-explorer"),
        ("product.html?id=travel-asia-explorer&ref=AB12", "travel-asia-explorer"),
        ("/product.html?plan=plus&id=medical-million#calc", "medical-million"),
        ("/product.html", None),
        ("/product.html?id=", None),
        ("/recommend.html", None),
        ("/index.html?category=travel", None),
        ("https://example.com/product.html?id=travel-asia-explorer", None),
        ("", None),
    ],
)
def test_given_a_banner_link_when_read_then_the_product_it_opens_is_named(link, product_id):
    assert linked_product_id(link) == product_id


# --- featured slots and categories -------------------------------------------------------------------


def test_given_featured_slots_when_validated_then_order_kept_and_problems_named_by_slot():
    slots = validate_featured(
        {"slots": [{"product_id": "b", "label": "New"}, {"product_id": "a"}]}, {"a", "b"}
    )
    assert slots == [{"product_id": "b", "label": "New"}, {"product_id": "a", "label": ""}]
    with pytest.raises(MerchandisingInvalid) as caught:
        validate_featured({"slots": [{"product_id": "a"}, {"product_id": "a"}, {"product_id": "zzz"}]}, {"a"})
    assert set(caught.value.errors) == {"slots[1].product_id", "slots[2].product_id"}
    with pytest.raises(MerchandisingInvalid) as caught:
        validate_featured({"slots": [{"product_id": "a"}] * 9}, {"a"})
    assert caught.value.errors["slots"] == "at most 8 featured slots"


def test_given_categories_when_validated_then_ids_are_slugs_and_cannot_change_on_edit():
    assert validate_category({"category_id": "pets", "name": "Pets", "icon": "🐾", "sort": 6})["sort"] == 6
    with pytest.raises(MerchandisingInvalid) as caught:
        validate_category({"category_id": "Pet Care", "name": "", "sort": -1})
    assert set(caught.value.errors) == {"category_id", "name", "sort"}
    with pytest.raises(MerchandisingInvalid) as caught:
        validate_category({"category_id": "other", "name": "Pets"}, category_id="pets")
    assert caught.value.errors == {"category_id": "cannot change; create a new category instead"}
    assert validate_category({"name": "Pets"}, category_id="pets")["category_id"] == "pets"
