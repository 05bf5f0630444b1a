"""The purchase funnel's events from checkout's use cases, over in-memory fakes (no AWS): a quote, an order
and a payment each write one event with the sale's dimensions and no personal data, and a retry or a
duplicate delivery writes none more."""

from __future__ import annotations

import dataclasses
import json

import pytest

from checkout import ordering, payment_webhook, quoting
from checkout.domain import funnel
from insuremall import events
from tests.unit import checkout_fakes as fakes

FORM = {"product_id": "accident-guardian", "plan": "standard", "gender": "M", "term": "1Y", "age": 36}


@pytest.fixture
def world():
    return {
        "orders": fakes.Orders(),
        "pricing": fakes.Pricing(),
        "incentives": fakes.Incentives(),
        "saga": fakes.Saga(),
    }


def _placed(world, key="key-12345678"):
    draft = ordering.OrderDraft(
        customer_id="customer-1", quote=fakes.quote(), form=fakes.order_form(), channel="pc"
    )
    return ordering.place(draft, key, request_hash="h1", now=fakes.NOW, **world)


def _no_personal_data(event: events.Event) -> None:
    text = json.dumps(event.payload())
    for secret in (fakes.ID_NUMBER, "Zhang Wei", "13700001111", "customer-1"):
        assert secret not in text


def test_given_a_quote_then_one_quote_given_event_with_the_products_dimensions_and_no_region():
    quotes = fakes.Quotes()

    quote = quoting.create_quote(
        FORM, quotes=quotes, pricing=fakes.Pricing(), now=fakes.NOW, today=fakes.TODAY, ttl_seconds=1800,
        new_id=lambda: "Q7",
    )  # fmt: skip

    (event,) = quotes.events.values()
    assert list(quotes.events) == ["QUOTE#Q7|QuoteGiven"]
    assert isinstance(event, events.QuoteGiven) and event.quote_id == quote.quote_id == "Q7"
    assert (event.product_id, event.insurer_id, event.category_id, event.channel) == (
        "accident-guardian", "ins-1", "accident", "h5",
    )  # fmt: skip
    assert event.region is None and event.livemode and event.at == quote.created_at
    assert event.premium_cents == 16900


def test_given_an_order_then_one_order_placed_event_with_its_region_and_a_replay_writes_none(world):
    placed = _placed(world)
    again = _placed(world)

    assert not again.created
    (event,) = world["orders"].events.values()
    assert list(world["orders"].events) == [f"ORDER#{placed.order.order_id}|OrderPlaced"]
    assert isinstance(event, events.OrderPlaced) and event.order_id == placed.order.order_id
    assert (event.region, event.channel, event.quote_id, event.premium_cents) == ("31", "pc", "Q1", 16900)
    assert event.at == placed.order.created_at and event.livemode
    _no_personal_data(event)


def test_given_a_payment_delivered_twice_then_one_order_paid_event(world):
    placed = _placed(world)
    orders = world["orders"]
    order = dataclasses.replace(placed.order, status="awaiting_payment", payment_intent_id="pi_1")
    orders.orders[order.order_id] = order
    webhook = {
        "type": "payment_intent.succeeded",
        "data": {"order_id": order.order_id, "intent_id": "pi_1", "amount_cents": 16900, "paid_at": "x"},
    }

    first = payment_webhook.receive(webhook, orders=orders, provider=None, saga=world["saga"])
    second = payment_webhook.receive(webhook, orders=orders, provider=None, saga=world["saga"])

    assert (first, second) == ("paid", "duplicate") and world["saga"].resumed == [order.order_id]
    paid = orders.events[f"ORDER#{order.order_id}|OrderPaid"]
    assert isinstance(paid, events.OrderPaid) and (paid.premium_cents, paid.region) == (16900, "31")
    assert sorted(e.type for e in orders.events.values()) == ["OrderPaid", "OrderPlaced"]
    _no_personal_data(paid)


def test_given_a_referral_and_a_decline_then_their_events_carry_the_sales_dimensions(world):
    order = _placed(world).order

    referred = funnel.order_referred(order, "2026-12-01T16:10:00.000+00:00")
    declined = funnel.order_declined(order, "2026-12-01T16:20:00.000+00:00")

    assert (referred.type, declined.type) == ("OrderReferred", "OrderDeclined")
    for event in (referred, declined):
        assert (event.order_id, event.product_id, event.region) == (order.order_id, "accident-guardian", "31")
        assert events.parse(event.type, json.loads(json.dumps(event.payload()))) == event
        _no_personal_data(event)


def test_given_a_partner_test_key_application_then_its_events_say_so():
    application = {"product": fakes.PRODUCT, "channel": "partner_api", "partner_id": "p1", "livemode": False}
    order = {
        "order_id": "O1",
        "quote_id": None,
        "premium_cents": 100,
        "created_at": "2026-12-01T00:00:00+00:00",
    }

    event = funnel.order_placed(order | {"application": application})

    assert (event.partner_id, event.livemode, event.region) == ("p1", False, "XX")
