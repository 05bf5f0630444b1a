"""The demo catalog: schema, cross references, complete age bands, and every product rates."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.domain.rating import RatingRequest, rate

CATALOG = json.loads((Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8"))
PRODUCTS = CATALOG["products"]
RATE_TABLES = CATALOG["rate_tables"]
INSURERS = {i["insurer_id"]: i for i in CATALOG["insurers"]}
CATEGORIES = {c["category_id"]: c for c in CATALOG["categories"]}
TABLES_BY_KEY = {(t["product_id"], t["version"]): t for t in RATE_TABLES}

PRODUCT_KEYS = {
    "product_id", "name", "insurer_id", "category_id", "kind", "status", "channels", "summary", "tags",
    "age_limits", "terms", "plans", "options", "occupation_classes", "health_questions", "has_beneficiaries",
    "max_sum_insured_per_person", "cooling_off_days", "purchase_notes", "exclusions", "terms_summary", "faq",
    "rate_table_version", "cancellation",
}  # fmt: skip
KINDS = {"accident", "travel", "medical", "critical_illness", "term_life", "home"}
CHANNELS = {"h5", "pc", "partner_api"}
TERM_LENGTH_KEYS = {"months", "days", "years", "to_age"}


def ids(items, key):
    return [item[key] for item in items]


def current_table(product):
    return TABLES_BY_KEY[(product["product_id"], product["rate_table_version"])]


# --- schema ---------------------------------------------------------------------------------------


def test_given_catalog_when_loaded_then_it_has_its_collections_and_enough_of_each():
    assert set(CATALOG) == {"insurers", "categories", "products", "rate_tables", "banners", "featured"}
    assert len(INSURERS) >= 3
    assert len(CATEGORIES) >= 4
    assert len(PRODUCTS) >= 8


def test_given_insurers_when_checked_then_fields_and_unique_three_letter_short_codes():
    for insurer in CATALOG["insurers"]:
        assert set(insurer) == {"insurer_id", "name", "short_code", "licence_no", "hotline"}
        assert re.fullmatch(r"[A-Z]{3}", insurer["short_code"])
    assert len(set(ids(CATALOG["insurers"], "short_code"))) == len(INSURERS) == len(CATALOG["insurers"])


def test_given_categories_when_checked_then_fields_unique_ids_and_sort_order():
    for category in CATALOG["categories"]:
        assert set(category) == {"category_id", "name", "icon", "sort"}
        assert category["icon"]
    assert {"accident", "travel", "health", "life", "home"} <= set(CATEGORIES)
    sorts = ids(CATALOG["categories"], "sort")
    assert len(set(sorts)) == len(sorts)


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p["product_id"])
def test_given_product_when_checked_then_it_uses_exactly_the_schema_keys_and_valid_values(product):
    assert set(product) == PRODUCT_KEYS
    assert product["kind"] in KINDS
    assert product["status"] in {"on_shelf", "off_shelf"}
    assert product["channels"] and set(product["channels"]) <= CHANNELS
    assert 0 <= product["age_limits"]["min"] < product["age_limits"]["max"] <= 100
    assert product["max_sum_insured_per_person"] >= max(p["sum_insured"] for p in product["plans"])
    assert product["cooling_off_days"] >= 0
    assert product["cancellation"]["after_cooling_off"] in {"pro_rata", "short_rate", "none"}
    assert (
        product["summary"]
        and product["terms_summary"]
        and product["purchase_notes"]
        and product["exclusions"]
    )
    assert all(set(item) == {"q", "a"} for item in product["faq"]) and product["faq"]
    for term in product["terms"]:
        assert {"code", "label"} <= set(term)
        assert len(set(term) & TERM_LENGTH_KEYS) == 1, term
    for plan in product["plans"]:
        assert set(plan) == {"code", "name", "sum_insured", "coverages"}
        assert plan["coverages"]
        assert all(set(c) == {"code", "name", "sum_insured"} for c in plan["coverages"])
    for option in product["options"]:
        assert set(option) == {"code", "name", "description"}
    for question in product["health_questions"]:
        assert set(question) == {"code", "text", "on_yes"}
        assert question["on_yes"] in {"decline", "refer"}
    classes = product["occupation_classes"]
    assert classes is None or (set(classes) == {"max"} and 1 <= classes["max"] <= 6)
    for key in ("terms", "plans", "options", "health_questions"):
        codes = ids(product[key], "code")
        assert len(set(codes)) == len(codes), f"duplicate {key} code"


def test_given_products_when_listed_then_unique_ids_and_every_required_kind():
    assert len(set(ids(PRODUCTS, "product_id"))) == len(PRODUCTS)
    kinds = [p["kind"] for p in PRODUCTS if p["status"] == "on_shelf"]
    assert kinds.count("accident") >= 2
    assert kinds.count("travel") >= 2
    assert {"medical", "critical_illness", "term_life", "home"} <= set(kinds)


def test_given_products_when_listed_then_at_least_one_is_off_shelf():
    assert [p["product_id"] for p in PRODUCTS if p["status"] == "off_shelf"]


def test_given_accident_products_when_checked_then_one_has_occupation_classes_and_options():
    accident = [p for p in PRODUCTS if p["kind"] == "accident"]
    assert any(p["occupation_classes"] and p["options"] for p in accident)


def test_given_travel_products_when_checked_then_day_terms_and_the_usual_options():
    for product in (p for p in PRODUCTS if p["kind"] == "travel"):
        assert {"7D", "15D", "30D"} <= set(ids(product["terms"], "code"))
        assert all("days" in term for term in product["terms"])
        assert {"winter_sports", "cancellation"} <= set(ids(product["options"], "code"))


@pytest.mark.parametrize("kind", ["medical", "critical_illness", "term_life"])
def test_given_health_dependent_product_when_checked_then_it_has_a_decline_and_a_refer_question(kind):
    for product in (p for p in PRODUCTS if p["kind"] == kind):
        outcomes = {q["on_yes"] for q in product["health_questions"]}
        assert outcomes == {"decline", "refer"}, product["product_id"]


def test_given_term_life_when_checked_then_actuarial_with_the_required_terms_plans_and_beneficiaries():
    term_life = next(p for p in PRODUCTS if p["kind"] == "term_life")
    table = current_table(term_life)

    assert table["basis"] == "actuarial"
    assert {"mortality_table", "interest_rate", "expense_loading", "policy_fee"} <= set(table)
    assert ids(term_life["terms"], "code") == ["10Y", "20Y", "TO60"]
    assert {500000, 1000000} == {p["sum_insured"] for p in term_life["plans"]}
    assert term_life["has_beneficiaries"] is True


def test_given_medical_and_critical_illness_when_checked_then_rows_are_unisex_and_gender_specific():
    medical = current_table(next(p for p in PRODUCTS if p["kind"] == "medical" and p["status"] == "on_shelf"))
    ci = current_table(next(p for p in PRODUCTS if p["kind"] == "critical_illness"))

    assert {row["gender"] for row in medical["rows"]} == {"*"}
    assert len({(row["age_min"], row["age_max"]) for row in medical["rows"]}) >= 5
    assert "outpatient" in medical["options"]
    assert {row["gender"] for row in ci["rows"]} == {"M", "F"}


# --- cross references -----------------------------------------------------------------------------


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p["product_id"])
def test_given_product_when_cross_checked_then_insurer_category_and_rate_table_exist_and_agree(product):
    assert product["insurer_id"] in INSURERS
    assert product["category_id"] in CATEGORIES
    table = current_table(product)
    assert set(table["options"]) == set(ids(product["options"], "code"))
    assert {row["plan"] for row in table["rows"]} <= set(ids(product["plans"], "code"))
    assert {row["term"] for row in table["rows"]} <= set(ids(product["terms"], "code"))
    if product["occupation_classes"]:
        factors = table["factors"]["occupation_class"]
        assert set(factors) == {str(c) for c in range(1, product["occupation_classes"]["max"] + 1)}


@pytest.mark.parametrize("table", RATE_TABLES, ids=lambda t: f"{t['product_id']}-v{t['version']}")
def test_given_rate_table_when_checked_then_it_belongs_to_a_product_and_is_well_formed(table):
    assert table["product_id"] in ids(PRODUCTS, "product_id")
    assert {
        "product_id",
        "version",
        "effective_from",
        "basis",
        "currency",
        "rows",
        "factors",
        "options",
    } <= set(table)
    assert table["currency"] == "CNY"
    assert table["basis"] in {"table", "actuarial"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", table["effective_from"])
    for row in table["rows"]:
        assert set(row) == {"plan", "term", "age_min", "age_max", "gender", "premium"}
        assert re.fullmatch(r"\d+\.\d{2}", row["premium"]) and Decimal(row["premium"]) > 0
        assert row["gender"] in {"M", "F", "*"}
    for option in table["options"].values():
        value_key = {"add": "amount", "multiply": "factor"}[option["method"]]
        assert set(option) == {"method", value_key}
        assert Decimal(option[value_key]) > 0
    assert len(TABLES_BY_KEY) == len(RATE_TABLES), "duplicate (product_id, version)"


# --- complete age bands: checked from the raw rows, independently of the rating engine ------------


TABLE_BASED = [
    (product, table)
    for product in PRODUCTS
    for table in RATE_TABLES
    if table["product_id"] == product["product_id"] and table["basis"] == "table"
]


@pytest.mark.parametrize(
    ("product", "table"), TABLE_BASED, ids=lambda x: x.get("product_id", "") + f"-v{x.get('version', '')}"
)
def test_given_table_product_when_every_age_is_looked_up_then_exactly_one_row_matches(product, table):
    gaps, overlaps = [], []
    for plan in ids(product["plans"], "code"):
        for term in ids(product["terms"], "code"):
            for gender in ("M", "F"):
                for age in range(product["age_limits"]["min"], product["age_limits"]["max"] + 1):
                    matches = [
                        row
                        for row in table["rows"]
                        if row["plan"] == plan
                        and row["term"] == term
                        and row["gender"] in (gender, "*")
                        and row["age_min"] <= age <= row["age_max"]
                    ]
                    if not matches:
                        gaps.append((plan, term, gender, age))
                    elif len(matches) > 1:
                        overlaps.append((plan, term, gender, age))
    assert gaps == []
    assert overlaps == []


# --- every on-shelf product rates at every boundary -------------------------------------------------


def boundary_requests(product):
    limits = product["age_limits"]
    classes = product["occupation_classes"]
    occupation = [1, classes["max"]] if classes else [None]
    all_options = tuple(ids(product["options"], "code"))
    for plan in ids(product["plans"], "code"):
        for term in product["terms"]:
            for gender in ("M", "F"):
                for age in (limits["min"], limits["max"]):
                    for occupation_class in occupation:
                        for options in ((), all_options):
                            yield RatingRequest(plan, age, gender, term["code"], options, occupation_class)


ON_SHELF = [p for p in PRODUCTS if p["status"] == "on_shelf"]


@pytest.mark.parametrize("product", ON_SHELF, ids=lambda p: p["product_id"])
def test_given_on_shelf_product_when_rated_at_every_boundary_then_a_positive_premium_that_adds_up(product):
    table = current_table(product)
    count = 0
    for request in boundary_requests(product):
        premium = rate(product, table, request)
        count += 1
        assert premium.total > 0
        assert premium.total == premium.breakdown[-1].amount
        assert premium.total.as_tuple().exponent == -2
        assert premium.rate_table_version == product["rate_table_version"]
        assert premium.sum_insured == next(
            p["sum_insured"] for p in product["plans"] if p["code"] == request.plan
        )
        steps = [line.step for line in premium.breakdown]
        assert steps[0] == ("base" if table["basis"] == "table" else "actuarial_net")
        assert [s for s in steps if s.startswith("option:")] == [
            f"option:{code}" for code in table["options"] if code in request.options
        ]
    assert count >= 8


def quote(product_id, **fields):
    product = next(p for p in PRODUCTS if p["product_id"] == product_id)
    return rate(product, current_table(product), RatingRequest(**fields)).total


def test_given_demo_rates_when_quoted_for_a_30_year_old_then_they_are_in_realistic_cny_ranges():
    accident = quote("accident-guardian", plan="basic", age=30, gender="M", term="1Y", occupation_class=1)
    assert Decimal(90) <= accident <= Decimal(300)  # about 100-300 for 500k
    for product_id in ("travel-asia-explorer", "travel-worldwide"):
        plan = next(p for p in PRODUCTS if p["product_id"] == product_id)["plans"][0]["code"]
        assert Decimal(30) <= quote(product_id, plan=plan, age=30, gender="F", term="7D") <= Decimal(80)
    medical = quote("medical-million", plan="standard", age=30, gender="M", term="1Y")
    assert Decimal(200) <= medical <= Decimal(1500)
    term_life = quote("term-life-harbour", plan="term_1m", age=30, gender="M", term="20Y", occupation_class=1)
    assert Decimal(1500) <= term_life <= Decimal(2500)


def test_given_medical_rates_when_quoted_across_adult_ages_then_older_is_dearer():
    ages = [20, 30, 40, 50, 60]
    premiums = [quote("medical-million", plan="standard", age=a, gender="F", term="1Y") for a in ages]
    assert premiums == sorted(premiums) and len(set(premiums)) == len(ages)


# --- the mall home: banners and featured slots ------------------------------------------------------


def test_given_demo_banners_when_validated_then_they_pass_the_operator_rules_and_show_now():
    from datetime import UTC, datetime

    from catalog.domain.merchandising import banners_showing, validate_banner

    banners = CATALOG["banners"]
    assert 2 <= len(banners) <= 3
    for banner in banners:
        assert validate_banner(banner)["title"] == banner["title"]
    assert len(banners_showing(banners, datetime.now(UTC))) == len(banners)


def test_given_demo_featured_slots_when_checked_then_four_on_shelf_products_in_order():
    from catalog.domain.merchandising import validate_featured

    on_shelf = {p["product_id"] for p in PRODUCTS if p["status"] == "on_shelf"}
    slots = validate_featured({"slots": CATALOG["featured"]}, on_shelf)
    assert len(slots) == 4


def test_given_demo_catalog_when_loaded_then_no_premium_from_is_hand_written():
    assert all("premium_from" not in p for p in PRODUCTS)
