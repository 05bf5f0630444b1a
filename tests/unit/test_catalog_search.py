"""Product search: needs vocabulary, word matches, explainable and stable ranking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.domain import search

CATALOG = json.loads((Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8"))
INSURERS = {i["insurer_id"]: i["name"] for i in CATALOG["insurers"]}
PRODUCTS = [
    {**p, "insurer_name": INSURERS[p["insurer_id"]]} for p in CATALOG["products"] if p["status"] == "on_shelf"
]


def ids(query: str) -> list[str]:
    return [m.product["product_id"] for m in search.search(PRODUCTS, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("travel", {"travel-asia-explorer", "travel-worldwide"}),
        ("critical illness", {"critical-illness-care"}),
        ("cancer", {"critical-illness-care"}),
        ("accident", {"accident-guardian", "accident-commuter"}),
        ("medical", {"medical-million"}),
        ("life", {"term-life-harbour"}),
        ("home", {"home-family-shield"}),
        ("children", {"travel-asia-explorer", "travel-worldwide", "medical-million"}),
        ("elderly", {"accident-guardian", "travel-asia-explorer", "travel-worldwide"}),
    ],
)
def test_given_a_need_when_searched_then_exactly_the_products_that_meet_it(query, expected):
    assert set(ids(query)) == expected


def test_given_family_when_searched_then_products_tagged_family_and_the_family_named_one_first():
    found = ids("family")
    assert found[0] == "home-family-shield"  # tagged family and named "Family Home Shield"
    assert set(found) == {p["product_id"] for p in PRODUCTS if "family" in p["tags"]}


def test_given_a_name_word_when_searched_then_the_named_product_ranks_first_with_its_reasons():
    matches = search.search(PRODUCTS, "harbour")
    assert matches[0].product["product_id"] == "term-life-harbour"
    assert "name matches 'harbour'" in matches[0].reasons
    # The others only share the insurer's name, which counts for less.
    assert all(m.reasons == ("insurer matches 'harbour'",) for m in matches[1:])


def test_given_a_need_and_a_word_when_searched_then_products_meeting_both_rank_above_those_meeting_one():
    found = ids("travel for kids")
    assert found[:2] == ["travel-asia-explorer", "travel-worldwide"]
    assert found[2:] == ["medical-million"]


def test_given_a_prefix_or_plural_when_searched_then_it_still_matches():
    assert ids("guardi") == ["accident-guardian"]
    assert "travel-asia-explorer" in ids("explorers")


def test_given_a_query_of_stopwords_or_nothing_when_searched_then_all_products_by_name():
    names = sorted(p["name"] for p in PRODUCTS)
    assert [m.product["name"] for m in search.search(PRODUCTS, "insurance for my")] == names
    assert len(search.search(PRODUCTS, "")) == len(PRODUCTS)


def test_given_no_match_when_searched_then_nothing():
    assert ids("xyzzy") == []


def test_given_the_same_query_and_products_in_any_order_when_searched_then_the_same_ranking():
    first = ids("accident family")
    assert ids("accident family") == first
    reversed_products = list(reversed(PRODUCTS))
    assert [m.product["product_id"] for m in search.search(reversed_products, "accident family")] == first


def test_given_the_needs_list_when_read_then_the_home_page_shortcuts():
    codes = [n["code"] for n in search.needs()]
    assert {
        "travel",
        "children",
        "critical_illness",
        "accident",
        "medical",
        "life",
        "home",
        "family",
        "elderly",
    } == set(codes)
    assert all(n["label"] for n in search.needs())
