"""Checkout store: the only code that touches CheckoutTable (quotes, orders, idempotency records,
and the sandbox payment provider's ledger). Order status changes are conditional updates.
Quotes and orders come back as checkout.domain.model records; the stored items keep their format.

The funnel's events (checkout.domain.funnel) go to EventsTable in the same transaction as the quote,
the order or the status change they report (an outbox): their key (QUOTE#/ORDER#<id>, type) refuses a
second write, so a retry or a duplicated delivery never writes one twice."""

from __future__ import annotations

import dataclasses
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from checkout.domain.model import Order, PolicyCancellation, Quote
from checkout.domain.model import StatusChange as Change
from insuremall import events
from insuremall.clock import now_iso
from insuremall.errors import Conflict
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.checkout import (
    IdempotencyRecord,
    OrderRecord,
    PaymentIntentRecord,
    QuoteRecord,
    RefundRecord,
    StatusChange,
)
from insuremall.models.events import DomainEventRecord, outbox
from insuremall.sharding import sharded


# ---------- quotes ----------
def put_quote(quote: Quote, event: events.QuoteGiven | None = None) -> None:
    """The quote, and its QuoteGiven event in the same transaction (one request either way)."""
    record = QuoteRecord(
        pk=f"QUOTE#{quote.quote_id}",
        quote_id=quote.quote_id,
        product_id=quote.product_id,
        rate_table_version=quote.rate_table_version,
        inputs=quote.inputs,
        premium_cents=quote.premium_cents,
        premium=quote.premium,
        created_at=quote.created_at,
        valid_until=quote.valid_until,
        expires_at=quote.valid_until + 86400,
    )
    if event is None:
        record.save(condition=QuoteRecord.pk.does_not_exist())
        return
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(record, condition=QuoteRecord.pk.does_not_exist())
        _emit(transaction, event, "QUOTE", quote.quote_id)


def _emit(transaction: TransactWrite, event: events.Event, aggregate: str, aggregate_id: str) -> None:
    transaction.save(outbox(event, aggregate, aggregate_id), condition=DomainEventRecord.pk.does_not_exist())


def status_key(status: str, order_id: str) -> str:
    """The byStatus partition: every order passes each status, so one key per status is sharded."""
    return sharded(f"ORDERSTATUS#{status}", order_id)


def get_quote(quote_id: str) -> Quote | None:
    try:
        record = QuoteRecord.get(f"QUOTE#{quote_id}", "QUOTE")
    except QuoteRecord.DoesNotExist:
        return None
    return Quote(
        quote_id=record.quote_id,
        product_id=record.product_id,
        rate_table_version=int(record.rate_table_version),
        inputs=record.inputs,
        premium_cents=int(record.premium_cents),
        premium=record.premium,
        created_at=record.created_at,
        valid_until=int(record.valid_until),
    )


# ---------- orders ----------
def _order(record: OrderRecord) -> Order:
    cancellation = record.policy_cancellation
    return Order(
        order_id=record.order_id,
        customer_id=record.customer_id,
        status=record.status,
        status_reason=record.status_reason,
        product_id=record.product_id,
        product_name=record.product_name,
        quote_id=record.quote_id,
        premium_cents=int(record.premium_cents),
        currency=record.currency,
        channel=record.channel,
        application=record.application,
        payment_intent_id=record.payment_intent_id,
        payment_task_token=record.payment_task_token,
        payment_client_secret=record.payment_client_secret,
        paid_at=record.paid_at,
        policy_no=record.policy_no,
        refund=record.refund,
        history=tuple(Change(status=h.status, at=h.at, note=h.note) for h in record.history or []),
        created_at=record.created_at,
        updated_at=record.updated_at,
        policy_cancellation=PolicyCancellation(**cancellation) if cancellation else None,
    )


def create_order(
    order: dict[str, Any],
    customer_id: str,
    idempotency_key: str | None,
    request_hash: str,
    idempotency_ttl: int,
    event: events.OrderPlaced | None = None,
) -> tuple[Order, bool]:
    """Write the order (with its idempotency record and its OrderPlaced event) once. Returns (order,
    created); a retry with the same key returns the first order and created=False."""
    created = order["created_at"]
    record = OrderRecord(
        pk=f"ORDER#{order['order_id']}",
        order_id=order["order_id"],
        customer_id=customer_id,
        status="pending_payment",
        product_id=order["product_id"],
        product_name=order["product_name"],
        quote_id=order["quote_id"],
        premium_cents=order["premium_cents"],
        channel=order["channel"],
        application=order["application"],
        history=[StatusChange(status="pending_payment", at=created)],
        created_at=created,
        updated_at=created,
        gsi1pk=f"CUSTOMER#{customer_id}",
        gsi1sk=f"{created}#{order['order_id']}",
        gsi2pk=status_key("pending_payment", order["order_id"]),
        gsi2sk=f"{created}#{order['order_id']}",
    )
    if idempotency_key is None:
        if event is None:
            record.save(condition=OrderRecord.pk.does_not_exist())
        else:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.save(record, condition=OrderRecord.pk.does_not_exist())
                _emit(transaction, event, "ORDER", order["order_id"])
        return _order(record), True
    marker = IdempotencyRecord(
        pk=f"IDEMPOTENCY#{customer_id}#{idempotency_key}",
        request_hash=request_hash,
        order_id=order["order_id"],
        expires_at=idempotency_ttl,
    )
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(marker, condition=IdempotencyRecord.pk.does_not_exist())
            transaction.save(record, condition=OrderRecord.pk.does_not_exist())
            if event is not None:
                _emit(transaction, event, "ORDER", order["order_id"])
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        existing = IdempotencyRecord.get(marker.pk, "IDEMPOTENCY", consistent_read=True)
        if existing.request_hash != request_hash:
            raise Conflict("This Idempotency-Key was already used for a different order") from exc
        return get_order(existing.order_id, consistent=True), False
    return _order(record), True


def order_for_key(customer_id: str, idempotency_key: str, request_hash: str) -> Order | None:
    """The order an earlier request with this Idempotency-Key created, or None; Conflict when the key
    was used for a different order."""
    try:
        marker = IdempotencyRecord.get(
            f"IDEMPOTENCY#{customer_id}#{idempotency_key}", "IDEMPOTENCY", consistent_read=True
        )
    except IdempotencyRecord.DoesNotExist:
        return None
    if marker.request_hash != request_hash:
        raise Conflict("This Idempotency-Key was already used for a different order")
    return get_order(marker.order_id, consistent=True)


def get_order(order_id: str, consistent: bool = False) -> Order | None:
    try:
        return _order(OrderRecord.get(f"ORDER#{order_id}", "ORDER", consistent_read=consistent))
    except OrderRecord.DoesNotExist:
        return None


def list_orders(customer_id: str, limit: int = 50) -> list[Order]:
    records = OrderRecord.by_customer.query(f"CUSTOMER#{customer_id}", scan_index_forward=False, limit=limit)
    return [_order(r) for r in records]


class InvalidTransition(Exception):
    def __init__(self, order: Order | None):
        super().__init__(f"order is {order and order.status}")
        self.order = order


def transition(
    order_id: str,
    to_status: str,
    allowed_from: tuple[str, ...],
    note: str | None = None,
    extra_condition=None,
    *,
    event: tuple[Order, events.Event] | None = None,
    **fields: Any,
) -> tuple[Order, bool]:
    """Move an order to a new status only from the allowed ones (a conditional update).

    Returns (order, changed). Repeating a transition that already happened returns the order with
    changed=False, so retried and duplicated deliveries change nothing twice. `event` (the order as
    read before, the event reporting the change) writes the event in the same transaction: the same one
    request, and the order returned is the one read with the change applied.
    """
    at = now_iso()
    record = OrderRecord(pk=f"ORDER#{order_id}", sk="ORDER")
    actions = [
        OrderRecord.status.set(to_status),
        OrderRecord.updated_at.set(at),
        OrderRecord.gsi2pk.set(status_key(to_status, order_id)),
        OrderRecord.gsi2sk.set(f"{at}#{order_id}"),
        OrderRecord.history.set(
            OrderRecord.history.append([StatusChange(status=to_status, at=at, note=note)])
        ),
    ]
    if note is not None:
        actions.append(OrderRecord.status_reason.set(note))
    for name, value in fields.items():
        actions.append(getattr(OrderRecord, name).set(value))
    condition = OrderRecord.pk.exists() & OrderRecord.status.is_in(*allowed_from)
    if extra_condition is not None:
        condition &= extra_condition
    try:
        if event is None:
            record.update(actions=actions, condition=condition)
        else:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.update(record, actions=actions, condition=condition)
                _emit(transaction, event[1], "ORDER", order_id)
    except (UpdateError, TransactWriteError) as exc:
        if not condition_failed(exc):
            raise
        current = get_order(order_id, consistent=True)
        if current is not None and current.status == to_status:
            return current, False
        raise InvalidTransition(current) from exc
    if event is not None:
        before = event[0]
        return dataclasses.replace(
            before,
            status=to_status,
            updated_at=at,
            status_reason=before.status_reason if note is None else note,
            history=(*before.history, Change(status=to_status, at=at, note=note)),
            **fields,
        ), True
    return _order(record), True  # update() returned the whole new item (ALL_NEW)


def park_payment_token(order_id: str, intent_id: str, client_secret: str, task_token: str) -> Order:
    """Store the state machine's task token and the intent's client secret (shown to the payer only);
    a retried AwaitPayment replaces the token."""
    order, _ = transition(
        order_id,
        "awaiting_payment",
        ("pending_payment", "awaiting_payment"),
        payment_intent_id=intent_id,
        payment_client_secret=client_secret,
        payment_task_token=task_token,
    )
    return order


def mark_paid(
    order_id: str, intent_id: str, paid_at: str, event: tuple[Order, events.OrderPaid] | None = None
) -> tuple[Order, bool]:
    """(order, True) for the one delivery that moved the order to paid; changed=False for duplicates.
    `event`: the order as read and its OrderPaid, written with the change."""
    return transition(
        order_id,
        "paid",
        ("awaiting_payment",),
        extra_condition=OrderRecord.payment_intent_id == intent_id,
        event=event,
        paid_at=paid_at,
    )


def record_policy_cancellation(order_id: str, cancellation: PolicyCancellation) -> bool:
    """Note on the order that its policy was cancelled, and where its refund stands (the caller never
    writes a pending refund over a paid one). False if there is no such order."""
    record = OrderRecord(pk=f"ORDER#{order_id}", sk="ORDER")
    value = {"cancelled_at": cancellation.cancelled_at, "refund": cancellation.refund}
    try:
        record.update(
            actions=[OrderRecord.policy_cancellation.set(value), OrderRecord.updated_at.set(now_iso())],
            condition=OrderRecord.pk.exists(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


# ---------- sandbox payment provider ledger ----------
def put_intent(intent: dict[str, Any]) -> bool:
    try:
        PaymentIntentRecord(pk=f"PAYMENT#{intent['intent_id']}", **intent).save(
            condition=PaymentIntentRecord.pk.does_not_exist()
        )
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def get_intent(intent_id: str, with_client_secret: bool = False) -> dict[str, Any] | None:
    """The intent; its client secret only when asked for (to hand to the payer, or to check one)."""
    try:
        r = PaymentIntentRecord.get(f"PAYMENT#{intent_id}", "INTENT", consistent_read=True)
    except PaymentIntentRecord.DoesNotExist:
        return None
    intent = {
        "intent_id": r.intent_id,
        "order_id": r.order_id,
        "amount_cents": int(r.amount_cents),
        "currency": r.currency,
        "status": r.status,
        "refunded_cents": int(r.refunded_cents),
        "refundable_cents": int(r.refundable_cents),
        "created_at": r.created_at,
        "paid_at": r.paid_at,
    }
    if with_client_secret:
        intent["client_secret"] = r.client_secret
    return intent


def set_intent_status(intent_id: str, to_status: str, from_status: str, **fields: Any) -> bool:
    actions = [PaymentIntentRecord.status.set(to_status)]
    actions += [getattr(PaymentIntentRecord, k).set(v) for k, v in fields.items()]
    try:
        PaymentIntentRecord(pk=f"PAYMENT#{intent_id}", sk="INTENT").update(
            actions=actions, condition=PaymentIntentRecord.status == from_status
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def record_refund(intent_id: str, refund_key: str, amount_cents: int, reason: str) -> dict[str, Any]:
    """Write the refund and raise the intent's refunded total in one transaction, at most once per key
    and never above what was paid."""
    refund = RefundRecord(
        pk=f"PAYMENT#{intent_id}",
        sk=f"REFUND#{refund_key}",
        refund_id=f"re_{refund_key}",
        intent_id=intent_id,
        amount_cents=amount_cents,
        reason=reason,
        created_at=now_iso(),
    )
    intent = PaymentIntentRecord(pk=f"PAYMENT#{intent_id}", sk="INTENT")
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(refund, condition=RefundRecord.pk.does_not_exist())
            transaction.update(
                intent,
                actions=[
                    PaymentIntentRecord.refunded_cents.add(amount_cents),
                    PaymentIntentRecord.refundable_cents.add(-amount_cents),
                    PaymentIntentRecord.status.set("refunded"),
                ],
                condition=PaymentIntentRecord.status.is_in("succeeded", "refunded")
                & (PaymentIntentRecord.refundable_cents >= amount_cents),
            )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
    try:
        existing = RefundRecord.get(refund.pk, refund.sk, consistent_read=True)
    except RefundRecord.DoesNotExist:
        raise Conflict("Refund exceeds what is left to refund on this payment") from None
    return {
        "refund_id": existing.refund_id,
        "amount_cents": int(existing.amount_cents),
        "reason": existing.reason,
        "created_at": existing.created_at,
    }
