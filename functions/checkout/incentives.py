"""The one seam between checkout and what distribution decides for a sale: an order's discounts (a
member's coupon and points) and its attribution (who the sale is credited to). Every checkout use case
asks here, so that moving the discount rules behind distribution.api changes only this module."""

from __future__ import annotations

from typing import Any

from checkout import discounts
from distribution import attribution


def preview(member_id: str, product_id: str, gross_cents: int, form: dict[str, Any]) -> dict[str, Any]:
    """What a coupon and points would take off a quote, and the member's choices."""
    return discounts.derive(member_id, product_id, gross_cents, form, with_choices=True)


def for_order(member_id: str, product_id: str, gross_cents: int, form: dict[str, Any]) -> dict[str, Any]:
    """The discounts the order form asks for (Invalid names what cannot be applied); an empty form
    asks for none and reads no ledger."""
    return discounts.derive(member_id, product_id, gross_cents, form)


def priced(premium: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    return discounts.priced(premium, result)


def use(member_id: str, order_id: str, taken: list[dict[str, Any]]) -> None:
    discounts.apply(member_id, order_id, taken)


def give_back(member_id: str, order_id: str, taken: list[dict[str, Any]] | None) -> None:
    discounts.give_back(member_id, order_id, taken)


def confirm(member_id: str, order_id: str, taken: list[dict[str, Any]] | None) -> None:
    discounts.confirm(member_id, order_id, taken)


def attribution_for(buyer_id: str, ref: Any = None) -> dict[str, Any]:
    return attribution.attribution_for(buyer_id, ref)
