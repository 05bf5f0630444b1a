"""Checkout API: quotes, orders and the payment webhook (the sandbox provider's pay API is sandbox_app).
Routes parse, authorise, call one use case and answer its view."""

from __future__ import annotations

import time

from chalice import Chalice, Response

from checkout import incentives, ordering, payment_webhook, quoting, store, views, wiring
from checkout.domain import webhook_signature
from insuremall import auth, errors, web
from insuremall.clock import china_today
from insuremall.config import get_settings
from insuremall.observability import get_logger

app = Chalice(app_name="insuremall-checkout")
logger = get_logger("checkout")


def _signed_by_the_provider(request) -> None:
    """The webhook's security scheme (webhookSignature): an HMAC over the raw body, checked before
    the body is parsed, so an unsigned body answers 401 whatever it holds."""
    try:
        webhook_signature.verify(
            get_settings().payment_webhook_secret.encode(),
            request.raw_body or b"",
            (request.headers or {}).get("x-signature"),
            int(time.time()),
        )
    except webhook_signature.SignatureError as exc:
        logger.warning("webhook rejected", extra={"reason": exc.reason})
        raise errors.Unauthenticated(f"Webhook signature rejected: {exc.reason}") from exc


web.install(app, logger, authenticators={"webhookSignature": _signed_by_the_provider})


def _idempotency_key(request) -> str | None:
    key = (request.headers or {}).get("idempotency-key")
    if key is not None and not (8 <= len(key) <= 64 and key.replace("-", "").replace("_", "").isalnum()):
        raise errors.Malformed("Idempotency-Key must be 8-64 letters, digits, '-' or '_'")
    return key


# ---------- quotes ----------
@app.route("/checkout/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "checkout"}


@app.route("/quotes", methods=["POST"])
def create_quote():
    form = web.json_object(app.current_request)
    now = wiring.now()
    quote = quoting.create_quote(
        form, now=now, today=china_today(), ttl_seconds=wiring.quote_ttl_seconds(), **wiring.quoting()
    )
    return Response(body=views.quote_view(quote, now), status_code=201)


@app.route("/quotes/{quote_id}", methods=["GET"])
def get_quote(quote_id):
    return views.quote_view(quoting.get_quote(quote_id, quotes=store), wiring.now())


@app.route("/quotes/{quote_id}/discounts", methods=["POST"])
def preview_discounts(quote_id):
    """What a coupon and points would take off this quote, and the member's choices."""
    caller = auth.customer(app.current_request)
    form = web.json_object(app.current_request)
    result = quoting.preview_discounts(
        quote_id, caller.subject, form, quotes=store, incentives=incentives, now=wiring.now()
    )
    return views.discounts_view(quote_id, result)


# ---------- orders ----------
def _own_order(order_id: str, caller: auth.Caller):
    order = store.get_order(order_id)
    # Someone else's order is indistinguishable from a missing one.
    if order is None or (order.customer_id != caller.subject and not caller.is_operator):
        raise errors.NotFound("No such order")
    return order


@app.route("/orders", methods=["POST"])
def create_order():
    request = app.current_request
    caller = auth.customer(request)
    form = web.json_object(request)
    key = _idempotency_key(request)
    placed = ordering.place_from_form(
        caller.subject, form, key, quotes=store, now=wiring.now(), **wiring.ordering()
    )
    return Response(body=views.order_view(placed.order), status_code=201 if placed.created else 200)


@app.route("/orders", methods=["GET"])
def list_orders():
    caller = auth.customer(app.current_request)
    return views.orders_view(store.list_orders(caller.subject))


@app.route("/admin/members/{member_id}/orders", methods=["GET"])
def member_orders(member_id):
    """The operator's member page: the member's latest orders and who each sale is attributed to."""
    auth.operator(app.current_request)
    if not views.MEMBER_ID.match(member_id or ""):
        raise errors.NotFound("No such member")
    return views.member_orders(member_id, store.list_orders(member_id, limit=views.ADMIN_MEMBER_ORDERS))


@app.route("/orders/{order_id}", methods=["GET"])
def get_order(order_id):
    caller = auth.customer(app.current_request)
    order = _own_order(order_id, caller)
    # The payment's client secret goes to the payer alone, not to an operator looking at the order.
    return views.order_view(order, for_payer=order.customer_id == caller.subject)


# ---------- payments ----------
@app.route("/payments/webhook", methods=["POST"])
def payment_webhook_route():
    request = app.current_request
    _signed_by_the_provider(request)  # the contract checked it already; cheap, and kept with the route
    event = web.json_object(request)
    outcome = payment_webhook.receive(event, **wiring.payment())
    return views.webhook_answer(outcome, event.get("type"))
