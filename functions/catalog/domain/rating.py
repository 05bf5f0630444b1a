"""Rating engine: product + rate table + rating request -> premium with a breakdown.

Money is decimal.Decimal in CNY. Rounding rule: intermediate results are exact (Decimal; table
rates stay exact, actuarial values carry 28 significant digits); each breakdown line and the
total are rounded ROUND_HALF_UP to 0.01. A line's amount is the running premium after that step,
rounded for display only: the next step works on the unrounded value, and the last line always
equals the total.

Steps, in order:
  table basis      base -> occupation_class -> option:<code>...
  actuarial basis  actuarial_net -> expense_loading -> policy_fee -> occupation_class -> option:<code>...
Options apply in the order of rate_table["options"], whatever order the customer chose them in;
a store must keep that key order (DynamoDB maps do not promise it).

Rate tables are immutable per (product_id, version): a price change is a new version. The
compiled form (rows indexed by plan, term, gender and age) is cached on that key; the cache
still compares the table's content so a test or draft that reuses a version cannot get stale
prices.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any

from catalog.domain.actuarial import MortalityTable, mortality_table, net_level_premium
from insuremall.errors import Invalid
from insuremall.money import money_text, round_money

CURRENCY = "CNY"
GENDERS = ("M", "F")
_CONTEXT = Context(prec=28)
_GENDER_WORDS = {"M": "male", "F": "female"}
_YEARS_CODE = re.compile(r"^(\d+)Y$")
_TO_AGE_CODE = re.compile(r"^TO(\d+)$")
_CACHE_LIMIT = 256


@dataclass(frozen=True)
class RatingRequest:
    plan: str
    age: int  # age last birthday at policy start
    gender: str  # "M" or "F"
    term: str  # a term code of the product, e.g. "1Y", "7D", "20Y", "TO60"
    options: tuple[str, ...] = ()
    occupation_class: int | None = None


@dataclass(frozen=True)
class PremiumLine:
    step: str  # "base", "occupation_class", "option:ski", "actuarial_net", "expense_loading", "policy_fee"
    description: str
    amount: Decimal  # running premium after this step, rounded to 0.01

    def to_dict(self) -> dict[str, str]:
        return {"step": self.step, "description": self.description, "amount": money_text(self.amount)}


@dataclass(frozen=True)
class Premium:
    total: Decimal
    currency: str
    rate_table_version: int
    sum_insured: int  # of the chosen plan, CNY
    breakdown: tuple[PremiumLine, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": money_text(self.total),
            "currency": self.currency,
            "rate_table_version": self.rate_table_version,
            "sum_insured": self.sum_insured,
            "breakdown": [line.to_dict() for line in self.breakdown],
        }


class RatingError(Invalid):
    """The request cannot be rated; errors maps field name -> customer-readable message."""

    @property
    def errors(self) -> dict[str, str]:
        return self.fields


def rate(product: dict, rate_table: dict, request: RatingRequest) -> Premium:
    """Price one insured person. Raises RatingError when the request does not fit the product."""
    if rate_table.get("product_id") != product.get("product_id"):
        raise ValueError(
            f"rate table of {rate_table.get('product_id')!r} used for product {product.get('product_id')!r}"
        )
    compiled = _compiled(rate_table)
    request = _with_whole_numbers(request)
    plan = _find(product.get("plans"), request.plan)
    term = _find(product.get("terms"), request.term)
    errors = _request_errors(product, compiled, request, plan, term)
    if errors:
        raise RatingError(errors)

    with localcontext(_CONTEXT):
        if compiled.basis == "table":
            running, lines = _table_base(compiled, request, plan, term)
        else:
            running, lines = _actuarial_base(compiled, request, plan, term)

        if product.get("occupation_classes"):
            factor = compiled.occupation_factors[request.occupation_class]
            running *= factor
            lines.append(
                PremiumLine(
                    "occupation_class",
                    f"Occupation class {request.occupation_class} factor x{factor}",
                    round_money(running),
                )
            )

        if request.options:
            for code, method, value in compiled.options:
                if code not in request.options:
                    continue
                name = _option_name(product, code)
                if method == "add":
                    running += value
                    description = f"Option {name} +{money_text(value)}"
                else:
                    running *= value
                    description = f"Option {name} x{value}"
                lines.append(PremiumLine(f"option:{code}", description, round_money(running)))

        total = round_money(running)
    return Premium(
        total=total,
        currency=compiled.currency,
        rate_table_version=compiled.version,
        sum_insured=int(plan["sum_insured"]),
        breakdown=tuple(lines),
    )


def parse_rating_request(product: dict, body: dict) -> RatingRequest:
    """Validate a JSON quote body against the product; raises RatingError listing every bad field."""
    if not isinstance(body, dict):
        raise RatingError({"body": "must be a JSON object"})
    errors: dict[str, str] = {}

    plan = body.get("plan")
    plan_codes = [p["code"] for p in product.get("plans") or ()]
    if plan is None or plan == "":
        errors["plan"] = "is required"
    elif plan not in plan_codes:
        errors["plan"] = f"unknown plan {plan!r}; choose one of {', '.join(plan_codes)}"

    raw_age = body.get("age")
    age = _whole(raw_age)
    limits = product.get("age_limits") or {}
    age_ok = False
    if raw_age is None:
        errors["age"] = "is required"
    elif age is None:
        errors["age"] = "must be a whole number of years"
    elif not limits.get("min", 0) <= age <= limits.get("max", 200):
        errors["age"] = f"must be between {limits.get('min')} and {limits.get('max')} for this product"
    else:
        age_ok = True

    gender = body.get("gender")
    if gender is None or gender == "":
        errors["gender"] = "is required"
    elif gender not in GENDERS:
        errors["gender"] = "must be M or F"

    term_code = body.get("term")
    term = _find(product.get("terms"), term_code) if isinstance(term_code, str) else None
    term_codes = [t["code"] for t in product.get("terms") or ()]
    if term_code is None or term_code == "":
        errors["term"] = "is required"
    elif term is None:
        errors["term"] = f"unknown term {term_code!r}; choose one of {', '.join(term_codes)}"
    elif age_ok:
        to_age = _to_age(term)
        if to_age is not None and age >= to_age:
            errors["term"] = f"{term.get('label', term_code)} is only available below age {to_age}"

    options = body.get("options")
    chosen: tuple[str, ...] = ()
    option_codes = [o["code"] for o in product.get("options") or ()]
    if options is None:
        options = []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        errors["options"] = "must be a list of option codes"
    else:
        unknown = [o for o in options if o not in option_codes]
        if unknown:
            errors["options"] = f"unknown option {', '.join(repr(o) for o in unknown)}"
        # Canonical product order, duplicates dropped: equal choices give equal requests.
        chosen = tuple(code for code in option_codes if code in options)

    occupation_class = None
    classes = product.get("occupation_classes")
    if classes:
        raw_class = body.get("occupation_class")
        whole_class = _whole(raw_class)
        highest = int(classes["max"])
        if raw_class is None:
            errors["occupation_class"] = "is required for this product"
        elif whole_class is None:
            errors["occupation_class"] = "must be a whole number"
        elif whole_class < 1:
            errors["occupation_class"] = "must be 1 or higher"
        elif whole_class > highest:
            errors["occupation_class"] = (
                f"class {whole_class} is not insurable under this product (classes 1-{highest} only)"
            )
        else:
            occupation_class = whole_class

    if errors:
        raise RatingError(errors)
    return RatingRequest(
        plan=plan,
        age=age,
        gender=gender,
        term=term_code,
        options=chosen,
        occupation_class=occupation_class,
    )


# --- pricing steps -----------------------------------------------------------------------------


def _table_base(compiled: _CompiledRateTable, request: RatingRequest, plan: dict, term: dict):
    row = compiled.rows.get((request.plan, request.term, request.gender, request.age))
    if row is None:
        raise RatingError({"age": f"no rate for age {request.age} on plan {plan['name']}, {term['label']}"})
    premium, age_min, age_max, row_gender = row
    gender = "" if row_gender == "*" else f", {_GENDER_WORDS[row_gender]}"
    description = f"Base rate, plan {plan['name']}, age {age_min}-{age_max}{gender}, {term['label']}"
    return premium, [PremiumLine("base", description, round_money(premium))]


def _actuarial_base(compiled: _CompiledRateTable, request: RatingRequest, plan: dict, term: dict):
    n = _term_years(term, request.age)
    if n is None:
        raise RatingError({"term": f"{term['label']} is not a whole number of years"})
    if n < 1:
        raise RatingError({"term": f"{term['label']} is only available below age {request.age + n}"})
    sum_insured = int(plan["sum_insured"])
    try:
        net = net_level_premium(
            compiled.mortality[request.gender], request.age, n, compiled.interest, sum_insured
        )
    except ValueError as exc:
        raise RatingError({"term": str(exc)}) from None
    lines = [
        PremiumLine(
            "actuarial_net",
            f"Net level annual premium, sum insured {sum_insured:,}, age {request.age}, "
            f"{_GENDER_WORDS[request.gender]}, payable {n} years, interest {_percent(compiled.interest)}, "
            f"mortality {compiled.mortality_name}",
            round_money(net),
        )
    ]
    running = net * (1 + compiled.expense_loading)
    lines.append(
        PremiumLine(
            "expense_loading", f"Expense loading {_percent(compiled.expense_loading)}", round_money(running)
        )
    )
    running += compiled.policy_fee
    lines.append(
        PremiumLine("policy_fee", f"Policy fee {money_text(compiled.policy_fee)}", round_money(running))
    )
    return running, lines


def _request_errors(
    product: dict, compiled: _CompiledRateTable, request: RatingRequest, plan: dict | None, term: dict | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if plan is None:
        errors["plan"] = f"unknown plan {request.plan!r}"
    if term is None:
        errors["term"] = f"unknown term {request.term!r}"
    if request.gender not in GENDERS:
        errors["gender"] = "must be M or F"
    limits = product.get("age_limits") or {}
    if type(request.age) is not int:
        errors["age"] = "must be a whole number of years"
    elif not limits.get("min", 0) <= request.age <= limits.get("max", 200):
        errors["age"] = f"must be between {limits.get('min')} and {limits.get('max')} for this product"
    if product.get("occupation_classes"):
        if request.occupation_class is None:
            errors["occupation_class"] = "is required for this product"
        elif request.occupation_class not in compiled.occupation_factors:
            errors["occupation_class"] = (
                f"class {request.occupation_class} is not insurable under this product"
            )
    unknown = [o for o in request.options if o not in compiled.option_codes]
    if unknown:
        errors["options"] = f"unknown option {', '.join(repr(o) for o in unknown)}"
    return errors


# --- compiled rate tables ----------------------------------------------------------------------


class _CompiledRateTable:
    """A rate table indexed for O(1) lookups; built once per (product_id, version)."""

    def __init__(self, rate_table: dict):
        self.source = copy.deepcopy(rate_table)
        self.version = int(rate_table["version"])
        self.currency = rate_table.get("currency", CURRENCY)
        self.basis = rate_table.get("basis")
        if self.basis not in ("table", "actuarial"):
            raise ValueError(f"unknown rating basis {self.basis!r}")
        where = f"rate table {rate_table.get('product_id')} v{self.version}"

        self.rows: dict[tuple[str, str, str, int], tuple[Decimal, int, int, str]] = {}
        for row in rate_table.get("rows") or ():
            premium = _decimal(row["premium"])
            age_min, age_max = int(row["age_min"]), int(row["age_max"])
            genders = GENDERS if row["gender"] == "*" else (row["gender"],)
            for gender in genders:
                if gender not in GENDERS:
                    raise ValueError(f"{where}: gender must be M, F or *, got {row['gender']!r}")
                for age in range(age_min, age_max + 1):
                    key = (row["plan"], row["term"], gender, age)
                    if key in self.rows:
                        raise ValueError(f"{where}: rows overlap at {key}")
                    self.rows[key] = (premium, age_min, age_max, row["gender"])

        factors = (rate_table.get("factors") or {}).get("occupation_class") or {}
        self.occupation_factors = {int(cls): _decimal(factor) for cls, factor in factors.items()}

        self.options: tuple[tuple[str, str, Decimal], ...] = ()
        for code, option in (rate_table.get("options") or {}).items():
            method = option.get("method")
            if method == "add":
                value = _decimal(option["amount"])
            elif method == "multiply":
                value = _decimal(option["factor"])
            else:
                raise ValueError(f"{where}: option {code!r} has unknown method {method!r}")
            self.options += ((code, method, value),)
        self.option_codes = frozenset(code for code, _, _ in self.options)

        self.mortality: dict[str, MortalityTable] = {}
        if self.basis == "actuarial":
            self.mortality_name = rate_table["mortality_table"]
            self.mortality = {g: mortality_table(self.mortality_name, g) for g in GENDERS}
            self.interest = _decimal(rate_table["interest_rate"])
            self.expense_loading = _decimal(rate_table.get("expense_loading", "0"))
            self.policy_fee = _decimal(rate_table.get("policy_fee", "0"))


_compiled_tables: dict[tuple[str, int], _CompiledRateTable] = {}


def _compiled(rate_table: dict) -> _CompiledRateTable:
    key = (rate_table.get("product_id"), int(rate_table["version"]))
    compiled = _compiled_tables.get(key)
    if compiled is None or compiled.source != rate_table:
        compiled = _CompiledRateTable(rate_table)
        if len(_compiled_tables) >= _CACHE_LIMIT:
            _compiled_tables.clear()
        _compiled_tables[key] = compiled
    return compiled


# --- small pure pieces -------------------------------------------------------------------------


def _find(items: list[dict] | None, code: object) -> dict | None:
    for item in items or ():
        if item.get("code") == code:
            return item
    return None


def _option_name(product: dict, code: str) -> str:
    option = _find(product.get("options"), code)
    return option.get("name", code) if option else code


def _to_age(term: dict) -> int | None:
    if "to_age" in term:
        return int(term["to_age"])
    match = _TO_AGE_CODE.match(term.get("code", ""))
    return int(match.group(1)) if match else None


def _term_years(term: dict, age: int) -> int | None:
    """Policy years n of a term for a life aged `age`: "20Y" -> 20, "TO60" -> 60 - age."""
    if "years" in term:
        return int(term["years"])
    to_age = _to_age(term)
    if to_age is not None:
        return to_age - age
    if "months" in term and int(term["months"]) % 12 == 0:
        return int(term["months"]) // 12
    match = _YEARS_CODE.match(term.get("code", ""))
    return int(match.group(1)) if match else None


def _whole(value: object) -> int | None:
    """An int, also from a DynamoDB Decimal such as Decimal("30"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        whole = value.to_integral_value(rounding=ROUND_HALF_UP)
        return int(whole) if value == whole else None
    return None


def _with_whole_numbers(request: RatingRequest) -> RatingRequest:
    if type(request.age) is int and (
        request.occupation_class is None or type(request.occupation_class) is int
    ):
        return request  # the usual case: nothing to copy
    age = _whole(request.age)
    occupation_class = _whole(request.occupation_class)
    return replace(
        request,
        age=request.age if age is None else age,
        occupation_class=request.occupation_class if occupation_class is None else occupation_class,
    )


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(f"not a number: {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def _percent(value: Decimal) -> str:
    """0.025 -> "2.5%"."""
    return format((value * 100).normalize(), "f") + "%"
