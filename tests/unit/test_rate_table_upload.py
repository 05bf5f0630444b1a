"""Rate-table CSV uploads: every problem names its spreadsheet row (row 1 = header)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.domain.rate_table_upload import (
    RateTableInvalid,
    build_rate_table,
    coverage_problems,
    parse_csv,
    to_csv,
)

PRODUCT = {
    "product_id": "pet-walker",
    "age_limits": {"min": 18, "max": 60},
    "plans": [{"code": "basic", "sum_insured": 100000}, {"code": "plus", "sum_insured": 200000}],
    "terms": [{"code": "1Y", "label": "1 year", "months": 12}],
    "options": [{"code": "vet", "name": "Vet bills"}],
    "occupation_classes": None,
}
HEADER = "plan,term,age_min,age_max,gender,premium"
GOOD = "\n".join(
    [
        HEADER,
        "basic,1Y,18,40,*,99.00",
        "basic,1Y,41,60,*,129.00",
        "plus,1Y,18,40,M,159.00",
        "plus,1Y,41,60,M,199.00",
        "plus,1Y,18,60,F,149.5",
    ]
)


def csv_problem(text: str, product: dict = PRODUCT) -> str:
    with pytest.raises(RateTableInvalid) as caught:
        parse_csv(product, text)
    return caught.value.errors["csv"]


def test_given_a_complete_table_when_parsed_then_rows_in_csv_order_with_money_to_the_cent():
    rows = parse_csv(PRODUCT, GOOD)
    assert len(rows) == 5
    assert rows[0] == {
        "plan": "basic",
        "term": "1Y",
        "age_min": 18,
        "age_max": 40,
        "gender": "*",
        "premium": "99.00",
    }
    assert rows[-1]["premium"] == "149.50"


def test_given_a_byte_order_mark_blank_lines_and_spaces_when_parsed_then_they_are_ignored():
    text = "\ufeff" + GOOD.replace("basic,1Y,41", " basic , 1Y ,41") + "\n\n"
    assert len(parse_csv(PRODUCT, text)) == 5


def test_given_a_premium_that_is_not_a_number_when_parsed_then_the_row_is_named():
    text = GOOD.replace("199.00", "abc")
    assert csv_problem(text) == "row 5: premium 'abc' is not a number"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("basic,1Y,41", "gold,1Y,41"), "row 3: unknown plan 'gold'; the product's plans are basic, plus"),
        (("basic,1Y,41", "basic,2Y,41"), "row 3: unknown term '2Y'; the product's terms are 1Y"),
        (("41,60,*,129", "41,60,X,129"), "row 3: gender 'X' must be M, F or * (both)"),
        (
            ("41,60,*,129", "4.5,60,*,129"),
            "row 3: age_min '4.5' is not a whole number of years from 0 to 120",
        ),
        (("41,60,*,129", "61,60,*,129"), "row 3: age_min 61 is above age_max 60"),
        (("129.00", "-5"), "row 3: premium '-5' must be above 0"),
        (("129.00", "12.345"), "row 3: premium '12.345' has more than 2 decimal places"),
        (("basic,1Y,41,60,*,129.00", "basic,1Y,41,60,*"), "row 3: has 5 values but the header has 6 columns"),
    ],
)
def test_given_a_bad_value_when_parsed_then_the_message_names_its_row(change, message):
    assert csv_problem(GOOD.replace(*change)) == message


def test_given_a_missing_column_when_parsed_then_row_1_names_it():
    text = GOOD.replace(HEADER, "plan,term,age_min,age_max,premium")
    assert csv_problem(text).startswith("row 1: missing column gender; the header must be " + HEADER)


def test_given_an_unknown_column_when_parsed_then_row_1_names_it():
    assert csv_problem(GOOD.replace("premium", "price", 1)).startswith("row 1: missing column premium")
    assert "unknown column 'note'" in csv_problem(GOOD.replace(HEADER, HEADER + ",note"))


def test_given_a_gap_between_bands_when_parsed_then_the_row_after_the_gap_is_named_with_the_missing_ages():
    text = GOOD.replace("basic,1Y,41,60", "basic,1Y,45,60")
    assert csv_problem(text) == (
        "row 3: plan basic, term 1Y starts at age 45, but the band before it (row 2) ends at 40: "
        "ages 41-44 have no rate"
    )


def test_given_bands_that_do_not_reach_the_age_limits_when_parsed_then_both_ends_are_named():
    text = GOOD.replace("basic,1Y,18,40", "basic,1Y,20,40").replace("basic,1Y,41,60", "basic,1Y,41,55")
    problem = csv_problem(text)
    assert "row 2: plan basic, term 1Y starts at age 20, but the product covers ages from 18" in problem
    assert "row 3: plan basic, term 1Y ends at age 55, but the product covers ages up to 60" in problem


def test_given_overlapping_bands_when_parsed_then_the_later_row_names_the_earlier_one():
    text = GOOD.replace("basic,1Y,41,60", "basic,1Y,38,60")
    problem = csv_problem(text)
    assert problem.startswith(
        "row 3: ages 38-60 overlap row 2 (ages 18-40) for plan basic, term 1Y, gender M"
    )


def test_given_a_gender_without_rows_when_parsed_then_the_missing_combination_is_named():
    text = GOOD.replace("\nplus,1Y,18,60,F,149.5", "")
    assert csv_problem(text) == "no rates for plan plus, term 1Y, gender F: ages 18-60 must be covered"


def test_given_a_duplicate_row_when_parsed_then_it_names_the_first_one():
    text = GOOD + "\nbasic,1Y,18,40,*,89.00"
    assert csv_problem(text) == "row 7: duplicates row 2 (plan basic, term 1Y)"


def test_given_a_band_outside_the_age_limits_when_parsed_then_it_is_refused():
    text = GOOD + "\nbasic,1Y,61,70,*,189.00"
    assert csv_problem(text) == "row 7: ages 61-70 are outside the product's age limits 18-60"


def test_given_a_to_age_term_when_parsed_then_bands_need_only_reach_the_age_before_it():
    product = {
        **PRODUCT,
        "terms": [{"code": "TO50", "label": "To age 50", "to_age": 50}],
        "plans": [PRODUCT["plans"][0]],
    }
    assert parse_csv(product, f"{HEADER}\nbasic,TO50,18,49,*,300.00")


def test_given_many_problems_when_parsed_then_five_are_listed_in_row_order_and_the_rest_counted():
    text = "\n".join([HEADER] + [f"basic,1Y,18,40,*,x{i}" for i in range(8)])
    problem = csv_problem(text)
    assert problem.startswith("row 2: premium 'x0' is not a number; row 3:")
    assert problem.endswith("; and 3 more problems")


def test_given_an_empty_file_or_only_a_header_when_parsed_then_it_says_so():
    assert csv_problem("  \n").startswith("is empty")
    assert csv_problem(HEADER) == "has a header but no rate rows"


def test_given_every_demo_table_when_written_as_csv_and_parsed_then_it_passes_unchanged():
    catalog = json.loads(
        (Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8")
    )
    products = {p["product_id"]: p for p in catalog["products"]}
    for table in (t for t in catalog["rate_tables"] if t["basis"] == "table"):
        product = products[table["product_id"]]
        assert parse_csv(product, to_csv(table["rows"])) == table["rows"]
        assert coverage_problems(product, table["rows"]) == []


def test_given_a_product_gaining_a_plan_when_its_stored_rows_are_checked_then_the_gap_is_reported():
    rows = parse_csv(PRODUCT, GOOD)
    product = {**PRODUCT, "plans": [*PRODUCT["plans"], {"code": "gold", "sum_insured": 500000}]}
    problems = coverage_problems(product, rows)
    assert problems == [
        "no rates for plan gold, term 1Y, gender M: ages 18-60 must be covered",
        "no rates for plan gold, term 1Y, gender F: ages 18-60 must be covered",
    ]


# --- the whole request ---------------------------------------------------------------------------


def build(body: dict, previous: dict | None = None, product: dict = PRODUCT) -> dict:
    return build_rate_table(
        product, body, previous, 3, "2026-11-25T10:00:00.000+00:00", {"id": "op", "email": None}
    )


def test_given_csv_options_and_a_date_when_built_then_a_table_version_ready_to_publish():
    table = build(
        {"csv": GOOD, "effective_from": "2026-12-01", "options": {"vet": {"method": "add", "amount": 30}}}
    )
    assert table["version"] == 3 and table["basis"] == "table" and table["currency"] == "CNY"
    assert table["options"] == {"vet": {"method": "add", "amount": "30.00"}}
    assert table["effective_from"] == "2026-12-01" and len(table["rows"]) == 5


def test_given_no_options_when_built_then_the_previous_versions_options_are_carried_over():
    previous = {"options": {"vet": {"method": "multiply", "factor": "1.10"}}, "factors": {}}
    table = build({"csv": GOOD, "effective_from": "2026-12-01"}, previous)
    assert table["options"] == previous["options"]


def test_given_bad_fields_when_built_then_each_is_named():
    with pytest.raises(RateTableInvalid) as caught:
        build(
            {
                "csv": GOOD.replace(",99.00", ",x"),
                "effective_from": "01/12/2026",
                "options": {"ski": {"method": "add"}},
            }
        )
    errors = caught.value.errors
    assert errors["csv"] == "row 2: premium 'x' is not a number"
    assert errors["effective_from"] == "use the form YYYY-MM-DD"
    assert errors["options.ski"] == "the product has no option 'ski'"
    assert errors["options"] == "price every option of the product; missing vet"


def test_given_a_product_with_occupation_classes_when_factors_are_incomplete_then_refused():
    product = {**PRODUCT, "options": [], "occupation_classes": {"max": 3}}
    with pytest.raises(RateTableInvalid) as caught:
        build(
            {"csv": GOOD, "effective_from": "2026-12-01", "factors": {"occupation_class": {"1": "1.0"}}},
            None,
            product,
        )
    assert caught.value.errors == {
        "factors.occupation_class": "give a factor for each class 1, 2, 3 and no other"
    }
    table = build(
        {
            "csv": GOOD,
            "effective_from": "2026-12-01",
            "factors": {"occupation_class": {"1": 1, "2": "1.2", "3": "1.5"}},
        },
        None,
        product,
    )
    assert table["factors"] == {"occupation_class": {"1": "1", "2": "1.2", "3": "1.5"}}


# ----- amounts in the table are money: plain digits, at most 2 decimals, at most 2^53 - 1 fen ----------


@pytest.mark.parametrize(
    ("premium", "problem"),
    [
        ("1e400", "must be written as digits with at most 2 decimals, e.g. 99.00"),  # was a 500
        ("99999999999999999999999999999", "is more than 90071992547409.91"),  # was a 500
        ("90071992547409.92", "is more than 90071992547409.91"),
        ("1E+2", "must be written as digits with at most 2 decimals, e.g. 99.00"),
        ("1_000", "must be written as digits with at most 2 decimals, e.g. 99.00"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("0.00", "must be above 0"),
    ],
)
def test_given_a_premium_that_is_not_a_plain_amount_of_money_when_parsed_then_the_row_says_so(
    premium, problem
):
    assert csv_problem(GOOD.replace("129.00", premium)) == f"row 3: premium {premium!r} {problem}"


def test_given_the_largest_amount_in_fen_when_parsed_then_it_is_kept_to_the_fen():
    rows = parse_csv(PRODUCT, GOOD.replace("129.00", "90071992547409.91"))
    assert rows[1]["premium"] == "90071992547409.91"


@pytest.mark.parametrize("amount", [30.5, True, "1e400", "3e1", "-30", "30.001"])
def test_given_an_option_amount_that_is_not_a_plain_amount_when_built_then_refused(amount):
    with pytest.raises(RateTableInvalid) as caught:
        build(
            {
                "csv": GOOD,
                "effective_from": "2026-12-01",
                "options": {"vet": {"method": "add", "amount": amount}},
            }
        )
    assert "options.vet" in caught.value.errors


@pytest.mark.parametrize("factor", ["1e400", "1001", "0", 1.1, "1.0000001"])
def test_given_an_option_factor_out_of_range_or_not_plain_when_built_then_refused(factor):
    body = {
        "csv": GOOD,
        "effective_from": "2026-12-01",
        "options": {"vet": {"method": "multiply", "factor": factor}},
    }
    with pytest.raises(RateTableInvalid) as caught:
        build(body)
    assert "options.vet" in caught.value.errors
