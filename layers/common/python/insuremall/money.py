"""Money, the one module: amounts are Decimal yuan in CNY, stored and moved as integer fen, and every
rounding is half-up (to the fen, or to a whole fen when a rule works in fen).

The API shows amounts as decimal strings ("169.00"); `fen_to_text` is the one way to write them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "CNY"
CENT = Decimal("0.01")
_WHOLE = Decimal(1)


def round_money(amount: Decimal) -> Decimal:
    """Half-up to the fen: 0.005 -> 0.01."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def half_up(amount: Decimal) -> int:
    """Half-up to a whole number (a fen amount computed as a Decimal, e.g. a share of a premium)."""
    return int(amount.quantize(_WHOLE, rounding=ROUND_HALF_UP))


def to_cents(amount: Decimal) -> int:
    return int(round_money(amount) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def fen_to_text(cents: int) -> str:
    """16900 -> "169.00": the API's and the documents' form of an amount in fen."""
    return format(from_cents(cents), "f")


def percent_of(cents: int, percent: int | Decimal) -> int:
    """`percent`% of an amount in fen, half-up to the fen."""
    return half_up(Decimal(int(cents)) * Decimal(percent) / 100)


def money_text(amount: Decimal) -> str:
    """Decimal yuan -> "169.00" (half-up to the fen)."""
    return format(round_money(amount), "f")
