"""Actuarial present values for level-premium term life insurance.

Standard life-contingency notation: q_x is the probability that a life aged x dies within a
year, kp_x the probability that a life aged x survives k years, v = 1 / (1 + i).

    A_x:n  = sum_{k=0}^{n-1} v^(k+1) * kp_x * q_(x+k)   term insurance, paid at end of year of death
    ä_x:n  = sum_{k=0}^{n-1} v^k * kp_x                 temporary annuity-due (premiums in advance)
    P      = S * A_x:n / ä_x:n                           net level annual premium

Arithmetic is Decimal with 28 significant digits and nothing is rounded here: rounding to the
fen is the rating engine's job. Present values are cached per (table, age, n, i) because a
quote page asks for the same few ages over and over.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from pathlib import Path

_CONTEXT = Context(prec=28)
_MORTALITY_DIR = Path(__file__).resolve().parent / "mortality"
_TABLE_NAME = re.compile(r"^[a-z0-9_]+$")
_ONE = Decimal(1)


@dataclass(frozen=True, eq=False)
class MortalityTable:
    """One-year death probabilities for one sex, indexed by age from 0.

    Compared and hashed by identity (eq=False) so it can key the present-value cache cheaply;
    tables are loaded once and shared.
    """

    name: str
    qx: tuple[Decimal, ...]

    @property
    def max_age(self) -> int:
        return len(self.qx) - 1

    @classmethod
    def from_rates(cls, name: str, rates: Iterable[object]) -> MortalityTable:
        qx = tuple(Decimal(str(q)) for q in rates)
        if not qx:
            raise ValueError("a mortality table needs at least one age")
        for age, q in enumerate(qx):
            if not Decimal(0) <= q <= _ONE:
                raise ValueError(f"{name}: q at age {age} must be between 0 and 1, got {q}")
        return cls(name=name, qx=qx)


def makeham_qx(age: int, a: float, b: float, c: float) -> float:
    """q_x under the Gompertz-Makeham law mu(x) = A + B * c^x (how the illustrative table was made)."""
    integrated_force = a + b * c**age * (c - 1) / math.log(c)
    return 1 - math.exp(-integrated_force)


def mortality_table(name: str, gender: str) -> MortalityTable:
    """The named table from the mortality folder, for "M" or "F"; loaded once per process."""
    tables = _load_tables(name)
    try:
        return tables[gender]
    except KeyError:
        raise ValueError(f"gender must be M or F, got {gender!r}") from None


@lru_cache(maxsize=8)
def _load_tables(name: str) -> dict[str, MortalityTable]:
    if not _TABLE_NAME.match(name):
        raise ValueError(f"invalid mortality table name {name!r}")
    path = _MORTALITY_DIR / f"{name}.csv"
    if not path.is_file():
        raise ValueError(f"unknown mortality table {name!r}")
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    male: list[str] = []
    female: list[str] = []
    for expected_age, row in enumerate(csv.DictReader(lines)):
        if int(row["age"]) != expected_age:
            raise ValueError(f"{name}: ages must run 0, 1, 2, ... without gaps (row {row['age']})")
        male.append(row["qx_male"])
        female.append(row["qx_female"])
    return {
        "M": MortalityTable.from_rates(f"{name}/male", male),
        "F": MortalityTable.from_rates(f"{name}/female", female),
    }


def net_single_premium(table: MortalityTable, age: int, n: int, i: Decimal) -> Decimal:
    """A_x:n for a unit sum insured."""
    return _present_values(table, age, n, _rate(i))[0]


def annuity_due(table: MortalityTable, age: int, n: int, i: Decimal) -> Decimal:
    """ä_x:n: present value of 1 paid at the start of each year while alive, for n years."""
    return _present_values(table, age, n, _rate(i))[1]


def net_level_premium(
    table: MortalityTable, age: int, n: int, i: Decimal, sum_insured: int | Decimal = 1
) -> Decimal:
    """S * A_x:n / ä_x:n: the net annual premium, paid in advance for n years."""
    unit = _unit_level_premium(table, age, n, _rate(i))
    with localcontext(_CONTEXT):
        return unit * Decimal(sum_insured)


def _rate(i: object) -> Decimal:
    rate = i if isinstance(i, Decimal) else Decimal(str(i))
    if not rate > -1:
        raise ValueError(f"interest rate must be greater than -1, got {rate}")
    return rate


@lru_cache(maxsize=4096)
def _unit_level_premium(table: MortalityTable, age: int, n: int, i: Decimal) -> Decimal:
    assurance, annuity = _present_values(table, age, n, i)
    with localcontext(_CONTEXT):
        return assurance / annuity


@lru_cache(maxsize=4096)
def _present_values(table: MortalityTable, age: int, n: int, i: Decimal) -> tuple[Decimal, Decimal]:
    if n < 1:
        raise ValueError(f"term must be at least 1 year, got {n}")
    if age < 0 or age + n - 1 > table.max_age:
        raise ValueError(f"{table.name} covers ages 0-{table.max_age}; age {age} for {n} years is outside it")
    with localcontext(_CONTEXT):
        v = _ONE / (_ONE + i)
        survival = _ONE  # kp_x
        discount = _ONE  # v^k
        assurance = Decimal(0)
        annuity = Decimal(0)
        for k in range(n):
            q = table.qx[age + k]
            annuity += discount * survival
            assurance += discount * v * survival * q
            survival *= _ONE - q
            discount *= v
        return assurance, annuity
