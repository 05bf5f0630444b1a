"""Payment provider interface and the sandbox provider.

The sandbox behaves like a hosted-checkout provider in test mode: it keeps its own ledger of
intents and refunds, shows a pay page, and tells us about payments through a signed webhook.
Like a card provider's client secret, each intent has a secret that only its payer receives (in
their order view) and that the pay step requires, so knowing an intent id is not enough to pay it.
A real provider (Alipay, WeChat Pay, UnionPay) is another class with the protocol's methods.
The sandbox never runs in production: `provider()` and `sandbox()` refuse the prod stage.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
import uuid
from typing import Any, Protocol
from urllib.parse import urlsplit

from checkout import store
from checkout.domain import webhook_signature
from insuremall.config import ConfigurationError, get_settings
from insuremall.errors import Conflict, Forbidden, NotFound


class PaymentProvider(Protocol):
    def create_intent(self, order_id: str, amount_cents: int, currency: str) -> dict[str, Any]:
        """The order's intent, with the `client_secret` its payer needs to pay it."""
        ...

    def refund(
        self, intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> dict[str, Any]: ...
    def get_intent(self, intent_id: str) -> dict[str, Any] | None: ...
    def cancel(self, intent_id: str) -> bool: ...


class SandboxProvider:
    def create_intent(self, order_id: str, amount_cents: int, currency: str) -> dict[str, Any]:
        """One intent per order: the id derives from the order, so a retried task reuses it (and
        gets the same client secret)."""
        intent_id = f"pi_{order_id}"
        intent = {
            "intent_id": intent_id,
            "order_id": order_id,
            "amount_cents": amount_cents,
            "currency": currency,
            "status": "requires_payment",
            "created_at": store.now_iso(),
            "client_secret": f"{intent_id}_secret_{secrets.token_urlsafe(24)}",
        }
        if not store.put_intent(intent):  # a retried task: the first intent stands
            intent = store.get_intent(intent_id, with_client_secret=True)
        if intent is None or intent["amount_cents"] != amount_cents:
            raise Conflict("Payment intent does not match the order")
        return intent

    def get_intent(self, intent_id: str) -> dict[str, Any] | None:
        return store.get_intent(intent_id)

    def refund(self, intent_id: str, amount_cents: int, idempotency_key: str, reason: str) -> dict[str, Any]:
        return store.record_refund(intent_id, idempotency_key, amount_cents, reason)

    # The sandbox's own "customer pays" step, driven by its pay page.
    def pay(self, intent_id: str, client_secret: str, webhook_url: str) -> dict[str, Any]:
        intent = store.get_intent(intent_id, with_client_secret=True)
        if intent is None:
            raise NotFound("No such payment")
        expected = intent.pop("client_secret") or ""
        # Constant time, so the answer's timing tells nothing about how much of a guess was right.
        if not expected or not hmac.compare_digest(expected.encode(), client_secret.encode()):
            raise Forbidden("This payment's client secret is not the one given to its payer")
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
    # No redirects: the signed event goes to the configured URL and nowhere else.
    response = requests.post(
        url,
        data=body,
        timeout=15,
        allow_redirects=False,
        headers={"Content-Type": "application/json", "X-Signature": header},
    )
    return response.status_code


def webhook_url_from_configuration() -> str:
    """Where the sandbox posts its webhook: the SSM parameter the template names (this API's own
    URL; the local platform writes its own). Never derived from a request, so no client can choose
    where a signed payment event goes. Missing or malformed configuration stops the function."""
    name = get_settings().payment_webhook_url_parameter
    if not name:
        raise ConfigurationError("PAYMENT_WEBHOOK_URL_PARAMETER is not set: the sandbox has no webhook URL")
    from insuremall import aws

    ssm = aws.client("ssm")
    try:
        url = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound as exc:
        raise ConfigurationError(f"SSM parameter {name} (the sandbox's webhook URL) does not exist") from exc
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"SSM parameter {name} is not an http(s) URL")
    return url


_provider: SandboxProvider | None = None


def sandbox() -> SandboxProvider:
    """The sandbox provider; refused in production, where no payment may be simulated."""
    global _provider
    settings = get_settings()
    if settings.is_production:
        raise ConfigurationError("the sandbox payment provider is not allowed in production")
    if _provider is None:
        _provider = SandboxProvider()
    return _provider


def provider() -> PaymentProvider:
    name = get_settings().payment_provider
    if name == "sandbox":
        return sandbox()
    raise ConfigurationError(f"unknown payment provider {name!r}")
