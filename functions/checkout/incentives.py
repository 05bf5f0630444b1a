"""The one seam between checkout and what distribution decides for a sale: an order's discounts (a
member's coupon and points) and its attribution (who the sale is credited to). Every checkout use case
asks here, so that moving the discount rules behind distribution.api changes only this module."""

from __future__ import annotations

from typing import Any

from distribution import api as distribution


def preview(member_id: str, product_id: str, gross_cents: int, form: dict[str, Any]) -> dict[str, Any]:
    """What a coupon and points would take off a quote, and the member's choices."""
    return distribution.quote_discounts(member_id, product_id, gross_cents, form, with_choices=True)


def for_order(member_id: str, product_id: str, gross_cents: int, form: dict[str, Any]) -> dict[str, Any]:
    """The discounts the order form asks for (Invalid names what cannot be applied); an empty form
    asks for none and reads no ledger."""
    return distribution.quote_discounts(member_id, product_id, gross_cents, form)


def priced(premium: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    return distribution.priced(premium, result)


def use(member_id: str, order_id: str, taken: list[dict[str, Any]]) -> None:
    distribution.use_discounts(member_id, order_id, taken)


def give_back(member_id: str, order_id: str, taken: list[dict[str, Any]] | None) -> None:
    distribution.give_back_discounts(member_id, order_id, taken)


def confirm(member_id: str, order_id: str, taken: list[dict[str, Any]] | None) -> None:
    distribution.confirm_discounts(member_id, order_id, taken)


def attribution_for(buyer_id: str, ref: Any = None) -> dict[str, Any]:
    return distribution.attribution_for(buyer_id, ref)
