"""checkout.ordering.place, the one way an order is placed, over in-memory fakes (no AWS)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checkout import ordering
from insuremall import errors
from tests.unit import checkout_fakes as fakes


@pytest.fixture
def world():
    return {
        "orders": fakes.Orders(),
        "pricing": fakes.Pricing(),
        "incentives": fakes.Incentives(),
        "saga": fakes.Saga(),
    }


def _draft(**changes) -> ordering.OrderDraft:
    fields = {
        "customer_id": "customer-1",
        "quote": fakes.quote(),
        "form": fakes.order_form(),
        "channel": "h5",
    }
    return ordering.OrderDraft(**(fields | changes))


def test_given_a_quote_whose_rates_now_give_another_premium_when_placing_then_conflict_and_nothing_used(
    world,
):
    world["pricing"].prices = {3: Decimal("170.00")}

    with pytest.raises(errors.Conflict, match="could not be confirmed"):
        ordering.place(_draft(), now=fakes.NOW, **world)

    assert world["pricing"].repriced == [3]  # on the quote's own rate-table version
    assert world["incentives"].used == [] and world["orders"].orders == {} and world["saga"].started == []


def test_given_a_quote_whose_rate_table_is_gone_when_placing_then_conflict_in_the_sellers_words(world):
    draft = _draft(quote=fakes.quote(version=2), wording=ordering.Wording(changed="Renewal changed"))

    with pytest.raises(errors.Conflict, match="Renewal changed"):
        ordering.place(draft, now=fakes.NOW, **world)


def test_given_an_expired_quote_when_placing_then_conflict(world):
    with pytest.raises(errors.Conflict, match="expired"):
        ordering.place(_draft(quote=fakes.quote(valid_until=fakes.NOW - 1)), now=fakes.NOW, **world)


def test_given_an_order_when_placed_then_discounts_used_attribution_snapshotted_and_saga_started(world):
    draft = _draft(form=fakes.order_form(coupon_claim_id="C1", ref="INVITE1"))

    placed = ordering.place(draft, "key-12345678", request_hash="h1", now=fakes.NOW, **world)

    order = placed.order
    assert placed.created and order.status == "pending_payment"
    assert order.premium_cents == 15900 == order.application["premium_cents"]
    assert order.application["attribution"]["source"] == "link"
    assert world["incentives"].used == [(order.order_id, order.discounts)]
    assert world["saga"].started == [order.order_id]


def test_given_the_same_idempotency_key_when_placed_again_then_the_same_order_and_nothing_used_twice(world):
    draft = _draft(form=fakes.order_form(coupon_claim_id="C1"))
    first = ordering.place(draft, "key-12345678", request_hash="h1", now=fakes.NOW, **world)

    again = ordering.place(draft, "key-12345678", request_hash="h1", now=fakes.NOW, **world)

    assert (again.order, again.created) == (first.order, False)
    assert len(world["incentives"].used) == 1 and world["orders"].orders.keys() == {first.order.order_id}
    assert world["saga"].started == [first.order.order_id] * 2  # a repeat start is harmless


def test_given_the_same_key_for_another_order_when_placed_then_conflict(world):
    ordering.place(_draft(), "key-12345678", request_hash="h1", now=fakes.NOW, **world)

    with pytest.raises(errors.Conflict, match="Idempotency-Key"):
        ordering.place(_draft(), "key-12345678", request_hash="h2", now=fakes.NOW, **world)


def test_given_a_renewal_draft_when_placed_then_it_takes_no_discounts_and_keeps_its_attribution(world):
    first_sale = {"level1": "promoter-1", "level2": None, "source": "bound"}
    draft = _draft(
        quote=fakes.quote(valid_until=None),
        form=fakes.order_form(coupon_claim_id="C1", ref="OTHER"),
        attribution=first_sale,
        renewal_of="P100",
        discounts_allowed=False,
    )

    placed = ordering.place(draft, order_id="ORDRENEWAL1", now=fakes.NOW, **world)

    order = placed.order
    assert order.order_id == "ORDRENEWAL1" and order.premium_cents == 16900
    assert world["incentives"].asked == [{}] and order.discounts == []
    assert order.application["renewal_of"] == "P100" and order.application["attribution"] == first_sale


def test_given_an_invalid_form_when_placing_then_invalid_names_the_fields_and_nothing_is_written(world):
    draft = _draft(form=fakes.order_form(accept_terms=False, health_answers={}))

    with pytest.raises(errors.Invalid) as raised:
        ordering.place(draft, now=fakes.NOW, **world)

    assert {"accept_terms", "health_answers.hospital"} <= raised.value.fields.keys()
    assert world["orders"].orders == {} and world["incentives"].used == []
    ordering.check(_draft(), pricing=world["pricing"], now=fakes.NOW)  # a valid draft passes the check


def test_given_a_lost_write_when_placing_then_the_discounts_are_given_back(world):
    def broken(*args, **kwargs):
        raise RuntimeError("table unavailable")

    world["orders"].create_order = broken
    draft = _draft(form=fakes.order_form(coupon_claim_id="C1"))

    with pytest.raises(RuntimeError):
        ordering.place(draft, now=fakes.NOW, **world)

    assert [taken for _, taken in world["incentives"].given_back] == [
        [d for _, d in world["incentives"].used][0]
    ]


def test_given_a_draft_when_it_crosses_to_checkouts_function_then_it_comes_back_the_same():
    draft = _draft(attribution={}, renewal_of="P1", discounts_allowed=False)

    assert ordering.OrderDraft.from_dict(draft.as_dict()) == draft


def test_given_a_storefront_form_with_a_key_already_used_when_ordering_then_the_first_order_even_after_expiry(
    world,
):
    quotes = fakes.Quotes()
    quotes.put_quote(fakes.quote())
    first = ordering.place_from_form(
        "customer-1", fakes.order_form(), "key-12345678", quotes=quotes, now=fakes.NOW, **world
    )

    later = fakes.NOW + 3600  # the quote has expired since
    again = ordering.place_from_form(
        "customer-1", fakes.order_form(), "key-12345678", quotes=quotes, now=later, **world
    )

    assert (again.order.order_id, again.created) == (first.order.order_id, False)
    with pytest.raises(errors.Conflict, match="expired"):
        ordering.place_from_form("customer-1", fakes.order_form(), None, quotes=quotes, now=later, **world)
