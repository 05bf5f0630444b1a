"""Underwriting an application for the purchase saga: the rules per insured person, over what each
already has in force; the first decision for an order stands (a retry gets it back)."""

from __future__ import annotations

from typing import Any

from policy.domain import underwriting


def underwrite(order_id: str, application: dict[str, Any], *, store: Any) -> dict[str, Any]:
    decided = store.get_underwriting(order_id)
    if decided is not None:
        return decided
    product = application["product"]
    decisions = []
    for insured in application["insured"]:
        # A renewal's own predecessor is not counted: their periods do not overlap.
        existing = store.in_force_sum_insured(
            insured["insured_key"], product["kind"], excluding=application.get("renewal_of")
        )
        decisions.append(
            underwriting.underwrite(
                product,
                underwriting.InsuredApplication(
                    insured_key=insured["insured_key"],
                    age=insured["age"],
                    occupation_class=insured.get("occupation_class"),
                    sum_insured=application["plan"]["sum_insured"],
                    health_answers=application["health_answers"],
                ),
                existing,
            )
        )
    return store.save_underwriting(order_id, underwriting.combine(decisions).to_dict(), "rules")
