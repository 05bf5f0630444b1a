"""Payment provider interface and the sandbox provider.

The sandbox behaves like a hosted-checkout provider in test mode: it keeps its own ledger of
intents and refunds, shows a pay page, and tells us about payments through a signed webhook.
A real provider (Alipay, WeChat Pay, UnionPay) is another class with the same three methods.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Protocol

from checkout import store
from checkout.domain import webhook_signature
from insuremall.config import get_settings
from insuremall.errors import Conflict, NotFound


class PaymentProvider(Protocol):
    def create_intent(self, order_id: str, amount_cents: int, currency: str) -> dict[str, Any]: ...
    def refund(
        self, intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> dict[str, Any]: ...
    def get_intent(self, intent_id: str) -> dict[str, Any] | None: ...


class SandboxProvider:
    def create_intent(self, order_id: str, amount_cents: int, currency: str) -> dict[str, Any]:
        """One intent per order: the id derives from the order, so a retried task reuses it."""
        intent_id = f"pi_{order_id}"
        intent = {
            "intent_id": intent_id,
            "order_id": order_id,
            "amount_cents": amount_cents,
            "currency": currency,
            "status": "requires_payment",
            "created_at": store.now_iso(),
        }
        if not store.put_intent(intent):  # a retried task: the first intent stands
            intent = store.get_intent(intent_id)
        if intent is None or intent["amount_cents"] != amount_cents:
            raise Conflict("Payment intent does not match the order")
        return intent

    def get_intent(self, intent_id: str) -> dict[str, Any] | None:
        return store.get_intent(intent_id)

    def refund(self, intent_id: str, amount_cents: int, idempotency_key: str, reason: str) -> dict[str, Any]:
        return store.record_refund(intent_id, idempotency_key, amount_cents, reason)

    # The sandbox's own "customer pays" step, driven by its pay page.
    def pay(self, intent_id: str, webhook_url: str) -> dict[str, Any]:
        intent = store.get_intent(intent_id)
        if intent is None:
            raise NotFound("No such payment")
        paid_at = store.now_iso()
        if not store.set_intent_status(
            intent_id,
            "succeeded",
            "requires_payment",
            paid_at=paid_at,
            refundable_cents=intent["amount_cents"],
        ):
            intent = store.get_intent(intent_id)
            if intent and intent["status"] == "canceled":
                raise Conflict("This payment was cancelled because the order expired")
            if intent is None or intent["status"] != "succeeded":
                raise Conflict(f"This payment is {intent and intent['status']}")
            paid_at = intent["paid_at"]
        event = {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {
                "intent_id": intent_id,
                "order_id": intent["order_id"],
                "amount_cents": intent["amount_cents"],
                "currency": intent["currency"],
                "paid_at": paid_at,
            },
        }
        delivered = deliver_webhook(webhook_url, event)
        return {"intent_id": intent_id, "status": "succeeded", "webhook_status": delivered}

    def cancel(self, intent_id: str) -> bool:
        return store.set_intent_status(intent_id, "canceled", "requires_payment")


def deliver_webhook(url: str, event: dict[str, Any]) -> int:
    import requests

    body = json.dumps(event, separators=(",", ":")).encode()
    header = webhook_signature.sign(get_settings().payment_webhook_secret.encode(), body, int(time.time()))
    response = requests.post(
        url, data=body, timeout=15, headers={"Content-Type": "application/json", "X-Signature": header}
    )
    return response.status_code


_provider: SandboxProvider | None = None


def provider() -> SandboxProvider:
    global _provider
    if _provider is None:
        if get_settings().payment_provider != "sandbox":
            raise RuntimeError(f"unknown payment provider {get_settings().payment_provider!r}")
        _provider = SandboxProvider()
    return _provider
