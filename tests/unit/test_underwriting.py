"""Underwriting rules: accept, refer or decline one insured person; combining several."""

import json
from pathlib import Path

import pytest

from policy.domain.underwriting import Decision, InsuredApplication, combine, underwrite


@pytest.fixture
def product():
    return {
        "product_id": "unit-ci",
        "kind": "critical_illness",
        "age_limits": {"min": 18, "max": 55},
        "max_sum_insured_per_person": 1_000_000,
        "occupation_classes": {"max": 4},
        "health_questions": [
            {"code": "hq_cancer", "text": "Have you ever been diagnosed with cancer?", "on_yes": "decline"},
            {
                "code": "hq_hospital",
                "text": "Have you been in hospital in the last 2 years?",
                "on_yes": "refer",
            },
            {"code": "hq_glasses", "text": "Do you wear glasses?", "on_yes": "none"},
        ],
    }


def application(**overrides):
    fields = {
        "insured_key": "k-1",
        "age": 30,
        "occupation_class": 1,
        "sum_insured": 500_000,
        "health_answers": {"hq_cancer": False, "hq_hospital": False, "hq_glasses": False},
    }
    fields.update(overrides)
    return InsuredApplication(**fields)


def test_given_healthy_applicant_within_limits_when_underwritten_then_clean_accept(product):
    decision = underwrite(product, application(), existing_sum_insured=0)

    assert decision == Decision("accept", (), ())
    assert decision.to_dict() == {"outcome": "accept", "reasons": [], "rule_codes": []}


@pytest.mark.parametrize("age", [17, 56])
def test_given_age_outside_limits_when_underwritten_then_declined(product, age):
    decision = underwrite(product, application(age=age), existing_sum_insured=0)

    assert decision.outcome == "decline"
    assert decision.rule_codes == ("AGE_LIMIT",)
    assert decision.reasons == (f"Age {age} is outside the accepted ages 18-55.",)


@pytest.mark.parametrize("age", [18, 55])
def test_given_age_on_the_limits_when_underwritten_then_accepted(product, age):
    assert underwrite(product, application(age=age), existing_sum_insured=0).outcome == "accept"


def test_given_existing_cover_up_to_exactly_the_limit_when_underwritten_then_accepted(product):
    assert underwrite(product, application(), existing_sum_insured=500_000).outcome == "accept"


def test_given_existing_cover_pushing_over_the_limit_when_underwritten_then_declined(product):
    decision = underwrite(product, application(), existing_sum_insured=500_001)

    assert decision.outcome == "decline"
    assert decision.rule_codes == ("SUM_INSURED_LIMIT",)
    assert "CNY 1,000,001" in decision.reasons[0]
    assert "CNY 1,000,000" in decision.reasons[0]


def test_given_yes_to_a_decline_question_when_underwritten_then_declined(product):
    answers = {"hq_cancer": True, "hq_hospital": False, "hq_glasses": False}

    decision = underwrite(product, application(health_answers=answers), existing_sum_insured=0)

    assert decision.outcome == "decline"
    assert decision.rule_codes == ("HEALTH_DECLINE:hq_cancer",)
    assert "Have you ever been diagnosed with cancer?" in decision.reasons[0]


def test_given_yes_to_a_refer_question_when_underwritten_then_referred(product):
    answers = {"hq_cancer": False, "hq_hospital": True, "hq_glasses": True}

    decision = underwrite(product, application(health_answers=answers), existing_sum_insured=0)

    assert decision.outcome == "refer"
    assert decision.rule_codes == ("HEALTH_REFER:hq_hospital",)


def test_given_missing_health_answer_when_underwritten_then_referred_never_accepted(product):
    decision = underwrite(product, application(health_answers={"hq_cancer": False}), existing_sum_insured=0)

    assert decision.outcome == "refer"
    assert decision.rule_codes == ("HEALTH_MISSING:hq_hospital", "HEALTH_MISSING:hq_glasses")


def test_given_answer_that_is_not_a_boolean_when_underwritten_then_treated_as_missing(product):
    answers = {"hq_cancer": "no", "hq_hospital": False, "hq_glasses": False}

    decision = underwrite(product, application(health_answers=answers), existing_sum_insured=0)

    assert decision.rule_codes == ("HEALTH_MISSING:hq_cancer",)


def test_given_occupation_class_above_the_maximum_when_underwritten_then_declined(product):
    decision = underwrite(product, application(occupation_class=5), existing_sum_insured=0)

    assert decision.outcome == "decline"
    assert decision.rule_codes == ("OCCUPATION_CLASS",)
    assert "not insurable" in decision.reasons[0]


def test_given_missing_occupation_class_when_product_uses_classes_then_referred(product):
    decision = underwrite(product, application(occupation_class=None), existing_sum_insured=0)

    assert (decision.outcome, decision.rule_codes) == ("refer", ("OCCUPATION_MISSING",))


def test_given_product_without_occupation_classes_when_any_class_then_not_a_reason(product):
    product["occupation_classes"] = None

    assert underwrite(product, application(occupation_class=6), existing_sum_insured=0).outcome == "accept"


def test_given_refer_and_decline_findings_when_underwritten_then_decline_wins_and_all_reasons_are_kept(
    product,
):
    answers = {"hq_cancer": True, "hq_hospital": True, "hq_glasses": False}

    decision = underwrite(
        product, application(age=60, occupation_class=6, health_answers=answers), existing_sum_insured=900_000
    )

    assert decision.outcome == "decline"
    assert decision.rule_codes == (
        "AGE_LIMIT",
        "SUM_INSURED_LIMIT",
        "OCCUPATION_CLASS",
        "HEALTH_DECLINE:hq_cancer",
        "HEALTH_REFER:hq_hospital",
    )
    assert len(decision.reasons) == 5


def test_given_refer_found_before_decline_when_underwritten_then_decline_still_wins(product):
    answers = {"hq_cancer": True, "hq_hospital": False, "hq_glasses": False}

    decision = underwrite(product, application(occupation_class=None, health_answers=answers), 0)

    assert decision.rule_codes == ("OCCUPATION_MISSING", "HEALTH_DECLINE:hq_cancer")
    assert decision.outcome == "decline"


def test_given_several_insured_when_combined_then_worst_outcome_and_every_reason():
    accept = Decision("accept")
    refer = Decision("refer", ("needs review",), ("HEALTH_REFER:hq_hospital",))
    decline = Decision("decline", ("too old",), ("AGE_LIMIT",))

    assert combine([accept, accept]) == Decision("accept")
    assert combine([accept, refer]).outcome == "refer"
    combined = combine([refer, accept, decline, refer])
    assert combined.outcome == "decline"
    assert combined.reasons == ("needs review", "too old")
    assert combined.rule_codes == ("HEALTH_REFER:hq_hospital", "AGE_LIMIT")


def test_given_no_decisions_when_combined_then_value_error_rather_than_a_silent_accept():
    with pytest.raises(ValueError, match="at least one"):
        combine([])


def test_given_demo_medical_product_when_answers_trigger_both_then_decline_and_refer_codes():
    catalog = json.loads(
        (Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8")
    )
    medical = next(p for p in catalog["products"] if p["product_id"] == "medical-million")
    answers = {q["code"]: q["on_yes"] != "none" for q in medical["health_questions"]}

    decision = underwrite(
        medical, application(occupation_class=None, health_answers=answers), existing_sum_insured=0
    )

    assert decision.outcome == "decline"
    assert "HEALTH_DECLINE:hq_cancer" in decision.rule_codes
    assert "HEALTH_REFER:hq_hospital" in decision.rule_codes
