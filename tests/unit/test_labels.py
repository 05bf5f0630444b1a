"""Codes a customer reads, in words: Chinese first, then English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from insuremall import labels

CATALOG = json.loads((Path(__file__).parents[2] / "local" / "demo_data" / "catalog.json").read_text())


@pytest.mark.parametrize(
    ("term", "words"),
    [
        ({"code": "7D", "label": "7 days", "days": 7}, "7天 / 7 days"),
        ({"code": "6M", "label": "6 months", "months": 6}, "6个月 / 6 months"),
        ({"code": "1Y", "label": "1 year", "months": 12}, "1年 / 1 year"),
        ({"code": "10Y", "label": "10 years", "years": 10}, "10年 / 10 years"),
        ({"code": "TO60", "label": "To age 60", "to_age": 60}, "保至60周岁 / To age 60"),
    ],
)
def test_given_a_product_term_when_labelled_then_it_reads_as_a_duration_in_both_languages(term, words):
    assert labels.term_label(term) == words


def test_given_every_demo_catalog_term_when_labelled_then_none_reads_as_its_code():
    for product in CATALOG["products"]:
        for term in product["terms"]:
            words = labels.term_label(term)
            assert term["code"] not in words and term["label"] in words and " / " in words, words


def test_given_known_codes_when_labelled_then_words_and_an_unknown_code_reads_as_a_phrase():
    assert labels.label(labels.POLICY_STATUS, "in_force") == "有效 / In force"
    assert labels.label(labels.ID_TYPE, "prc_id") == "居民身份证 / PRC resident ID card"
    assert labels.label(labels.RELATION, "self") == "本人 / Self"
    assert labels.label(labels.GENDER, "F") == "女 / Female"
    assert labels.label(labels.POLICY_STATUS, "under_review") == "Under review"


def test_given_the_relations_and_documents_checkout_accepts_then_each_has_words():
    from insuremall.identity import DOCUMENT_TYPES
    from insuremall.parties import BENEFICIARY_RELATIONS, RELATIONS

    assert set(RELATIONS) | set(BENEFICIARY_RELATIONS) <= set(labels.RELATION)
    assert set(DOCUMENT_TYPES) <= set(labels.ID_TYPE)
