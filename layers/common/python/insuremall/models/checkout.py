"""CheckoutTable: quotes, orders, idempotency records and the sandbox payment provider's ledger.

Keys: QUOTE#<id>/QUOTE, ORDER#<id>/ORDER, IDEMPOTENCY#<customer>#<key>/IDEMPOTENCY,
PAYMENT#<intent>/INTENT, PAYMENT#<intent>/REFUND#<key>.
GSI byCustomer: gsi1pk=CUSTOMER#<sub>, gsi1sk=<created_at>#<order_id> (my orders, newest first).
GSI byStatus: gsi2pk=ORDERSTATUS#<status>#<shard>, gsi2sk=<updated_at>#<order_id> (operators, sweeps).
TTL on expires_at removes stale quotes and idempotency records.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from insuremall.models import meta


class ByCustomer(GlobalSecondaryIndex):
    class Meta:
        index_name = "byCustomer"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex):
    class Meta:
        index_name = "byStatus"
        projection = KeysOnlyProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class QuoteRecord(Model):
    Meta = meta("checkout_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="QUOTE")
    quote_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    rate_table_version = NumberAttribute()
    inputs = JSONAttribute()
    premium_cents = NumberAttribute()
    premium = JSONAttribute()
    created_at = UnicodeAttribute()
    valid_until = NumberAttribute()
    expires_at = NumberAttribute()  # TTL, a day after valid_until


class StatusChange(MapAttribute):
    status = UnicodeAttribute()
    at = UnicodeAttribute()
    note = UnicodeAttribute(null=True)


class OrderRecord(Model):
    Meta = meta("checkout_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="ORDER")
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()
    status_reason = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute()
    product_name = UnicodeAttribute()
    quote_id = UnicodeAttribute()
    premium_cents = NumberAttribute()
    currency = UnicodeAttribute(default="CNY")
    channel = UnicodeAttribute()
    application = JSONAttribute()
    payment_intent_id = UnicodeAttribute(null=True)
    payment_task_token = UnicodeAttribute(null=True)
    payment_client_secret = UnicodeAttribute(null=True)  # the payer's key to the provider's pay page
    paid_at = UnicodeAttribute(null=True)
    policy_no = UnicodeAttribute(null=True)
    refund = JSONAttribute(null=True)
    # After issue: the policy's cancellation and refund, as policy told checkout (checkout.api).
    policy_cancellation = JSONAttribute(null=True)
    history = ListAttribute(of=StatusChange, default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()

    by_customer = ByCustomer()
    by_status = ByStatus()


class IdempotencyRecord(Model):
    Meta = meta("checkout_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="IDEMPOTENCY")
    request_hash = UnicodeAttribute()
    order_id = UnicodeAttribute()
    expires_at = NumberAttribute()


class PaymentIntentRecord(Model):
    Meta = meta("checkout_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="INTENT")
    intent_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()  # requires_payment | succeeded | refunded | canceled
    refunded_cents = NumberAttribute(default=0)
    refundable_cents = NumberAttribute(default=0)  # set to the amount when paid; refunds draw it down
    created_at = UnicodeAttribute()
    paid_at = UnicodeAttribute(null=True)
    client_secret = UnicodeAttribute(null=True)  # only its payer can pay it (the sandbox's own state)


class RefundRecord(Model):
    Meta = meta("checkout_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    refund_id = UnicodeAttribute()
    intent_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    reason = UnicodeAttribute()
    created_at = UnicodeAttribute()
