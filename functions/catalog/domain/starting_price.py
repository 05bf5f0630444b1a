"""Price points priced by the rating engine, so a "from" price or an estimate is a real quote.

premium_from: the lowest premium a customer can be quoted on a rate table (no options, the
cheapest occupation class). For a table it is the lowest of all rows, each priced at the youngest
age the row and the product allow; for the actuarial basis, the youngest insurable age, each plan
and term and both genders (the cheapest plan and term win).

cheapest_for: the cheapest plan and term for one person, compared by yearly cost (see
`yearly_cost`) so a 6-month term does not look cheaper than a 1-year term at the same price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.domain import rating
from catalog.domain.rating import Premium, RatingError, RatingRequest
from insuremall.money import round_money


@dataclass(frozen=True)
class Estimate:
    premium: Premium
    plan: dict
    term: dict
    yearly: Decimal  # the premium as a cost per year, for comparing with a yearly budget

    @property
    def per(self) -> str:
        """What the premium pays for, in words: "a year", "per 7-day trip"."""
        return cover_period(self.term)


def premium_from(product: dict, rate_table: dict) -> Decimal | None:
    prices = [p.total for p in _priced(product, rate_table, _starting_requests(product, rate_table))]
    return min(prices) if prices else None


def cheapest_for(
    product: dict, rate_table: dict, age: int, gender: str, occupation_class: int | None = None
) -> Estimate | None:
    """The cheapest plan x term for this person, or None when the product cannot cover them."""
    classes = product.get("occupation_classes")
    if classes:
        occupation_class = occupation_class or 1
        if occupation_class > int(classes["max"]):
            return None
    else:
        occupation_class = None
    best: tuple | None = None
    for plan_index, plan in enumerate(product.get("plans") or ()):
        for term_index, term in enumerate(product.get("terms") or ()):
            request = RatingRequest(plan["code"], age, gender, term["code"], (), occupation_class)
            try:
                premium = rating.rate(product, rate_table, request)
            except RatingError:
                continue
            yearly = yearly_cost(term, premium.total)
            key = (yearly, plan_index, term_index)
            if best is None or key < best[0]:
                best = (key, Estimate(premium, plan, term, yearly))
    return best[1] if best else None


def yearly_cost(term: dict, premium: Decimal) -> Decimal:
    """A term's premium as a yearly cost: a 6-month term twice a year, a trip once a year, and for
    year-based terms the premium is already the level yearly premium."""
    if "months" in term:
        months = int(term["months"])
        return round_money(premium * 12 / months)
    return premium


def cover_period(term: dict) -> str:
    """What one premium pays for, to follow an amount: "a year", "per 7-day trip"."""
    if "days" in term:
        return f"per {int(term['days'])}-day trip"
    if "months" in term:
        months = int(term["months"])
        if months == 12:
            return "a year"
        return f"per {months} months" if months > 1 else "a month"
    return "a year"


def _lowest_factor_class(product: dict, rate_table: dict) -> int | None:
    classes = product.get("occupation_classes")
    if not classes:
        return None
    factors = (rate_table.get("factors") or {}).get("occupation_class") or {}
    allowed = [c for c in range(1, int(classes["max"]) + 1) if str(c) in factors]
    if not allowed:
        return 1
    return min(allowed, key=lambda c: (Decimal(str(factors[str(c)])), c))


def _starting_requests(product: dict, rate_table: dict):
    limits = product.get("age_limits") or {}
    low, high = int(limits.get("min", 0)), int(limits.get("max", 120))
    occupation_class = _lowest_factor_class(product, rate_table)
    if rate_table.get("basis") == "table":
        for row in rate_table.get("rows") or ():
            age = max(int(row["age_min"]), low)
            if age > min(int(row["age_max"]), high):
                continue
            gender = "M" if row["gender"] == "*" else row["gender"]
            yield RatingRequest(row["plan"], age, gender, row["term"], (), occupation_class)
        return
    for plan in product.get("plans") or ():
        for term in product.get("terms") or ():
            for gender in rating.GENDERS:
                yield RatingRequest(plan["code"], low, gender, term["code"], (), occupation_class)


def _priced(product: dict, rate_table: dict, requests):
    for request in requests:
        try:
            yield rating.rate(product, rate_table, request)
        except RatingError:
            continue  # e.g. a TO<age> term the youngest age cannot take, or a row beyond the limits
