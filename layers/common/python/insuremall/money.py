"""Money: Decimal amounts in CNY, rounded half-up to the fen; stored as integer fen."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "CNY"
CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    return int(round_money(amount) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(value: object) -> Decimal:
    """Parse a client-supplied amount; raises ValueError on anything that is not a plain number."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError('must be a decimal number written as a string, e.g. "120.50"')
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("must be a decimal number") from exc
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    return amount


def format_money(amount: Decimal) -> str:
    return str(round_money(amount))
