"""Product documents operators create and edit: each problem keyed by its field."""

from __future__ import annotations

import copy

import pytest

from catalog.domain.product_rules import DEFAULTS, ProductInvalid, validate_product, with_defaults

INSURERS = {"jade-pc"}
CATEGORIES = {"accident"}
PRODUCT = {
    "product_id": "pet-walker",
    "name": "Pet Walker Accident",
    "insurer_id": "jade-pc",
    "category_id": "accident",
    "kind": "accident",
    "summary": "Accident cover while walking your dog.",
    "tags": ["accident", "Pets"],
    "age_limits": {"min": 18, "max": 70},
    "terms": [{"code": "1Y", "label": "1 year", "months": 12}, {"code": "TO60", "label": "To age 60"}],
    "plans": [
        {
            "code": "basic",
            "name": "Basic",
            "sum_insured": 100000,
            "coverages": [{"code": "accidental_death", "name": "Accidental death", "sum_insured": 100000}],
        }
    ],
    "health_questions": [{"code": "hq_1", "text": "Any surgery planned?", "on_yes": "refer"}],
    "channels": ["pc", "h5"],
}


def problems(**changes) -> dict[str, str]:
    body = {**copy.deepcopy(PRODUCT), **changes}
    with pytest.raises(ProductInvalid) as caught:
        validate_product(body, INSURERS, CATEGORIES)
    return caught.value.errors


def test_given_a_minimal_product_when_validated_then_defaults_are_filled_in_and_values_normalised():
    product = validate_product(copy.deepcopy(PRODUCT), INSURERS, CATEGORIES)
    assert product["tags"] == ["accident", "pets"]
    assert product["channels"] == ["h5", "pc"]
    assert product["terms"][1] == {"code": "TO60", "label": "To age 60", "to_age": 60}
    assert product["options"] == [] and product["occupation_classes"] is None
    assert product["max_sum_insured_per_person"] == 100000
    assert product["cooling_off_days"] == 15 and product["has_beneficiaries"] is False


def test_given_a_body_without_an_optional_field_when_validated_then_it_gets_the_default_with_defaults_reads():
    """The audit compares a stored product through with_defaults: its defaults must be the validator's."""
    body = {k: v for k, v in copy.deepcopy(PRODUCT).items() if k not in DEFAULTS}
    product = validate_product(body, INSURERS, CATEGORIES)
    assert {k: product[k] for k in DEFAULTS} == DEFAULTS
    stored = {k: v for k, v in product.items() if k not in ("reunderwrite_on_renewal", "cancellation")}
    assert with_defaults(stored) == product
    assert with_defaults({"reunderwrite_on_renewal": True})["reunderwrite_on_renewal"] is True


def test_given_server_managed_and_unknown_fields_when_validated_then_they_are_ignored():
    body = {
        **copy.deepcopy(PRODUCT),
        "status": "on_shelf",
        "revision": 7,
        "insurer_name": "Jade",
        "premium_from": "1",
    }
    product = validate_product(body, INSURERS, CATEGORIES)
    assert not {"status", "revision", "insurer_name", "premium_from"} & set(product)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"product_id": "Pet Walker"}, "product_id", "use 3-64 lowercase letters, digits and single hyphens"),
        ({"name": " "}, "name", "is required"),
        ({"insurer_id": "nobody"}, "insurer_id", "unknown insurer 'nobody'"),
        ({"category_id": "pets"}, "category_id", "unknown category 'pets'"),
        ({"kind": "pet"}, "kind", "must be one of accident, travel"),
        ({"age_limits": {"min": 70, "max": 18}}, "age_limits", "min must be below max"),
        (
            {"age_limits": {"min": -1, "max": 18}},
            "age_limits.min",
            "must be a whole number of years from 0 to 100",
        ),
        ({"terms": []}, "terms", "add at least one term"),
        ({"plans": []}, "plans", "add at least one plan"),
        ({"channels": ["h5", "tv"]}, "channels", "unknown channel 'tv'"),
        ({"channels": []}, "channels", "choose at least one of h5, pc, partner_api"),
        ({"occupation_classes": {"max": 9}}, "occupation_classes", "null, or"),
        ({"cooling_off_days": 90}, "cooling_off_days", "must be a whole number of days from 0 to 60"),
        ({"max_sum_insured_per_person": 5000}, "max_sum_insured_per_person", "must be at least the largest"),
        ({"tags": ["Critical Illness"]}, "tags", "use lowercase words"),
    ],
)
def test_given_a_bad_top_level_field_when_validated_then_it_is_named(changes, field, message):
    assert problems(**changes)[field].startswith(message)


def test_given_a_term_with_two_lengths_or_none_when_validated_then_the_term_is_named():
    errors = problems(
        terms=[
            {"code": "1Y", "label": "1 year", "months": 12, "days": 365},
            {"code": "6M", "label": "6 months"},
            {"code": "7D", "label": "7 days", "days": 0},
        ]
    )
    assert errors["terms[0]"].startswith("give exactly one of months, days or years")
    assert errors["terms[1]"].startswith("give exactly one of months, days or years")
    assert errors["terms[2].days"] == "must be a whole number above 0"


def test_given_to_age_terms_when_validated_then_the_code_and_the_youngest_age_must_agree():
    errors = problems(
        terms=[
            {"code": "TO60", "label": "To 60", "to_age": 65},
            {"code": "TO18", "label": "To 18"},
            {"code": "TO70", "label": "To 70", "years": 5},
        ]
    )
    assert errors["terms[0].to_age"] == "must be 60, as the code says"
    assert errors["terms[1]"] == "cover to age 18 must end above the youngest age (18)"
    assert errors["terms[2]"] == "a TO<age> term ends at an age; give no years"


def test_given_bad_plans_when_validated_then_each_field_is_named_by_its_path():
    errors = problems(
        plans=[
            {"code": "basic", "name": "Basic", "sum_insured": 0, "coverages": []},
            {
                "code": "Basic Plan",
                "name": "",
                "sum_insured": 1000,
                "coverages": [{"code": "x", "name": "X"}],
            },
        ]
    )
    assert errors["plans[0].sum_insured"] == "must be a whole number of CNY above 0"
    assert errors["plans[0].coverages"] == "add at least one coverage"
    assert errors["plans[1].code"].startswith("use lowercase letters")
    assert errors["plans[1].name"] == "is required"
    assert errors["plans[1].coverages[0].sum_insured"] == "must be a whole number of CNY above 0"


def test_given_duplicate_codes_and_a_bad_health_outcome_when_validated_then_both_are_named():
    errors = problems(
        health_questions=[
            {"code": "hq_1", "text": "A?", "on_yes": "refer"},
            {"code": "hq_1", "text": "B?", "on_yes": "ignore"},
        ]
    )
    assert errors["health_questions[1].on_yes"] == "must be decline or refer"
    assert errors["health_questions"] == "codes must be unique; hq_1 appears more than once"


def test_given_a_body_missing_everything_when_validated_then_every_required_field_is_named():
    with pytest.raises(ProductInvalid) as caught:
        validate_product({}, INSURERS, CATEGORIES)
    assert {
        "product_id",
        "name",
        "insurer_id",
        "category_id",
        "kind",
        "summary",
        "age_limits",
        "terms",
        "plans",
        "channels",
    } <= set(caught.value.errors)


def test_given_a_cancellation_rule_then_it_is_kept_and_an_unknown_one_is_refused():
    body = {**copy.deepcopy(PRODUCT), "cancellation": {"after_cooling_off": "short_rate"}}
    assert validate_product(body, INSURERS, CATEGORIES)["cancellation"] == {"after_cooling_off": "short_rate"}
    assert validate_product(copy.deepcopy(PRODUCT), INSURERS, CATEGORIES)["cancellation"] == {
        "after_cooling_off": "pro_rata"
    }
    assert "cancellation.after_cooling_off" in problems(cancellation={"after_cooling_off": "half"})
