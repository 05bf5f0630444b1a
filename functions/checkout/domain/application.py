"""An insurance application built from a quote and the customer's order form (pure, no I/O).

The application is what the purchase state machine carries: a snapshot of the product terms, the
parties, the health declaration and the premium, so later steps never re-read a changing catalog.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from insuremall import identity, parties
from insuremall.cover import cover_end
from insuremall.parties import (
    RELATIONS,
    insured_key,
    parse_beneficiaries,
)


def build_application(
    *,
    order_id: str,
    customer_id: str,
    product: dict[str, Any],
    insurer: dict[str, Any],
    quote: dict[str, Any],
    body: dict[str, Any],
    channel: str,
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Validate the order form against the quote and product; return (application, problems)."""
    problems: dict[str, str] = {}
    inputs = quote["inputs"]
    start = date.fromisoformat(inputs["start_date"])

    policyholder = parties.party(body.get("policyholder"), "policyholder", problems, need_contact=True)

    insured_raw = body.get("insured")
    if not isinstance(insured_raw, list) or len(insured_raw) != 1:
        problems["insured"] = "give exactly one insured person (the one the quote was made for)"
        insured_raw = [None]
    insured = parties.party(insured_raw[0], "insured[0]", problems)
    relation = (insured_raw[0] or {}).get("relation", "self") if isinstance(insured_raw[0], dict) else "self"
    if relation not in RELATIONS:
        problems["insured[0].relation"] = f"must be one of {sorted(RELATIONS)}"
    if insured.get("id_type") == "prc_id":
        birth = identity.birth_date_from_prc_id(insured["id_number"])
        age = identity.age_at(birth, start)
        if age != inputs["age"]:
            problems["insured[0].id_number"] = (
                f"the insured is {age} on the start date but the quote was for age {inputs['age']}; "
                "get a new quote"
            )
        if identity.gender_from_prc_id(insured["id_number"]) != inputs["gender"]:
            problems["insured[0].id_number"] = (
                "the insured's gender does not match the quote; get a new quote"
            )
    if (
        relation == "self"
        and policyholder.get("id_number")
        and insured.get("id_number")
        and policyholder["id_number"] != insured["id_number"]
    ):
        problems["insured[0].relation"] = "relation is 'self' but the insured is not the policyholder"

    beneficiaries: list[dict[str, Any]] = []
    raw_beneficiaries = body.get("beneficiaries") or []
    if raw_beneficiaries and not product.get("has_beneficiaries"):
        problems["beneficiaries"] = (
            "this product pays the insured or legal heirs; beneficiaries cannot be named"
        )
    elif raw_beneficiaries:
        beneficiaries = parse_beneficiaries(raw_beneficiaries, problems, "name up to 5 beneficiaries")

    answers_raw = body.get("health_answers") or {}
    answers: dict[str, bool] = {}
    if not isinstance(answers_raw, dict):
        problems["health_answers"] = "must be an object of question code -> true/false"
        answers_raw = {}
    for question in product.get("health_questions", []):
        value = answers_raw.get(question["code"])
        if not isinstance(value, bool):
            problems[f"health_answers.{question['code']}"] = "answer yes or no"
        else:
            answers[question["code"]] = value
    unknown = set(answers_raw) - {q["code"] for q in product.get("health_questions", [])}
    if unknown:
        problems["health_answers"] = f"unknown questions: {sorted(unknown)}"

    if body.get("accept_terms") is not True:
        problems["accept_terms"] = "read and accept the policy terms to continue"

    if problems:
        return None, problems

    plan = next(p for p in product["plans"] if p["code"] == inputs["plan"])
    term = next(t for t in product["terms"] if t["code"] == inputs["term"])
    end = cover_end(start, term, inputs["age"])
    insured_person = {
        **insured,
        "relation": relation,
        "age": inputs["age"],
        "gender": inputs["gender"],
        "occupation_class": inputs.get("occupation_class"),
        "birth_date": (
            identity.birth_date_from_prc_id(insured["id_number"]).isoformat()
            if insured["id_type"] == "prc_id"
            else None
        ),
        "insured_key": insured_key(insured["id_type"], insured["id_number"]),
    }
    application = {
        "order_id": order_id,
        "customer_id": customer_id,
        "channel": channel,
        "quote_id": quote["quote_id"],
        "rate_table_version": quote["rate_table_version"],
        "product": {
            "product_id": product["product_id"],
            "name": product["name"],
            "kind": product["kind"],
            "category_id": product["category_id"],
            "insurer_id": product["insurer_id"],
            "insurer_name": insurer.get("name", product["insurer_id"]),
            "insurer_code": insurer.get("short_code", "INS"),
            "insurer_hotline": insurer.get("hotline"),  # printed on the policy document
            "age_limits": product["age_limits"],
            "occupation_classes": product.get("occupation_classes"),
            "health_questions": product.get("health_questions", []),
            "max_sum_insured_per_person": product["max_sum_insured_per_person"],
            "cooling_off_days": product.get("cooling_off_days", 0),
            "cancellation": product.get("cancellation"),  # the refund rule after cooling-off
            "has_beneficiaries": bool(product.get("has_beneficiaries")),
            "terms_summary": product.get("terms_summary", ""),
            "exclusions": product.get("exclusions", []),
            "option_names": {
                o["code"]: o["name"]
                for o in product.get("options", [])
                if o["code"] in inputs.get("options", [])
            },
        },
        "plan": {
            "code": plan["code"],
            "name": plan["name"],
            "sum_insured": plan["sum_insured"],
            "coverages": plan.get("coverages", []),
        },
        "term": term,
        "options": list(inputs.get("options", [])),
        "premium": quote["premium"],
        "premium_cents": quote["premium_cents"],
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "policyholder": policyholder,
        "insured": [insured_person],
        "beneficiaries": beneficiaries,
        "health_answers": answers,
    }
    return application, {}
