"""An insurance application built from a quote and the customer's order form (pure, no I/O).

The application is what the purchase state machine carries: a snapshot of the product terms, the
parties, the health declaration and the premium, so later steps never re-read a changing catalog.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import date, timedelta
from typing import Any

from insuremall import identity

MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MAX = 60
RELATIONS = {"self", "spouse", "child", "parent"}
BENEFICIARY_RELATIONS = {"spouse", "child", "parent", "sibling"}


def add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def cover_end(start: date, term: dict[str, Any], age: int) -> date:
    """Last day of cover, inclusive."""
    if "days" in term:
        return start + timedelta(days=int(term["days"]) - 1)
    if "months" in term:
        return add_months(start, int(term["months"])) - timedelta(days=1)
    if "years" in term:
        return add_months(start, 12 * int(term["years"])) - timedelta(days=1)
    to_age = re.fullmatch(r"TO(\d+)", term["code"])
    if to_age:
        return add_months(start, 12 * (int(to_age.group(1)) - age)) - timedelta(days=1)
    raise ValueError(f"term {term['code']!r} has no duration")


def insured_key(id_type: str, id_number: str) -> str:
    """Stable key for one person across policies, so exposure can be summed without the raw ID."""
    return hashlib.sha256(f"{id_type}:{id_number.upper()}".encode()).hexdigest()[:32]


def _person(raw: Any, path: str, problems: dict[str, str], need_contact: bool = False) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems[path] = "is required"
        return {}
    person: dict[str, Any] = {}
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        problems[f"{path}.name"] = f"enter a name of 1 to {NAME_MAX} characters"
    else:
        person["name"] = name.strip()
    id_type = raw.get("id_type", "prc_id")
    id_number = raw.get("id_number")
    if not isinstance(id_number, str) or not id_number.strip():
        problems[f"{path}.id_number"] = "is required"
    else:
        id_number = id_number.strip().upper()
        issues = identity.validate_document(id_type, id_number)
        if issues:
            problems[f"{path}.id_number"] = "; ".join(issues)
        else:
            person["id_type"], person["id_number"] = id_type, id_number
    if need_contact:
        phone = raw.get("phone")
        if not isinstance(phone, str) or not MOBILE.match(phone.strip()):
            problems[f"{path}.phone"] = "enter an 11-digit mainland mobile number"
        else:
            person["phone"] = phone.strip()
        email = raw.get("email")
        if email is not None:
            if not isinstance(email, str) or not EMAIL.match(email.strip()):
                problems[f"{path}.email"] = "enter a valid e-mail address"
            else:
                person["email"] = email.strip()
    return person


def parse_beneficiaries(raw: Any, problems: dict[str, str], too_many: str) -> list[dict[str, Any]]:
    """Named beneficiaries (at most 5) with whole-percent shares adding up to 100; used by orders
    and by endorsements."""
    if not isinstance(raw, list) or len(raw) > 5:
        problems["beneficiaries"] = too_many
        return []
    people, total = [], 0
    for i, item in enumerate(raw):
        person = _person(item, f"beneficiaries[{i}]", problems)
        share = item.get("share") if isinstance(item, dict) else None
        relation = item.get("relation") if isinstance(item, dict) else None
        if not isinstance(share, int) or isinstance(share, bool) or not 1 <= share <= 100:
            problems[f"beneficiaries[{i}].share"] = "a whole percentage from 1 to 100"
        else:
            total += share
            person["share"] = share
        if relation not in BENEFICIARY_RELATIONS:
            problems[f"beneficiaries[{i}].relation"] = f"must be one of {sorted(BENEFICIARY_RELATIONS)}"
        else:
            person["relation"] = relation
        people.append(person)
    if people and total != 100 and not any(k.endswith(".share") for k in problems):
        problems["beneficiaries"] = f"shares must add up to 100 (they add up to {total})"
    return people


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

    policyholder = _person(body.get("policyholder"), "policyholder", problems, need_contact=True)

    insured_raw = body.get("insured")
    if not isinstance(insured_raw, list) or len(insured_raw) != 1:
        problems["insured"] = "give exactly one insured person (the one the quote was made for)"
        insured_raw = [None]
    insured = _person(insured_raw[0], "insured[0]", problems)
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
