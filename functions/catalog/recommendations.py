"""Recommendation: a needs questionnaire in, products on sale ranked with reasons and an estimated
premium out (and cover for the children, when there are children).

`store` is anything with catalog.store's product, rate-table and insurer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog import pricing
from catalog.domain import recommendation
from catalog.domain.product_rules import on_sale


@dataclass(frozen=True)
class Found:
    recommendations: list[recommendation.Recommendation]
    children: int
    for_children: list[recommendation.ChildCover]
    children_note: str | None
    insurers: dict[str, str]


def recommend(store, answers: dict[str, Any]) -> Found:
    """Rank for these answers; QuestionnaireInvalid (an Invalid) names every bad answer."""
    questionnaire = recommendation.parse_questionnaire(answers)
    products = [p for p in store.list_products() if on_sale(p)]
    tables = {p["product_id"]: t for p in products if (t := pricing.current_rate_table(store, p)) is not None}
    covers, note = [], None
    if questionnaire.children:
        covers = recommendation.recommend_for_children(questionnaire, products, tables)
        note = recommendation.children_note(questionnaire, covers)
    return Found(
        recommendation.recommend(questionnaire, products, tables),
        questionnaire.children,
        covers,
        note,
        {i["insurer_id"]: i["name"] for i in store.list_insurers()},
    )
