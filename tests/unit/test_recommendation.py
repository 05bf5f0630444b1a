"""Recommendation: personas get a ranked, explained and deterministic list; bad answers are named."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.domain import recommendation
from catalog.domain.recommendation import QuestionnaireInvalid, parse_questionnaire, recommend

CATALOG = json.loads((Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8"))
PRODUCTS = CATALOG["products"]
TABLES = {
    p["product_id"]: next(
        t
        for t in CATALOG["rate_tables"]
        if (t["product_id"], t["version"]) == (p["product_id"], p["rate_table_version"])
    )
    for p in PRODUCTS
}


def ranked(**answers) -> list[recommendation.Recommendation]:
    return recommend(parse_questionnaire(answers), PRODUCTS, TABLES)


def ids(results) -> list[str]:
    return [r.product["product_id"] for r in results]


def by_id(results, product_id):
    return next(r for r in results if r.product["product_id"] == product_id)


def test_given_a_parent_of_two_worried_about_accidents_and_life_then_life_then_accident_cover_lead():
    results = ranked(
        age=35,
        gender="M",
        family={"spouse": True, "children": 2},
        annual_budget="3000",
        concerns=["accident", "life"],
    )
    assert ids(results)[:3] == ["term-life-harbour", "accident-commuter", "accident-guardian"]
    life = by_id(results, "term-life-harbour")
    assert "You listed life as a concern" in life.reasons
    assert "Life cover protects your spouse and your 2 children if the worst happens" in life.reasons
    assert any(reason.startswith("Fits your budget: about CNY") for reason in life.reasons)
    assert "travel-asia-explorer" not in ids(results)  # travel only when it is a concern


def test_given_a_single_traveller_then_travel_cover_leads_and_life_cover_comes_last():
    results = ranked(age=28, gender="F", annual_budget="500", concerns=["travel"])
    assert ids(results)[:2] == ["travel-asia-explorer", "travel-worldwide"]  # same score, cheaper first
    assert ids(results)[-1] == "term-life-harbour"
    assert (
        "Life cover matters most when someone depends on your income"
        in by_id(results, "term-life-harbour").reasons
    )
    assert (
        by_id(results, "travel-asia-explorer").reasons[-1] == "Fits your budget: about CNY 32 per 7-day trip"
    )


def test_given_illness_worries_and_existing_medical_cover_then_critical_illness_ranks_above_medical():
    results = ranked(age=45, gender="M", concerns=["illness"], existing_cover=["medical"], annual_budget=3000)
    assert ids(results)[:2] == ["critical-illness-care", "medical-million"]
    assert "You already have medical cover" in by_id(results, "medical-million").reasons
    assert (
        "The risk of serious illness rises from your 40s" in by_id(results, "critical-illness-care").reasons
    )


def test_given_a_62_year_old_then_products_they_cannot_buy_are_left_out():
    results = ranked(age=62, gender="F", concerns=["accident", "illness", "life"])
    assert ids(results) == ["accident-guardian", "home-family-shield"]  # CI to 55, medical to 60, life to 55


def test_given_a_class_6_occupation_then_products_that_stop_at_class_4_are_left_out():
    results = ranked(age=30, gender="M", concerns=["accident"], occupation_class=6)
    assert "accident-guardian" not in ids(results)
    assert "accident-commuter" in ids(results)  # no occupation classes


def test_given_a_small_budget_then_products_over_it_lose_points_and_say_so():
    results = ranked(age=30, gender="M", concerns=["life"], annual_budget="200")
    life = by_id(results, "term-life-harbour")
    assert any(reason.startswith("Over your budget of CNY 200 a year: about CNY") for reason in life.reasons)
    unconstrained = by_id(
        ranked(age=30, gender="M", concerns=["life"], annual_budget="5000"),
        "term-life-harbour",
    )
    assert unconstrained.score - life.score == recommendation.IN_BUDGET + recommendation.OVER_BUDGET


def test_given_an_estimate_then_it_is_the_cheapest_plan_and_term_for_that_person():
    accident = by_id(ranked(age=30, gender="M", concerns=["accident"]), "accident-commuter")
    assert (accident.estimate.plan["code"], accident.estimate.term["code"]) == (
        "lite",
        "1Y",
    )  # 1Y 49 < 2 x 6M 29
    assert accident.estimate.premium.total == Decimal("49.00")


def test_given_the_same_answers_then_the_same_ranking_whatever_the_product_order():
    answers = {"age": 40, "gender": "F", "family": {"spouse": True}, "concerns": ["illness", "home"]}
    first = [(r.product["product_id"], r.score, r.reasons) for r in ranked(**answers)]
    shuffled = list(reversed(PRODUCTS[3:] + PRODUCTS[:3]))
    again = recommend(parse_questionnaire(answers), shuffled, TABLES)
    assert [(r.product["product_id"], r.score, r.reasons) for r in again] == first


def test_given_products_off_shelf_or_without_rates_then_they_are_never_recommended():
    results = ranked(age=30, gender="M", concerns=["medical"])
    assert "medical-classic-2024" not in ids(results)
    without = recommend(parse_questionnaire({"age": 30, "gender": "M"}), PRODUCTS, {})
    assert without == []


def test_given_scores_then_they_stay_between_0_and_100():
    for answers in (
        {
            "age": 35,
            "gender": "M",
            "family": {"spouse": True, "children": 3, "parents_over_60": True},
            "concerns": ["life"],
        },
        {
            "age": 50,
            "gender": "M",
            "concerns": ["travel"],
            "existing_cover": ["life", "accident"],
            "annual_budget": "1",
        },
    ):
        assert all(0 <= r.score <= 100 for r in ranked(**answers))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gender": "M"}, "age"),
        ({"age": "thirty", "gender": "M"}, "age"),
        ({"age": 130, "gender": "M"}, "age"),
        ({"age": 30, "gender": "X"}, "gender"),
        ({"age": 30, "gender": "M", "family": {"children": -1}}, "family.children"),
        ({"age": 30, "gender": "M", "family": {"spouse": "yes"}}, "family.spouse"),
        ({"age": 30, "gender": "M", "family": []}, "family"),
        ({"age": 30, "gender": "M", "annual_budget": "lots"}, "annual_budget"),
        ({"age": 30, "gender": "M", "annual_budget": -5}, "annual_budget"),
        ({"age": 30, "gender": "M", "concerns": ["pets"]}, "concerns"),
        ({"age": 30, "gender": "M", "existing_cover": "medical"}, "existing_cover"),
        ({"age": 30, "gender": "M", "occupation_class": 7}, "occupation_class"),
        ({"age": 30, "gender": "M", "channel": "tv"}, "channel"),
    ],
)
def test_given_a_bad_answer_then_the_field_is_named(body, field):
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(body)
    assert field in caught.value.errors


def test_given_several_bad_answers_then_each_is_named_at_once():
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire({"age": -1, "gender": "", "concerns": ["accident", "dragons"]})
    assert set(caught.value.errors) == {"age", "gender", "concerns"}
    assert caught.value.errors["concerns"].startswith("unknown 'dragons'; choose from accident, illness")


def for_children(**answers) -> list[recommendation.ChildCover]:
    return recommendation.recommend_for_children(parse_questionnaire(answers), PRODUCTS, TABLES)


def test_given_a_parent_of_a_child_then_cover_that_insures_children_is_suggested_for_the_child():
    covers = for_children(age=35, gender="F", family={"children": 1}, concerns=["accident"])
    # Of the demo catalog only medical-million (ages 0-60) insures children without a trip.
    assert [c.product["product_id"] for c in covers] == ["medical-million"]
    (cover,) = covers
    assert (cover.youngest, cover.oldest) == (0, 17)
    assert cover.reasons[0] == "Insures children from birth"
    assert cover.reasons[-1].startswith("From about CNY ") and cover.reasons[-1].endswith("for one child")
    with_travel = for_children(age=35, gender="F", family={"children": 2}, concerns=["travel", "medical"])
    assert {c.product["product_id"] for c in with_travel} == {
        "medical-million",
        "travel-asia-explorer",
        "travel-worldwide",
    }
    assert all(c.reasons[0].startswith("You listed") for c in with_travel)


def test_given_no_children_then_none_are_suggested_and_given_no_product_for_children_then_it_says_none_fits():
    assert for_children(age=35, gender="F") == []
    adults_only = [p for p in PRODUCTS if p["age_limits"]["min"] >= 18]
    answers = parse_questionnaire({"age": 35, "gender": "F", "family": {"children": 2}})
    assert recommendation.recommend_for_children(answers, adults_only, TABLES) == []
    note = recommendation.children_note(answers, [])
    assert (
        note.startswith("None of our products on sale insures children under 18")
        and "your 2 children" in note
    )
