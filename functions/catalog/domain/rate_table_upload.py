"""Rate tables uploaded by operators as CSV: parse, check against the product, build the version.

The CSV has a header row (row 1) and one row per rate band:

    plan,term,age_min,age_max,gender,premium
    basic,1Y,18,40,*,99.00

Every problem names its row as the operator's spreadsheet numbers it (row 1 = header). A table is
accepted only if, for every plan x term x gender of the product, the age bands cover the product's
age limits (for a "TO<age>" term, up to the age before it) with no gap and no overlap, because a
customer whose age falls in a gap could not be quoted and an overlap would price one age twice.

Pure: no I/O. The caller gives the product, the request body and the previous version (if any).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from insuremall.errors import Invalid
from insuremall.money import round_money

COLUMNS = ("plan", "term", "age_min", "age_max", "gender", "premium")
GENDERS = ("M", "F")
MAX_CSV_CHARS = 1_000_000
MAX_ROWS = 5_000
MAX_AGE = 120
MAX_REPORTED = 5  # problems listed in one answer; the rest are counted
# The most an amount may be: 2^53 - 1 fen, what every JSON reader holds exactly as an integer.
MAX_AMOUNT = Decimal(2**53 - 1) / 100
MAX_FACTOR = Decimal(1000)
_FACTOR_PLACES = 6
_TO_AGE_CODE = re.compile(r"^TO(\d+)$")
_PLAIN_DECIMAL = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")  # no sign, exponent, separators, NaN or Infinity


class RateTableInvalid(Invalid):
    """The upload cannot be published; errors maps request field -> operator-readable message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors, "The rate table was not published")

    @property
    def errors(self) -> dict[str, str]:
        return self.fields


@dataclass(frozen=True)
class _Band:
    row: int  # spreadsheet row number (header = 1)
    plan: str
    term: str
    age_min: int
    age_max: int
    gender: str  # "M", "F" or "*"


# --- the request -------------------------------------------------------------------------------


def build_rate_table(
    product: dict, body: dict, previous: dict | None, version: int, published_at: str, published_by: dict
) -> dict[str, Any]:
    """The rate-table document to publish as `version`; raises RateTableInvalid naming every bad field.

    `factors` and `options` may be left out: they are then carried over from `previous`, so a new
    price list does not make the operator re-enter loadings that did not change.
    """
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    text = body.get("csv")
    if not isinstance(text, str) or not text.strip():
        errors["csv"] = "is required: the rate table as CSV text"
    elif len(text) > MAX_CSV_CHARS:
        errors["csv"] = f"is too large (at most {MAX_CSV_CHARS:,} characters)"
    else:
        try:
            rows = parse_csv(product, text)
        except RateTableInvalid as exc:
            errors.update(exc.errors)

    effective_from = body.get("effective_from")
    if effective_from is None or effective_from == "":
        errors["effective_from"] = "is required (YYYY-MM-DD)"
    else:
        try:
            effective_from = date.fromisoformat(str(effective_from)).isoformat()
        except ValueError:
            errors["effective_from"] = "use the form YYYY-MM-DD"

    previous = previous or {}
    factors = _factors(product, body.get("factors"), previous.get("factors"), errors)
    options = _options(product, body.get("options"), previous.get("options"), errors)
    if errors:
        raise RateTableInvalid(errors)
    return {
        "product_id": product["product_id"],
        "version": version,
        "effective_from": effective_from,
        "basis": "table",
        "currency": "CNY",
        "rows": rows,
        "factors": factors,
        "options": options,
        "published_at": published_at,
        "published_by": published_by,
    }


def _factors(product: dict, given: object, previous: object, errors: dict[str, str]) -> dict[str, Any]:
    classes = product.get("occupation_classes")
    if given is None:
        carried = (previous or {}).get("occupation_class") if isinstance(previous, dict) else None
        if not classes:
            return {}
        wanted = {str(c) for c in range(1, int(classes["max"]) + 1)}
        if isinstance(carried, dict) and wanted <= set(carried):
            return {"occupation_class": {c: carried[c] for c in sorted(wanted, key=int)}}
        errors["factors"] = (
            f"occupation class factors are required for classes 1-{classes['max']}, "
            'e.g. {"occupation_class": {"1": "1.00", "2": "1.20"}}'
        )
        return {}
    if not isinstance(given, dict) or set(given) - {"occupation_class"}:
        errors["factors"] = 'must be an object with one key, "occupation_class"'
        return {}
    table = given.get("occupation_class")
    if not classes:
        if table:
            errors["factors.occupation_class"] = "this product has no occupation classes"
        return {}
    wanted = [str(c) for c in range(1, int(classes["max"]) + 1)]
    if not isinstance(table, dict) or set(map(str, table)) != set(wanted):
        errors["factors.occupation_class"] = f"give a factor for each class {', '.join(wanted)} and no other"
        return {}
    table = {str(k): v for k, v in table.items()}
    clean = {}
    for cls in wanted:
        factor = _positive_decimal(table[cls])
        if factor is None:
            errors[f"factors.occupation_class.{cls}"] = (
                f"{table[cls]!r} is not a number above 0 and at most {MAX_FACTOR}"
            )
        else:
            clean[cls] = format(factor, "f")
    return {"occupation_class": clean}


def _options(product: dict, given: object, previous: object, errors: dict[str, str]) -> dict[str, Any]:
    codes = [o["code"] for o in product.get("options") or ()]
    if given is None:
        carried = previous if isinstance(previous, dict) else {}
        missing = [c for c in codes if c not in carried]
        if missing:
            errors["options"] = f"price every option of the product; missing {', '.join(missing)}"
            return {}
        return {code: carried[code] for code in carried if code in codes}
    if not isinstance(given, dict):
        errors["options"] = 'must be an object: {"<option code>": {"method": "add", "amount": "30.00"}}'
        return {}
    clean: dict[str, Any] = {}
    for code, option in given.items():  # kept in the given order: options apply in table order
        field = f"options.{code}"
        if code not in codes:
            errors[field] = f"the product has no option {code!r}"
            continue
        method = option.get("method") if isinstance(option, dict) else None
        if method == "add":
            amount, _ = _amount(option.get("amount"))
            if amount is None:
                errors[field] = f'amount must be an amount above 0 and at most {MAX_AMOUNT}, e.g. "30.00"'
            else:
                clean[code] = {"method": "add", "amount": format(amount, "f")}
        elif method == "multiply":
            factor = _positive_decimal(option.get("factor"))
            if factor is None:
                errors[field] = f'factor must be a number above 0 and at most {MAX_FACTOR}, e.g. "1.10"'
            else:
                clean[code] = {"method": "multiply", "factor": format(factor, "f")}
        else:
            errors[field] = 'method must be "add" (with amount) or "multiply" (with factor)'
    missing = [c for c in codes if c not in given]
    if missing and "options" not in errors:
        errors["options"] = f"price every option of the product; missing {', '.join(missing)}"
    return clean


# --- the CSV -----------------------------------------------------------------------------------


def parse_csv(product: dict, text: str) -> list[dict[str, Any]]:
    """Rows as stored in a rate table (in CSV order); raises RateTableInvalid({"csv": ...})."""
    problems: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    bands: list[_Band] = []
    plans = [p["code"] for p in product.get("plans") or ()]
    terms = [t["code"] for t in product.get("terms") or ()]
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                problem = _header_problem(header)
                if problem:
                    raise RateTableInvalid({"csv": f"row {line}: {problem}"})
                continue
            if len(rows) >= MAX_ROWS:
                raise RateTableInvalid({"csv": f"row {line}: too many rows (at most {MAX_ROWS:,})"})
            row, band, row_problems = _parse_row(
                dict(zip(header, cells, strict=False)), cells, header, line, plans, terms
            )
            problems.extend((line, p) for p in row_problems)
            if band is not None:
                rows.append(row)
                bands.append(band)
    except csv.Error as exc:
        raise RateTableInvalid({"csv": f"row {reader.line_num}: not valid CSV ({exc})"}) from None
    if header is None:
        raise RateTableInvalid({"csv": "is empty; the first row must be the header " + ",".join(COLUMNS)})
    if not rows and not problems:
        raise RateTableInvalid({"csv": "has a header but no rate rows"})
    if not problems:
        problems = _band_problems(product, bands)
    if problems:
        raise RateTableInvalid({"csv": _summary(problems)})
    return rows


def _header_problem(header: list[str]) -> str | None:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    expected = "the header must be " + ",".join(COLUMNS)
    if missing:
        return f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; {expected}"
    if unknown:
        return f"unknown column {', '.join(repr(c) for c in unknown)}; {expected}"
    if repeated:
        return f"column {', '.join(repeated)} appears twice"
    return None


def _parse_row(values, cells, header, line, plans, terms):
    problems: list[str] = []
    if len(cells) != len(header):
        return None, None, [f"has {len(cells)} values but the header has {len(header)} columns"]
    plan, term = values["plan"].strip(), values["term"].strip()
    if plan not in plans:
        problems.append(f"unknown plan {plan!r}; the product's plans are {', '.join(plans)}")
    if term not in terms:
        problems.append(f"unknown term {term!r}; the product's terms are {', '.join(terms)}")
    ages = {}
    for column in ("age_min", "age_max"):
        raw = values[column].strip()
        if not raw.isdigit() or int(raw) > MAX_AGE:
            problems.append(f"{column} {raw!r} is not a whole number of years from 0 to {MAX_AGE}")
        else:
            ages[column] = int(raw)
    if len(ages) == 2 and ages["age_min"] > ages["age_max"]:
        problems.append(f"age_min {ages['age_min']} is above age_max {ages['age_max']}")
    gender = values["gender"].strip().upper()
    if gender not in ("M", "F", "*"):
        problems.append(f"gender {values['gender'].strip()!r} must be M, F or * (both)")
    raw_premium = values["premium"].strip()
    premium, problem = _amount(raw_premium)
    if problem:
        problems.append(f"premium {raw_premium!r} {problem}")
    if problems:
        return None, None, problems
    row = {
        "plan": plan,
        "term": term,
        "age_min": ages["age_min"],
        "age_max": ages["age_max"],
        "gender": gender,
        "premium": format(premium, "f"),
    }
    return row, _Band(line, plan, term, ages["age_min"], ages["age_max"], gender), []


# --- bands: duplicates, overlaps, gaps ---------------------------------------------------------


def coverage_problems(product: dict, rows: list[dict]) -> list[str]:
    """Problems of stored rows against a (possibly edited) product; row n is rows[n - 2], as uploaded."""
    plans = {p["code"] for p in product.get("plans") or ()}
    terms = {t["code"] for t in product.get("terms") or ()}
    problems: list[tuple[int, str]] = []
    bands = []
    for index, row in enumerate(rows):
        line = index + 2
        if row["plan"] not in plans:
            problems.append((line, f"plan {row['plan']!r} is not a plan of the product"))
        elif row["term"] not in terms:
            problems.append((line, f"term {row['term']!r} is not a term of the product"))
        else:
            bands.append(
                _Band(line, row["plan"], row["term"], int(row["age_min"]), int(row["age_max"]), row["gender"])
            )
    return [_message(line, text) for line, text in problems + _band_problems(product, bands)]


def _band_problems(product: dict, bands: list[_Band]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    seen: dict[tuple, _Band] = {}
    for band in bands:
        key = (band.plan, band.term, band.gender, band.age_min, band.age_max)
        if key in seen:
            problems.append((band.row, f"duplicates row {seen[key].row} ({_describe(band)})"))
        else:
            seen[key] = band
    if problems:
        return problems

    limits = product.get("age_limits") or {}
    low, high = int(limits.get("min", 0)), int(limits.get("max", MAX_AGE))
    for band in bands:
        if band.age_min > high or band.age_max < low:
            problems.append(
                (
                    band.row,
                    f"ages {band.age_min}-{band.age_max} are outside the product's age limits {low}-{high}",
                )
            )
    reported: set[tuple[int, str]] = set()
    for plan in product.get("plans") or ():
        for term in product.get("terms") or ():
            top = high
            to_age = _to_age(term)
            if to_age is not None:
                top = min(high, to_age - 1)
            if top < low:
                continue
            for gender in GENDERS:
                group = sorted(
                    (
                        b
                        for b in bands
                        if b.plan == plan["code"] and b.term == term["code"] and b.gender in (gender, "*")
                    ),
                    key=lambda b: (b.age_min, b.age_max, b.row),
                )
                for problem in _group_problems(group, plan["code"], term["code"], gender, low, top):
                    if problem not in reported:
                        reported.add(problem)
                        problems.append(problem)
    return problems


def _group_problems(group: list[_Band], plan: str, term: str, gender: str, low: int, top: int):
    where = f"plan {plan}, term {term}"
    if not group:
        yield (10**9, f"no rates for {where}, gender {gender}: ages {low}-{top} must be covered")
        return
    first = group[0]
    if first.age_min > low:
        yield (
            first.row,
            f"{_describe(first)} starts at age {first.age_min}, but the product covers ages from {low}",
        )
    for before, band in zip(group, group[1:], strict=False):
        if band.age_min <= before.age_max:
            yield (
                band.row,
                f"ages {band.age_min}-{band.age_max} overlap row {before.row} "
                f"(ages {before.age_min}-{before.age_max}) for {where}, gender {gender}",
            )
        elif band.age_min > before.age_max + 1 and before.age_max < top:
            gap_end = min(band.age_min - 1, top)
            yield (
                band.row,
                f"{_describe(band)} starts at age {band.age_min}, but the band before it (row {before.row}) "
                f"ends at {before.age_max}: ages {before.age_max + 1}-{gap_end} have no rate",
            )
    last = max(group, key=lambda b: (b.age_max, b.row))
    if last.age_max < top:
        yield (
            last.row,
            f"{_describe(last)} ends at age {last.age_max}, but the product covers ages up to {top}",
        )


def _describe(band: _Band) -> str:
    gender = "" if band.gender == "*" else f", gender {band.gender}"
    return f"plan {band.plan}, term {band.term}{gender}"


def _summary(problems: list[tuple[int, str]]) -> str:
    problems = sorted(problems, key=lambda p: p[0])
    shown = [_message(line, text) for line, text in problems[:MAX_REPORTED]]
    rest = len(problems) - MAX_REPORTED
    return "; ".join(shown) + (f"; and {rest} more problem{'s' if rest > 1 else ''}" if rest > 0 else "")


def _message(line: int, text: str) -> str:
    return text if line >= 10**9 else f"row {line}: {text}"


def _to_age(term: dict) -> int | None:
    if "to_age" in term:
        return int(term["to_age"])
    match = _TO_AGE_CODE.match(str(term.get("code", "")))
    return int(match.group(1)) if match else None


def _amount(value: object) -> tuple[Decimal | None, str | None]:
    """A money amount in CNY above 0, written plainly ("99.00" or 99): (the amount to the fen, None),
    or (None, what is wrong). Never a float: a binary fraction is not an amount of money."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not _PLAIN_DECIMAL.match(text):
        if text.startswith("-") and _PLAIN_DECIMAL.match(text[1:]):
            return None, "must be above 0"
        try:
            finite = Decimal(text).is_finite()
        except InvalidOperation:
            finite = False
        if not finite:
            return None, "is not a number"
        return None, "must be written as digits with at most 2 decimals, e.g. 99.00"
    amount = Decimal(text)
    if amount <= 0:
        return None, "must be above 0"
    if amount.as_tuple().exponent < -2:
        return None, "has more than 2 decimal places"
    if amount > MAX_AMOUNT:
        return None, f"is more than {MAX_AMOUNT}"
    return round_money(amount), None


def _positive_decimal(value: object) -> Decimal | None:
    """A factor above 0 and at most MAX_FACTOR, written plainly ("1.10" or 2), or None."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not _PLAIN_DECIMAL.match(text):
        return None
    number = Decimal(text)
    if not 0 < number <= MAX_FACTOR or number.as_tuple().exponent < -_FACTOR_PLACES:
        return None
    return number


def to_csv(rows: list[dict]) -> str:
    """A stored table's rows as the CSV an operator would upload (to download and edit)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()


def sale_problems(product: dict[str, Any], table: dict[str, Any] | None) -> str | None:
    """Why `table` (the product's current rate table, None if it has none) cannot price the product for
    sale, in a sentence for the operator, or None."""
    if table is None:
        return "it has no published rate table yet"
    problems: list[str] = []
    if table.get("basis") == "table":
        problems += coverage_problems(product, table.get("rows") or [])
    priced = set(table.get("options") or {})
    unpriced = [o["code"] for o in product.get("options") or () if o["code"] not in priced]
    if unpriced:
        problems.append(f"options {', '.join(unpriced)} have no price")
    classes = product.get("occupation_classes")
    if classes:
        factors = (table.get("factors") or {}).get("occupation_class") or {}
        missing = [str(c) for c in range(1, int(classes["max"]) + 1) if str(c) not in factors]
        if missing:
            problems.append(f"occupation classes {', '.join(missing)} have no factor")
    if not problems:
        return None
    shown = "; ".join(problems[:3])
    return shown + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
