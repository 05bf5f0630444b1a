"""Rating engine: table and actuarial bases, breakdown lines, rounding, request validation."""

import copy
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from catalog.domain.actuarial import mortality_table, net_level_premium
from catalog.domain.rating import (
    Premium,
    PremiumLine,
    RatingError,
    RatingRequest,
    parse_rating_request,
    rate,
)

CATALOG = json.loads((Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8"))


def demo(product_id):
    product = next(p for p in CATALOG["products"] if p["product_id"] == product_id)
    table = next(
        t
        for t in CATALOG["rate_tables"]
        if t["product_id"] == product_id and t["version"] == product["rate_table_version"]
    )
    return product, table


@pytest.fixture
def product():
    return {
        "product_id": "unit-accident",
        "name": "Unit Accident",
        "kind": "accident",
        "age_limits": {"min": 18, "max": 65},
        "terms": [
            {"code": "1Y", "label": "1 year", "months": 12},
            {"code": "6M", "label": "6 months", "months": 6},
        ],
        "plans": [
            {"code": "basic", "name": "Basic", "sum_insured": 500000, "coverages": []},
            {"code": "plus", "name": "Plus", "sum_insured": 1000000, "coverages": []},
        ],
        "options": [
            {"code": "ski", "name": "Winter sports", "description": ""},
            {"code": "hazard", "name": "Hazardous hobbies", "description": ""},
        ],
        "occupation_classes": {"max": 4},
        "rate_table_version": 3,
    }


@pytest.fixture
def rate_table():
    rows = [
        {"plan": "basic", "term": "1Y", "age_min": 18, "age_max": 39, "gender": "*", "premium": "100.00"},
        {"plan": "basic", "term": "1Y", "age_min": 40, "age_max": 65, "gender": "M", "premium": "150.00"},
        {"plan": "basic", "term": "1Y", "age_min": 40, "age_max": 65, "gender": "F", "premium": "120.00"},
        {"plan": "basic", "term": "6M", "age_min": 18, "age_max": 65, "gender": "*", "premium": "10.03"},
        {"plan": "plus", "term": "1Y", "age_min": 18, "age_max": 65, "gender": "*", "premium": "200.00"},
        {"plan": "plus", "term": "6M", "age_min": 18, "age_max": 65, "gender": "*", "premium": "110.00"},
    ]
    return {
        "product_id": "unit-accident",
        "version": 3,
        "basis": "table",
        "currency": "CNY",
        "rows": rows,
        "factors": {"occupation_class": {"1": "1.00", "2": "1.25", "3": "1.50", "4": "2.00"}},
        # Multiply before add on purpose: the order here, not the customer's, decides.
        "options": {
            "hazard": {"method": "multiply", "factor": "1.5"},
            "ski": {"method": "add", "amount": "30.00"},
        },
    }


def request(**overrides):
    fields = {"plan": "basic", "age": 30, "gender": "M", "term": "1Y", "occupation_class": 1}
    fields.update(overrides)
    return RatingRequest(**fields)


# --- table basis ---------------------------------------------------------------------------------


def test_given_class_1_adult_when_rated_then_base_rate_and_occupation_line(product, rate_table):
    premium = rate(product, rate_table, request())

    assert premium.total == Decimal("100.00")
    assert premium.currency == "CNY"
    assert premium.rate_table_version == 3
    assert premium.sum_insured == 500000
    assert [line.step for line in premium.breakdown] == ["base", "occupation_class"]
    assert premium.breakdown[0].description == "Base rate, plan Basic, age 18-39, 1 year"
    assert premium.breakdown[0].amount == Decimal("100.00")


def test_given_gender_specific_rows_when_rated_then_each_gender_gets_its_row(product, rate_table):
    male = rate(product, rate_table, request(age=40, gender="M"))
    female = rate(product, rate_table, request(age=40, gender="F"))

    assert male.total == Decimal("150.00")
    assert female.total == Decimal("120.00")
    assert female.breakdown[0].description == "Base rate, plan Basic, age 40-65, female, 1 year"


@pytest.mark.parametrize(
    ("age", "expected"), [(18, "100.00"), (39, "100.00"), (40, "150.00"), (65, "150.00")]
)
def test_given_age_band_boundaries_when_rated_then_the_band_containing_the_age_applies(
    product, rate_table, age, expected
):
    assert rate(product, rate_table, request(age=age)).total == Decimal(expected)


def test_given_occupation_class_2_when_rated_then_factor_applies(product, rate_table):
    premium = rate(product, rate_table, request(occupation_class=2))

    assert premium.total == Decimal("125.00")
    assert premium.breakdown[1] == PremiumLine(
        "occupation_class", "Occupation class 2 factor x1.25", Decimal("125.00")
    )


def test_given_options_in_any_order_when_rated_then_applied_in_rate_table_order(product, rate_table):
    premium = rate(product, rate_table, request(occupation_class=2, options=("ski", "hazard")))

    # (100 * 1.25 * 1.5) + 30, not (100 * 1.25 + 30) * 1.5
    assert premium.total == Decimal("217.50")
    assert [(line.step, line.amount) for line in premium.breakdown] == [
        ("base", Decimal("100.00")),
        ("occupation_class", Decimal("125.00")),
        ("option:hazard", Decimal("187.50")),
        ("option:ski", Decimal("217.50")),
    ]
    assert premium.breakdown[-1].description == "Option Winter sports +30.00"


def test_given_exact_intermediates_when_lines_round_half_up_then_total_is_not_built_from_rounded_lines(
    product, rate_table
):
    # 10.03 * 1.5 = 15.045 -> line 15.05 (half up; half even would give 15.04);
    # then * 1.5 = 22.5675 -> total 22.57, while 15.05 * 1.5 would give 22.575 -> 22.58.
    premium = rate(product, rate_table, request(term="6M", occupation_class=3, options=("hazard",)))

    assert premium.breakdown[1].amount == Decimal("15.05")
    assert premium.total == Decimal("22.57")
    assert premium.breakdown[-1].amount == premium.total


def test_given_premium_when_serialised_then_money_is_text_with_two_decimals(product, rate_table):
    body = rate(product, rate_table, request(occupation_class=4, options=("ski",))).to_dict()

    assert body == {
        "total": "230.00",
        "currency": "CNY",
        "rate_table_version": 3,
        "sum_insured": 500000,
        "breakdown": [
            {"step": "base", "description": "Base rate, plan Basic, age 18-39, 1 year", "amount": "100.00"},
            {
                "step": "occupation_class",
                "description": "Occupation class 4 factor x2.00",
                "amount": "200.00",
            },
            {"step": "option:ski", "description": "Option Winter sports +30.00", "amount": "230.00"},
        ],
    }
    assert json.loads(json.dumps(body)) == body


def test_given_product_without_occupation_classes_when_rated_then_no_occupation_line(product, rate_table):
    product["occupation_classes"] = None

    premium = rate(product, rate_table, request(plan="plus", occupation_class=None))

    assert premium.total == Decimal("200.00")
    assert [line.step for line in premium.breakdown] == ["base"]


def test_given_numbers_as_dynamodb_decimals_when_rated_then_same_premium(product, rate_table):
    as_stored = copy.deepcopy(rate_table)
    as_stored["version"] = Decimal(3)
    for row in as_stored["rows"]:
        row["age_min"], row["age_max"] = Decimal(row["age_min"]), Decimal(row["age_max"])
    product["age_limits"] = {"min": Decimal(18), "max": Decimal(65)}

    assert rate(product, as_stored, request(age=45, options=("ski",))).total == Decimal("180.00")


# --- errors from rate() --------------------------------------------------------------------------


def test_given_request_that_does_not_fit_when_rated_then_rating_error_lists_every_field(product, rate_table):
    with pytest.raises(RatingError) as caught:
        rate(product, rate_table, request(plan="gold", term="3Y", gender="X", age=70, options=("golf",)))

    assert set(caught.value.errors) == {"plan", "term", "gender", "age", "options"}
    assert caught.value.errors["age"] == "must be between 18 and 65 for this product"


def test_given_missing_occupation_class_when_rated_then_rating_error(product, rate_table):
    with pytest.raises(RatingError) as caught:
        rate(product, rate_table, request(occupation_class=None))
    assert caught.value.errors == {"occupation_class": "is required for this product"}


def test_given_gap_in_age_bands_when_rated_then_rating_error_not_key_error(product, rate_table):
    rate_table["rows"] = [row for row in rate_table["rows"] if row["age_min"] != 18 or row["term"] != "1Y"]

    with pytest.raises(RatingError) as caught:
        rate(product, rate_table, request(age=30, plan="basic"))
    assert "no rate for age 30" in caught.value.errors["age"]


def test_given_overlapping_rows_when_rated_then_value_error_names_the_overlap(product, rate_table):
    rate_table["rows"].append(
        {"plan": "basic", "term": "1Y", "age_min": 30, "age_max": 45, "gender": "F", "premium": "1.00"}
    )
    with pytest.raises(ValueError, match="overlap"):
        rate(product, rate_table, request())


def test_given_rate_table_of_another_product_when_rated_then_value_error(product, rate_table):
    rate_table["product_id"] = "someone-else"
    with pytest.raises(ValueError, match="someone-else"):
        rate(product, rate_table, request())


def test_given_same_version_with_other_content_when_rated_then_cached_index_is_not_stale(product, rate_table):
    assert rate(product, rate_table, request()).total == Decimal("100.00")
    changed = copy.deepcopy(rate_table)
    changed["rows"][0]["premium"] = "111.00"

    assert rate(product, changed, request()).total == Decimal("111.00")
    assert rate(product, rate_table, request()).total == Decimal("100.00")


# --- parse_rating_request ------------------------------------------------------------------------


def test_given_valid_body_when_parsed_then_request_with_options_in_product_order_without_duplicates(product):
    body = {
        "plan": "plus",
        "age": 44,
        "gender": "F",
        "term": "6M",
        "options": ["hazard", "ski", "hazard"],
        "occupation_class": 3,
        "unrelated": "ignored",
    }

    assert parse_rating_request(product, body) == RatingRequest(
        plan="plus", age=44, gender="F", term="6M", options=("ski", "hazard"), occupation_class=3
    )


def test_given_every_field_wrong_when_parsed_then_all_problems_are_reported_together(product):
    body = {"plan": "gold", "age": 70, "gender": "X", "term": "2Y", "options": ["golf"]}
    body["occupation_class"] = 5

    with pytest.raises(RatingError) as caught:
        parse_rating_request(product, body)

    errors = caught.value.errors
    assert set(errors) == {"plan", "age", "gender", "term", "options", "occupation_class"}
    assert errors["plan"] == "unknown plan 'gold'; choose one of basic, plus"
    assert errors["age"] == "must be between 18 and 65 for this product"
    assert errors["gender"] == "must be M or F"
    assert errors["term"] == "unknown term '2Y'; choose one of 1Y, 6M"
    assert errors["options"] == "unknown option 'golf'"
    assert "not insurable" in errors["occupation_class"]


def test_given_empty_body_when_parsed_then_required_fields_are_named(product):
    with pytest.raises(RatingError) as caught:
        parse_rating_request(product, {})
    assert caught.value.errors == {
        "plan": "is required",
        "age": "is required",
        "gender": "is required",
        "term": "is required",
        "occupation_class": "is required for this product",
    }


@pytest.mark.parametrize("age", ["30", 30.5, True, None])
def test_given_age_that_is_not_a_whole_number_when_parsed_then_age_error(product, age):
    body = {"plan": "basic", "age": age, "gender": "M", "term": "1Y", "occupation_class": 1}
    with pytest.raises(RatingError) as caught:
        parse_rating_request(product, body)
    assert list(caught.value.errors) == ["age"]


@pytest.mark.parametrize(("value", "message"), [("2", "must be a whole number"), (0, "must be 1 or higher")])
def test_given_bad_occupation_class_when_parsed_then_occupation_error(product, value, message):
    body = {"plan": "basic", "age": 30, "gender": "M", "term": "1Y", "occupation_class": value}
    with pytest.raises(RatingError) as caught:
        parse_rating_request(product, body)
    assert caught.value.errors == {"occupation_class": message}


def test_given_options_not_a_list_of_codes_when_parsed_then_options_error(product):
    body = {"plan": "basic", "age": 30, "gender": "M", "term": "1Y", "occupation_class": 1, "options": "ski"}
    with pytest.raises(RatingError) as caught:
        parse_rating_request(product, body)
    assert caught.value.errors == {"options": "must be a list of option codes"}


def test_given_product_without_occupation_classes_when_parsed_then_class_is_ignored(product):
    product["occupation_classes"] = None
    body = {"plan": "basic", "age": 30, "gender": "M", "term": "1Y", "occupation_class": 9}

    assert parse_rating_request(product, body).occupation_class is None


def test_given_body_that_is_not_an_object_when_parsed_then_body_error(product):
    with pytest.raises(RatingError) as caught:
        parse_rating_request(product, ["plan", "basic"])
    assert caught.value.errors == {"body": "must be a JSON object"}


def test_given_to_age_term_at_that_age_when_parsed_then_term_error():
    term_life, _ = demo("term-life-harbour")
    term_life = copy.deepcopy(term_life)
    term_life["age_limits"] = {"min": 18, "max": 65}
    body = {"plan": "term_1m", "age": 60, "gender": "M", "term": "TO60", "occupation_class": 1}

    with pytest.raises(RatingError) as caught:
        parse_rating_request(term_life, body)
    assert caught.value.errors == {"term": "To age 60 is only available below age 60"}


# --- actuarial basis (demo term life) ------------------------------------------------------------


def term_life_request(**overrides):
    fields = {"plan": "term_1m", "age": 30, "gender": "M", "term": "20Y", "occupation_class": 1}
    fields.update(overrides)
    return RatingRequest(**fields)


def cents(value):
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def demo_net(age, years, sum_insured, gender="M"):
    """The net premium straight from the actuarial module, with the demo rate table's parameters."""
    table = mortality_table("illustrative_makeham_2020", gender)
    return net_level_premium(table, age, years, Decimal("0.025"), sum_insured)


def test_given_term_life_male_30_1m_20y_when_rated_then_gross_premium_follows_the_formula_and_is_realistic():
    product, table = demo("term-life-harbour")

    premium = rate(product, table, term_life_request())

    net = demo_net(30, 20, 1_000_000)
    gross = net * Decimal("1.20") + Decimal("20.00")
    assert [(line.step, line.amount) for line in premium.breakdown] == [
        ("actuarial_net", cents(net)),
        ("expense_loading", cents(net * Decimal("1.20"))),
        ("policy_fee", cents(gross)),
        ("occupation_class", cents(gross)),
    ]
    assert premium.total == cents(gross)
    assert Decimal(1500) <= premium.total <= Decimal(2500)
    assert premium.sum_insured == 1_000_000
    assert "age 30, male, payable 20 years, interest 2.5%" in premium.breakdown[0].description


def test_given_to_age_60_term_when_rated_at_30_then_priced_as_30_years():
    product, table = demo("term-life-harbour")

    premium = rate(product, table, term_life_request(term="TO60", plan="term_500k"))

    net = demo_net(30, 30, 500_000)
    assert premium.breakdown[0].amount == cents(net)
    assert premium.total == cents(net * Decimal("1.2") + 20)


def test_given_term_life_when_female_older_or_loaded_then_prices_move_the_right_way():
    product, table = demo("term-life-harbour")
    male = rate(product, table, term_life_request()).total
    net = demo_net(30, 20, 1_000_000)
    gross = net * Decimal("1.2") + 20  # exact, not the rounded line

    assert rate(product, table, term_life_request(gender="F")).total < male
    assert rate(product, table, term_life_request(age=40)).total > male
    assert rate(product, table, term_life_request(occupation_class=4)).total == cents(gross * Decimal("1.40"))
    waiver = rate(product, table, term_life_request(options=("premium_waiver",)))
    assert waiver.breakdown[-1].step == "option:premium_waiver"
    assert waiver.total == cents(gross * Decimal("1.04"))


def test_given_term_life_premium_when_serialised_then_it_is_a_premium_with_text_money():
    product, table = demo("term-life-harbour")
    premium = rate(product, table, term_life_request())

    assert isinstance(premium, Premium)
    assert premium.to_dict()["total"] == format(premium.total, "f")
    assert len(premium.to_dict()["total"].split(".")[1]) == 2


def test_given_request_built_by_hand_with_text_age_when_rated_then_rating_error_not_type_error(
    product, rate_table
):
    with pytest.raises(RatingError) as caught:
        rate(product, rate_table, request(age="30"))
    assert caught.value.errors == {"age": "must be a whole number of years"}


def test_given_age_and_class_as_dynamodb_decimals_when_parsed_or_rated_then_treated_as_whole_numbers(
    product, rate_table
):
    body = {"plan": "basic", "age": Decimal(45), "gender": "F", "term": "1Y", "occupation_class": Decimal(2)}
    parsed = parse_rating_request(product, body)
    assert (parsed.age, parsed.occupation_class) == (45, 2)
    assert type(parsed.age) is int

    assert rate(product, rate_table, request(age=Decimal(45), occupation_class=Decimal(2))).total == Decimal(
        "187.50"
    )
    with pytest.raises(RatingError):
        rate(product, rate_table, request(age=Decimal("45.5")))


def test_given_decimal_age_when_rated_on_the_actuarial_basis_then_same_premium_as_int():
    product, table = demo("term-life-harbour")

    assert rate(product, table, term_life_request(age=Decimal(30))) == rate(
        product, table, term_life_request()
    )
