"""Rules for a product document an operator creates or edits: every problem keyed by its field.

Field keys follow the document: "name", "plans[1].sum_insured", "terms[0]". The operator console
shows each message next to its field. Server-managed fields (status, rate_table_version,
premium_from, revision) and unknown fields in the body are ignored, so a console can send back the
document it was given. Pure: no I/O; the caller passes the insurers and categories that exist.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from insuremall.errors import Invalid

KINDS = ("accident", "travel", "medical", "critical_illness", "term_life", "home")
CHANNELS = ("h5", "pc", "partner_api")
ON_YES = ("decline", "refer")
TERM_LENGTHS = ("months", "days", "years")
MAX_AGE = 100
MAX_OCCUPATION_CLASS = 6
SERVER_FIELDS = ("status", "rate_table_version", "premium_from", "revision")

PRODUCT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
TERM_CODE = re.compile(r"^[A-Z0-9]{1,8}$")
TO_AGE_CODE = re.compile(r"^TO(\d+)$")
TAG = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


class ProductInvalid(Invalid):
    """The document's problems, keyed by field (an Invalid: the route answers it as it is)."""

    @property
    def errors(self) -> dict[str, str]:
        return self.fields


def on_sale(product: dict[str, Any] | None, channel: str | None = None) -> bool:
    """The one on-shelf rule: on shelf, and (when a channel is named) sold through it."""
    if product is None or product.get("status") != "on_shelf":
        return False
    channels = product.get("channels")
    return channel is None or not channels or channel in channels


CANCELLATION_RULES = ("pro_rata", "short_rate", "none")

# What an optional field is when the body leaves it out. A stored product written before a field
# existed lacks it; `with_defaults` reads it as this value, so its absence is no change in the audit.
DEFAULTS: dict[str, Any] = {
    "tags": [],
    "options": [],
    "occupation_classes": None,
    "health_questions": [],
    "has_beneficiaries": False,
    "cooling_off_days": 15,
    "cancellation": {"after_cooling_off": "pro_rata"},
    "reunderwrite_on_renewal": False,
    "purchase_notes": [],
    "exclusions": [],
    "terms_summary": "",
    "faq": [],
}


def _default(key: str) -> Any:
    return copy.deepcopy(DEFAULTS[key])


def with_defaults(product: dict[str, Any] | None) -> dict[str, Any]:
    """The stored document with each optional field it lacks at its default (for comparisons)."""
    product = product or {}
    return {**{k: _default(k) for k in DEFAULTS if k not in product}, **product}


def validate_product(body: dict, insurers: set[str], categories: set[str]) -> dict[str, Any]:
    """The clean product document (without server-managed fields); raises ProductInvalid."""
    errors: dict[str, str] = {}
    product: dict[str, Any] = {}

    product_id = body.get("product_id")
    if not isinstance(product_id, str) or not product_id:
        errors["product_id"] = "is required"
    elif not (3 <= len(product_id) <= 64 and PRODUCT_ID.match(product_id)):
        errors["product_id"] = "use 3-64 lowercase letters, digits and single hyphens, e.g. accident-guardian"
    product["product_id"] = product_id

    product["name"] = _text(body, "name", errors, required=True, limit=120)
    insurer_id = body.get("insurer_id")
    if not isinstance(insurer_id, str) or not insurer_id:
        errors["insurer_id"] = "is required"
    elif insurer_id not in insurers:
        errors["insurer_id"] = f"unknown insurer {insurer_id!r}"
    product["insurer_id"] = insurer_id
    category_id = body.get("category_id")
    if not isinstance(category_id, str) or not category_id:
        errors["category_id"] = "is required"
    elif category_id not in categories:
        errors["category_id"] = f"unknown category {category_id!r}"
    product["category_id"] = category_id
    kind = body.get("kind")
    if kind not in KINDS:
        errors["kind"] = f"must be one of {', '.join(KINDS)}"
    product["kind"] = kind
    product["summary"] = _text(body, "summary", errors, required=True, limit=500)
    product["tags"] = _tags(body.get("tags", _default("tags")), errors)

    product["age_limits"] = _age_limits(body.get("age_limits"), errors)
    product["terms"] = _terms(body.get("terms"), product["age_limits"], errors)
    product["plans"] = _plans(body.get("plans"), errors)
    product["options"] = _coded_list(body, "options", ("code", "name", "description"), errors)
    occupation = body.get("occupation_classes", _default("occupation_classes"))
    product["occupation_classes"] = _occupation_classes(occupation, errors)
    questions = body.get("health_questions", _default("health_questions"))
    product["health_questions"] = _health_questions(questions, errors)

    has_beneficiaries = body.get("has_beneficiaries", _default("has_beneficiaries"))
    if not isinstance(has_beneficiaries, bool):
        errors["has_beneficiaries"] = "must be true or false"
    product["has_beneficiaries"] = has_beneficiaries

    largest = max(
        (p["sum_insured"] for p in product["plans"] or () if _whole(p.get("sum_insured"))), default=0
    )
    cap = body.get("max_sum_insured_per_person", largest or None)
    if _whole(cap) is None or cap < 1:
        errors["max_sum_insured_per_person"] = "must be a whole number of CNY above 0"
    elif cap < largest:
        errors["max_sum_insured_per_person"] = (
            f"must be at least the largest plan's sum insured ({largest:,})"
        )
    product["max_sum_insured_per_person"] = cap
    cooling_off = body.get("cooling_off_days", _default("cooling_off_days"))
    if _whole(cooling_off) is None or not 0 <= cooling_off <= 60:
        errors["cooling_off_days"] = "must be a whole number of days from 0 to 60"
    product["cooling_off_days"] = cooling_off
    # What a cancellation after cooling-off refunds (policy.domain.cancellation); pro_rata when absent.
    cancellation = body.get("cancellation", _default("cancellation"))
    if not isinstance(cancellation, dict) or cancellation.get("after_cooling_off") not in CANCELLATION_RULES:
        errors["cancellation.after_cooling_off"] = f"must be one of {', '.join(CANCELLATION_RULES)}"
    else:
        product["cancellation"] = {"after_cooling_off": cancellation["after_cooling_off"]}
    # Guaranteed renewal (False) keeps the first underwriting's health answers; True asks them again.
    reunderwrite = body.get("reunderwrite_on_renewal", _default("reunderwrite_on_renewal"))
    if not isinstance(reunderwrite, bool):
        errors["reunderwrite_on_renewal"] = "must be true or false"
    product["reunderwrite_on_renewal"] = reunderwrite is True

    for key in ("purchase_notes", "exclusions"):
        product[key] = _text_list(body.get(key, _default(key)), key, errors)
    product["terms_summary"] = _text(body, "terms_summary", errors, required=False, limit=4000)
    product["faq"] = _faq(body.get("faq", _default("faq")), errors)
    product["channels"] = _channels(body.get("channels"), errors)

    if errors:
        raise ProductInvalid(errors)
    return product


# --- fields ------------------------------------------------------------------------------------


def _text(body: dict, key: str, errors: dict, required: bool, limit: int) -> str:
    value = body.get(key, None if required else "")
    if value is None or (required and isinstance(value, str) and not value.strip()):
        errors[key] = "is required"
        return ""
    if not isinstance(value, str):
        errors[key] = "must be text"
        return ""
    if len(value) > limit:
        errors[key] = f"is too long (at most {limit} characters)"
    return value.strip()


def _tags(value: object, errors: dict) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        errors["tags"] = "must be a list of words"
        return []
    tags = [t.strip().lower() for t in value if t.strip()]
    bad = [t for t in tags if not (TAG.match(t) and len(t) <= 30)]
    if bad:
        errors["tags"] = (
            f"use lowercase words with _ or - (e.g. critical_illness); not {', '.join(map(repr, bad))}"
        )
    elif len(tags) > 20:
        errors["tags"] = "at most 20 tags"
    return list(dict.fromkeys(tags))


def _age_limits(value: object, errors: dict) -> dict[str, int]:
    if not isinstance(value, dict):
        errors["age_limits"] = 'is required: {"min": 18, "max": 65}'
        return {}
    low, high = _whole(value.get("min")), _whole(value.get("max"))
    if low is None or not 0 <= low <= MAX_AGE:
        errors["age_limits.min"] = f"must be a whole number of years from 0 to {MAX_AGE}"
    if high is None or not 0 <= high <= MAX_AGE:
        errors["age_limits.max"] = f"must be a whole number of years from 0 to {MAX_AGE}"
    if low is not None and high is not None and "age_limits.min" not in errors and low >= high:
        errors["age_limits"] = "min must be below max"
    return {"min": low, "max": high}


def _terms(value: object, limits: dict, errors: dict) -> list[dict]:
    if not isinstance(value, list) or not value:
        errors["terms"] = "add at least one term"
        return []
    terms = []
    for i, term in enumerate(value):
        field = f"terms[{i}]"
        if not isinstance(term, dict):
            errors[field] = "must be an object with code and label"
            continue
        code, label = term.get("code"), term.get("label")
        if not isinstance(code, str) or not TERM_CODE.match(code):
            errors[f"{field}.code"] = "use 1-8 capital letters or digits, e.g. 1Y, 7D, TO60"
        if not isinstance(label, str) or not label.strip():
            errors[f"{field}.label"] = "is required"
        clean = {"code": code, "label": label.strip() if isinstance(label, str) else label}
        lengths = [k for k in TERM_LENGTHS if k in term]
        to_age = TO_AGE_CODE.match(code) if isinstance(code, str) else None
        if to_age:
            age = int(to_age.group(1))
            if lengths:
                errors[field] = f"a TO<age> term ends at an age; give no {', '.join(lengths)}"
            elif "to_age" in term and _whole(term["to_age"]) != age:
                errors[f"{field}.to_age"] = f"must be {age}, as the code says"
            elif limits.get("min") is not None and not limits["min"] < age <= MAX_AGE:
                errors[field] = f"cover to age {age} must end above the youngest age ({limits['min']})"
            clean["to_age"] = age
        elif len(lengths) != 1:
            errors[field] = "give exactly one of months, days or years (or use a TO<age> code such as TO60)"
        else:
            length = _whole(term[lengths[0]])
            if length is None or length < 1:
                errors[f"{field}.{lengths[0]}"] = "must be a whole number above 0"
            clean[lengths[0]] = length
        terms.append(clean)
    _unique_codes(terms, "terms", errors)
    return terms


def _plans(value: object, errors: dict) -> list[dict]:
    if not isinstance(value, list) or not value:
        errors["plans"] = "add at least one plan"
        return []
    plans = []
    for i, plan in enumerate(value):
        field = f"plans[{i}]"
        if not isinstance(plan, dict):
            errors[field] = "must be an object with code, name, sum_insured and coverages"
            continue
        clean = {
            "code": _code(plan.get("code"), f"{field}.code", errors),
            "name": _name(plan.get("name"), f"{field}.name", errors),
            "sum_insured": _sum_insured(plan.get("sum_insured"), f"{field}.sum_insured", errors),
            "coverages": [],
        }
        coverages = plan.get("coverages")
        if not isinstance(coverages, list) or not coverages:
            errors[f"{field}.coverages"] = "add at least one coverage"
        else:
            for j, coverage in enumerate(coverages):
                where = f"{field}.coverages[{j}]"
                if not isinstance(coverage, dict):
                    errors[where] = "must be an object with code, name and sum_insured"
                    continue
                clean["coverages"].append(
                    {
                        "code": _code(coverage.get("code"), f"{where}.code", errors),
                        "name": _name(coverage.get("name"), f"{where}.name", errors),
                        "sum_insured": _sum_insured(
                            coverage.get("sum_insured"), f"{where}.sum_insured", errors
                        ),
                    }
                )
            _unique_codes(clean["coverages"], f"{field}.coverages", errors)
        plans.append(clean)
    _unique_codes(plans, "plans", errors)
    return plans


def _coded_list(body: dict, key: str, fields: tuple[str, ...], errors: dict) -> list[dict]:
    value = body.get(key, _default(key))
    if not isinstance(value, list):
        errors[key] = "must be a list"
        return []
    items = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            errors[where] = f"must be an object with {', '.join(fields)}"
            continue
        clean = {"code": _code(item.get("code"), f"{where}.code", errors)}
        for name in fields[1:]:
            clean[name] = _name(item.get(name), f"{where}.{name}", errors, limit=500)
        items.append(clean)
    _unique_codes(items, key, errors)
    return items


def _occupation_classes(value: object, errors: dict) -> dict | None:
    if value is None:
        return None
    highest = _whole(value.get("max")) if isinstance(value, dict) else None
    if highest is None or not 1 <= highest <= MAX_OCCUPATION_CLASS:
        errors["occupation_classes"] = (
            f'null, or {{"max": 1-{MAX_OCCUPATION_CLASS}}} (the highest insurable class)'
        )
        return None
    return {"max": highest}


def _health_questions(value: object, errors: dict) -> list[dict]:
    if not isinstance(value, list):
        errors["health_questions"] = "must be a list"
        return []
    questions = []
    for i, question in enumerate(value):
        where = f"health_questions[{i}]"
        if not isinstance(question, dict):
            errors[where] = "must be an object with code, text and on_yes"
            continue
        on_yes = question.get("on_yes")
        if on_yes not in ON_YES:
            errors[f"{where}.on_yes"] = "must be decline or refer"
        questions.append(
            {
                "code": _code(question.get("code"), f"{where}.code", errors),
                "text": _name(question.get("text"), f"{where}.text", errors, limit=500),
                "on_yes": on_yes,
            }
        )
    _unique_codes(questions, "health_questions", errors)
    return questions


def _text_list(value: object, key: str, errors: dict) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[key] = "must be a list of text"
        return []
    if any(len(v) > 1000 for v in value):
        errors[key] = "each item at most 1000 characters"
    return [v.strip() for v in value if v.strip()]


def _faq(value: object, errors: dict) -> list[dict]:
    if not isinstance(value, list):
        errors["faq"] = "must be a list of {q, a}"
        return []
    faq = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            errors[f"faq[{i}]"] = "must be an object with q and a"
            continue
        faq.append(
            {
                "q": _name(item.get("q"), f"faq[{i}].q", errors, limit=500),
                "a": _name(item.get("a"), f"faq[{i}].a", errors, limit=2000),
            }
        )
    return faq


def _channels(value: object, errors: dict) -> list[str]:
    if not isinstance(value, list) or not value:
        errors["channels"] = f"choose at least one of {', '.join(CHANNELS)}"
        return []
    unknown = [c for c in value if c not in CHANNELS]
    if unknown:
        errors["channels"] = f"unknown channel {', '.join(map(repr, unknown))}; use {', '.join(CHANNELS)}"
        return []
    return [c for c in CHANNELS if c in value]


# --- small pieces ------------------------------------------------------------------------------


def _code(value: object, field: str, errors: dict) -> str:
    if not isinstance(value, str) or not (1 <= len(value) <= 40 and CODE.match(value)):
        errors[field] = "use lowercase letters, digits and _, e.g. accident_medical"
        return value if isinstance(value, str) else ""
    return value


def _name(value: object, field: str, errors: dict, limit: int = 120) -> str:
    if not isinstance(value, str) or not value.strip():
        errors[field] = "is required"
        return ""
    if len(value) > limit:
        errors[field] = f"is too long (at most {limit} characters)"
    return value.strip()


def _sum_insured(value: object, field: str, errors: dict) -> int:
    number = _whole(value)
    if number is None or number < 1:
        errors[field] = "must be a whole number of CNY above 0"
        return value if isinstance(value, int) else 0
    return number


def _unique_codes(items: list[dict], key: str, errors: dict) -> None:
    codes = [item.get("code") for item in items]
    repeated = sorted({c for c in codes if c and codes.count(c) > 1})
    if repeated and key not in errors:
        errors[key] = f"codes must be unique; {', '.join(repeated)} appears more than once"


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
