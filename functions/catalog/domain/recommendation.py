"""Recommendation: a short needs questionnaire -> on-shelf products ranked, each with its reasons.

Deterministic rules, each worth a fixed number of points and each stated to the customer:

  start                                        BASE
  a concern you listed is what it covers       +CONCERN      (otherwise, when you listed some: -OFF_CONCERN)
  you have no cover of this kind yet           +GAP          (you already have it: -ALREADY_COVERED)
  life cover and someone depends on you        +DEPENDANTS   (nobody does: -NO_DEPENDANTS)
  accident cover and someone depends on you    +INCOME
  illness cover from age 40                    +AGE_ILLNESS
  the estimated premium fits your budget       +IN_BUDGET    (over it: -OVER_BUDGET)

Excluded: products you cannot buy (your age or occupation class is outside its limits, so the
rating engine finds no plan and term for you) and travel cover unless travel is a concern.

Children (under 18) get their own list when you have any: the on-shelf products whose insured ages
include children's, concerns you listed first, then the cheaper; each with a "from" price for one
child (the cheapest plan and term over the child ages it insures). None fits: an empty list and a
note that says so.
The estimated premium is a real rating: the cheapest plan and term for your age, gender and
occupation class, compared with the budget as a yearly cost. Scores are clamped to 0-100; ties
go to the cheaper product, then the product id.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from catalog.domain.product_rules import on_sale
from catalog.domain.starting_price import Estimate, cheapest_for
from insuremall.errors import Invalid
from insuremall.money import half_up

BASE = 30
CONCERN = 35
OFF_CONCERN = 10
GAP = 10
ALREADY_COVERED = 25
DEPENDANTS = 20
NO_DEPENDANTS = 15
INCOME = 5
AGE_ILLNESS = 5
IN_BUDGET = 10
OVER_BUDGET = 30

# What each concern is about, as product kinds.
CONCERNS: dict[str, tuple[str, ...]] = {
    "accident": ("accident",),
    "illness": ("critical_illness", "medical"),
    "medical": ("medical",),
    "travel": ("travel",),
    "life": ("term_life",),
    "home": ("home",),
}
# Existing cover, named by kind (or by the concern word that means that kind).
COVER_WORDS: dict[str, str] = {
    "accident": "accident",
    "medical": "medical",
    "critical_illness": "critical_illness",
    "illness": "critical_illness",
    "term_life": "term_life",
    "life": "term_life",
    "travel": "travel",
    "home": "home",
}
KIND_WORDS = {
    "accident": "accident",
    "medical": "medical",
    "critical_illness": "critical illness",
    "term_life": "life",
    "travel": "travel",
    "home": "home",
}
CHANNELS = ("h5", "pc", "partner_api")
MAX_CHILDREN = 12
CHILD_AGES = range(0, 18)  # "children under 18"
FOR_CHILD = {
    "accident": "Accident cover for your child at school and play",
    "medical": "Pays your child's hospital bills",
    "critical_illness": "Pays a lump sum if your child is diagnosed with a serious illness",
    "travel": "Covers your child on trips abroad",
    "term_life": "Life cover on your child",
    "home": "Home cover",
}


class QuestionnaireInvalid(Invalid):
    @property
    def errors(self) -> dict[str, str]:
        return self.fields


@dataclass(frozen=True)
class Questionnaire:
    age: int
    gender: str
    spouse: bool = False
    children: int = 0
    parents_over_60: bool = False
    annual_budget: Decimal | None = None
    concerns: tuple[str, ...] = ()
    existing_cover: frozenset[str] = frozenset()  # product kinds
    occupation_class: int = 1
    channel: str | None = None

    @property
    def has_dependants(self) -> bool:
        return self.spouse or self.children > 0 or self.parents_over_60


@dataclass(frozen=True)
class Recommendation:
    product: dict
    score: int
    reasons: tuple[str, ...]
    estimate: Estimate


def parse_questionnaire(body: dict) -> Questionnaire:
    """Validate the questionnaire; raises QuestionnaireInvalid naming every bad field."""
    errors: dict[str, str] = {}
    age = _whole(body.get("age"))
    if body.get("age") is None:
        errors["age"] = "is required"
    elif age is None or not 0 <= age <= 100:
        errors["age"] = "must be a whole number of years from 0 to 100"
    gender = body.get("gender")
    if gender not in ("M", "F"):
        errors["gender"] = "must be M or F"

    family = body.get("family")
    family = {} if family is None else family
    spouse = parents = False
    children = 0
    if not isinstance(family, dict):
        errors["family"] = 'must be an object: {"spouse": true, "children": 2, "parents_over_60": false}'
    else:
        spouse, parents = family.get("spouse", False), family.get("parents_over_60", False)
        if not isinstance(spouse, bool):
            errors["family.spouse"] = "must be true or false"
        if not isinstance(parents, bool):
            errors["family.parents_over_60"] = "must be true or false"
        children = _whole(family.get("children", 0))
        if children is None or not 0 <= children <= MAX_CHILDREN:
            errors["family.children"] = f"must be a whole number from 0 to {MAX_CHILDREN}"

    budget = None
    raw_budget = body.get("annual_budget")
    if raw_budget not in (None, ""):
        try:
            if isinstance(raw_budget, bool) or not isinstance(raw_budget, (str, int, float)):
                raise InvalidOperation
            budget = Decimal(str(raw_budget).strip())
            if not budget.is_finite() or budget < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["annual_budget"] = 'must be an amount in CNY, e.g. "3000"'
            budget = None

    concerns = _word_list(body.get("concerns", []), "concerns", CONCERNS, errors)
    cover = _word_list(body.get("existing_cover", []), "existing_cover", COVER_WORDS, errors)

    occupation_class = body.get("occupation_class", 1)
    if occupation_class is None:
        occupation_class = 1
    occupation_class = _whole(occupation_class)
    if occupation_class is None or not 1 <= occupation_class <= 6:
        errors["occupation_class"] = "must be a whole number from 1 (office work) to 6 (most hazardous)"

    channel = body.get("channel")
    if channel is not None and channel not in CHANNELS:
        errors["channel"] = f"must be one of {', '.join(CHANNELS)}"

    if errors:
        raise QuestionnaireInvalid(errors)
    return Questionnaire(
        age=age,
        gender=gender,
        spouse=spouse,
        children=children,
        parents_over_60=parents,
        annual_budget=budget,
        concerns=tuple(concerns),
        existing_cover=frozenset(COVER_WORDS[c] for c in cover),
        occupation_class=occupation_class,
        channel=channel,
    )


def recommend(
    answers: Questionnaire, products: list[dict], rate_tables: dict[str, dict]
) -> list[Recommendation]:
    """On-shelf products ranked for these answers; `rate_tables` maps product id -> current table."""
    ranked = []
    for product in products:
        if not on_sale(product, answers.channel):
            continue
        table = rate_tables.get(product["product_id"])
        if table is None:
            continue
        recommendation = _assess(answers, product, table)
        if recommendation is not None:
            ranked.append(recommendation)
    return sorted(ranked, key=lambda r: (-r.score, r.estimate.yearly, r.product["product_id"]))


def _assess(answers: Questionnaire, product: dict, table: dict) -> Recommendation | None:
    kind = product.get("kind")
    concern = next((c for c in answers.concerns if kind in CONCERNS[c]), None)
    if kind == "travel" and concern is None:
        return None
    estimate = cheapest_for(product, table, answers.age, answers.gender, answers.occupation_class)
    if estimate is None:
        return None  # age or occupation class outside what the product insures

    score, reasons = BASE, []
    words = KIND_WORDS.get(kind, kind)
    if concern:
        score += CONCERN
        reasons.append(f"You listed {concern} as a concern")
    elif answers.concerns:
        score -= OFF_CONCERN

    if kind in answers.existing_cover:
        score -= ALREADY_COVERED
        reasons.append(f"You already have {words} cover")
    else:
        score += GAP
        reasons.append(f"You have no {words} cover yet")

    if kind == "term_life":
        if answers.has_dependants:
            score += DEPENDANTS
            reasons.append(f"Life cover protects {_dependants(answers)} if the worst happens")
        else:
            score -= NO_DEPENDANTS
            reasons.append("Life cover matters most when someone depends on your income")
    elif kind == "accident" and answers.has_dependants:
        score += INCOME
        reasons.append("Accident cover also protects the income your family relies on")
    if kind in ("critical_illness", "medical") and answers.age >= 40:
        score += AGE_ILLNESS
        reasons.append("The risk of serious illness rises from your 40s")

    price = f"about CNY {_about(estimate.premium.total)} {estimate.per}"
    if answers.annual_budget is None:
        reasons.append(f"Estimated premium: {price}")
    elif estimate.yearly <= answers.annual_budget:
        score += IN_BUDGET
        reasons.append(f"Fits your budget: {price}")
    else:
        score -= OVER_BUDGET
        reasons.append(f"Over your budget of CNY {_about(answers.annual_budget)} a year: {price}")

    return Recommendation(product, max(0, min(100, score)), tuple(reasons), estimate)


@dataclass(frozen=True)
class ChildCover:
    product: dict
    reasons: tuple[str, ...]
    estimate: Estimate  # the cheapest over the child ages insured: a "from" price for one child
    youngest: int
    oldest: int


def recommend_for_children(
    answers: Questionnaire, products: list[dict], rate_tables: dict[str, dict]
) -> list[ChildCover]:
    """Cover for the children (none when there are none): products insuring children's ages, concerns
    first, then the cheaper; travel only when travel is a concern."""
    if answers.children <= 0:
        return []
    found = []
    for product in products:
        if not on_sale(product, answers.channel):
            continue
        table = rate_tables.get(product["product_id"])
        kind = product.get("kind")
        concern = next((c for c in answers.concerns if kind in CONCERNS[c]), None)
        if table is None or (kind == "travel" and concern is None):
            continue
        limits = product.get("age_limits") or {}
        ages = [a for a in CHILD_AGES if int(limits.get("min", 0)) <= a <= int(limits.get("max", 120))]
        estimates = [
            (e, age)
            for age in ages
            for gender in ("F", "M")
            if (e := cheapest_for(product, table, age, gender, None)) is not None
        ]
        if not estimates:
            continue
        insurable = sorted({age for _, age in estimates})
        estimate = min(estimates, key=lambda pair: (pair[0].yearly, pair[1]))[0]
        youngest, oldest = insurable[0], insurable[-1]
        reasons = [
            f"Insures children from {'birth' if youngest == 0 else f'age {youngest}'}"
            + (f" to {oldest}" if oldest < CHILD_AGES[-1] else ""),
            FOR_CHILD.get(kind, f"{KIND_WORDS.get(kind, kind).capitalize()} cover for your child"),
        ]
        if concern:
            reasons.insert(0, f"You listed {concern} as a concern")
        reasons.append(f"From about CNY {_about(estimate.premium.total)} {estimate.per} for one child")
        found.append(ChildCover(product, tuple(reasons), estimate, youngest, oldest))
    return sorted(
        found,
        key=lambda c: (not c.reasons[0].startswith("You listed"), c.estimate.yearly, c.product["product_id"]),
    )


def children_note(answers: Questionnaire, covers: list[ChildCover]) -> str:
    """What the children's list means, or that none of the products fits them."""
    who = "your child" if answers.children == 1 else f"your {answers.children} children"
    if not covers:
        return (
            f"None of our products on sale insures children under 18 for these answers, so we have no "
            f"cover to suggest for {who}."
        )
    return f"Cover for {who}: each child is insured on a policy of their own; prices are for one child."


def _dependants(answers: Questionnaire) -> str:
    people = []
    if answers.spouse:
        people.append("your spouse")
    if answers.children:
        people.append("your child" if answers.children == 1 else f"your {answers.children} children")
    if answers.parents_over_60:
        people.append("your parents")
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


def _word_list(value: object, field: str, allowed: dict, errors: dict) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[field] = f"must be a list of: {', '.join(allowed)}"
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        errors[field] = f"unknown {', '.join(map(repr, unknown))}; choose from {', '.join(allowed)}"
        return []
    return list(dict.fromkeys(value))


def _about(amount: Decimal) -> str:
    """A whole number of yuan for a sentence ("about CNY 945"); the exact amount is in the estimate."""
    return f"{half_up(amount):,}"


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
