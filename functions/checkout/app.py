"""Checkout API: quotes, orders and the payment webhook (the sandbox provider's pay API is sandbox_app)."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from chalice import Chalice, Response

from catalog import store as catalog
from catalog.domain import rating
from checkout import payments, purchase, store
from checkout.domain import webhook_signature
from checkout.domain.application import build_application
from distribution import api as distribution
from insuremall import auth, aws, errors, identity, web
from insuremall.clock import CHINA
from insuremall.config import get_settings
from insuremall.money import to_cents
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

CHANNELS = {"h5", "pc", "partner_api"}
IDEMPOTENCY_TTL_SECONDS = 24 * 3600


def _today_in_china() -> date:
    return datetime.now(CHINA).date()


# ---------- quotes ----------
@app.route("/checkout/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "checkout"}


def _quote_view(quote: dict) -> dict:
    now = int(time.time())
    return {
        "quote_id": quote["quote_id"],
        "product_id": quote["product_id"],
        "rate_table_version": quote["rate_table_version"],
        "inputs": quote["inputs"],
        "premium": quote["premium"],
        "valid_until": datetime.fromtimestamp(quote["valid_until"], UTC).isoformat(),
        "expired": now >= quote["valid_until"],
    }


@app.route("/quotes", methods=["POST"])
def create_quote():
    body = web.json_object(app.current_request)
    product_id = body.get("product_id")
    if not isinstance(product_id, str) or not product_id:
        raise errors.Invalid({"product_id": "is required"})
    product = catalog.get_product(product_id)
    if product is None or product.get("status") != "on_shelf":
        raise errors.NotFound("This product is not on sale")

    problems: dict[str, str] = {}
    today = _today_in_china()
    start = today + timedelta(days=1)
    if "start_date" in body:
        try:
            start = date.fromisoformat(str(body["start_date"]))
        except ValueError:
            problems["start_date"] = "use the form YYYY-MM-DD"
        else:
            if not today < start <= today + timedelta(days=90):
                problems["start_date"] = "cover can start from tomorrow up to 90 days ahead"
    factors = dict(body)
    if "birth_date" in body and "age" not in body:
        try:
            birth = date.fromisoformat(str(body["birth_date"]))
            if birth > today:
                raise ValueError
            factors["age"] = identity.age_at(birth, start)
        except ValueError:
            problems["birth_date"] = "use a past date in the form YYYY-MM-DD"
    try:
        request = rating.parse_rating_request(product, factors)
    except rating.RatingError as exc:
        problems = {**exc.errors, **problems}
    if problems:
        raise errors.Invalid(problems)

    version = int(product["rate_table_version"])
    rate_table = catalog.get_rate_table(product_id, version)
    if rate_table is None:
        raise errors.Conflict("This product has no published rates yet")
    try:
        premium = rating.rate(product, rate_table, request)
    except rating.RatingError as exc:
        raise errors.Invalid(exc.errors) from exc
    now = int(time.time())
    quote = {
        "quote_id": f"Q{uuid.uuid4().hex[:20].upper()}",
        "product_id": product_id,
        "rate_table_version": version,
        "inputs": {
            "plan": request.plan,
            "age": request.age,
            "gender": request.gender,
            "term": request.term,
            "options": list(request.options),
            "occupation_class": request.occupation_class,
            "start_date": start.isoformat(),
        },
        "premium_cents": to_cents(premium.total),
        "premium": premium.to_dict(),
        "created_at": store.now_iso(),
        "valid_until": now + get_settings().quote_ttl_seconds,
    }
    store.put_quote(quote)
    return Response(body=_quote_view(quote), status_code=201)


@app.route("/quotes/{quote_id}", methods=["GET"])
def get_quote(quote_id):
    quote = store.get_quote(quote_id)
    if quote is None:
        raise errors.NotFound("No such quote")
    return _quote_view(quote)


@app.route("/quotes/{quote_id}/discounts", methods=["POST"])
def preview_discounts(quote_id):
    """What a coupon and points would take off this quote, and the member's choices."""
    caller = auth.customer(app.current_request)
    body = web.json_object(app.current_request)
    quote = store.get_quote(quote_id)
    if quote is None:
        raise errors.NotFound("No such quote")
    if time.time() >= quote["valid_until"]:
        raise errors.Conflict("This quote has expired; get a new quote", {"quote_id": "expired"})
    result = distribution.quote_discounts(
        caller.subject, quote["product_id"], quote["premium_cents"], body, with_choices=True
    )
    return {"quote_id": quote_id, **result}


# ---------- orders ----------
def _own_order(order_id: str, caller: auth.Caller) -> dict:
    order = store.get_order(order_id)
    # Someone else's order is indistinguishable from a missing one.
    if order is None or (order["customer_id"] != caller.subject and not caller.is_operator):
        raise errors.NotFound("No such order")
    return order


@app.route("/orders", methods=["POST"])
def create_order():
    request = app.current_request
    caller = auth.customer(request)
    body = web.json_object(request)
    key = (request.headers or {}).get("idempotency-key")
    if key is not None and not (8 <= len(key) <= 64 and key.replace("-", "").replace("_", "").isalnum()):
        raise errors.Malformed("Idempotency-Key must be 8-64 letters, digits, '-' or '_'")
    request_hash = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    if key is not None:
        # A retry answers with the first order, which holds its discounts (its coupon is used by it).
        replay = store.order_for_key(caller.subject, key, request_hash)
        if replay is not None:
            purchase.start(replay)
            return Response(body=purchase.order_view(replay), status_code=200)

    quote_id = body.get("quote_id")
    if not isinstance(quote_id, str) or not quote_id:
        raise errors.Invalid({"quote_id": "is required"})
    quote = store.get_quote(quote_id)
    if quote is None:
        raise errors.Invalid({"quote_id": "no such quote"})
    if time.time() >= quote["valid_until"]:
        raise errors.Conflict("This quote has expired; get a new quote", {"quote_id": "expired"})
    channel = body.get("channel", "h5")
    if channel not in CHANNELS:
        raise errors.Invalid({"channel": f"must be one of {sorted(CHANNELS)}"})
    product = catalog.get_product(quote["product_id"])
    if product is None or product.get("status") != "on_shelf":
        raise errors.Conflict("This product is no longer on sale")

    # Never trust a stored or client price: re-rate the quote's inputs on the quote's rate table.
    rate_table = catalog.get_rate_table(quote["product_id"], quote["rate_table_version"])
    inputs = quote["inputs"]
    request = rating.RatingRequest(
        plan=inputs["plan"],
        age=inputs["age"],
        gender=inputs["gender"],
        term=inputs["term"],
        options=tuple(inputs["options"]),
        occupation_class=inputs["occupation_class"],
    )
    try:
        if rate_table is None:
            raise rating.RatingError({"quote_id": "its rate table is gone"})
        premium = rating.rate(product, rate_table, request)
    except rating.RatingError as exc:
        # The product changed since the quote (e.g. a plan was withdrawn): the quote cannot be honoured.
        raise errors.Conflict("This quote no longer matches the product; get a new quote") from exc
    if to_cents(premium.total) != quote["premium_cents"]:
        logger.error("quote premium mismatch", extra={"quote_id": quote_id})
        raise errors.Conflict("The premium for this quote could not be confirmed; get a new quote")

    order_id = f"ORD{datetime.now(UTC):%Y%m%d%H%M%S}{uuid.uuid4().hex[:10].upper()}"
    insurer = catalog.get_insurer(product["insurer_id"]) or {}
    application, problems = build_application(
        order_id=order_id,
        customer_id=caller.subject,
        product=product,
        insurer=insurer,
        quote=quote,
        body=body,
        channel=channel,
    )
    if problems:
        raise errors.Invalid(problems)
    # Discounts are derived here from the gross premium; the client only names a coupon and points.
    discount = distribution.quote_discounts(
        caller.subject, product["product_id"], quote["premium_cents"], body
    )
    application["premium"] = distribution.priced(application["premium"], discount)
    application["premium_cents"] = discount["payable_cents"]  # charged, and what the policy records
    # Snapshot who the sale is attributed to now; later changes to the referral tree never move it.
    application["attribution"] = distribution.attribution_for(caller.subject, body.get("ref"))
    order = {
        "order_id": order_id,
        "product_id": product["product_id"],
        "product_name": product["name"],
        "quote_id": quote_id,
        "premium_cents": application["premium_cents"],
        "channel": channel,
        "application": application,
        "created_at": store.now_iso(),
    }
    # The coupon is used and the points reserved before the order exists, and given back if it is not
    # written (or a concurrent retry wrote the first order, which holds its own).
    distribution.use_discounts(caller.subject, order_id, discount["discounts"])
    try:
        stored, created = store.create_order(
            order, caller.subject, key, request_hash, int(time.time()) + IDEMPOTENCY_TTL_SECONDS
        )
    except Exception:
        distribution.give_back_discounts(caller.subject, order_id, discount["discounts"])
        raise
    if not created:
        distribution.give_back_discounts(caller.subject, order_id, discount["discounts"])
    purchase.start(stored)
    return Response(body=purchase.order_view(stored), status_code=201 if created else 200)


@app.route("/orders", methods=["GET"])
def list_orders():
    caller = auth.customer(app.current_request)
    orders = store.list_orders(caller.subject)
    # An issued order shows where its policy stands now (cancelled, refunded): one batch read for the page.
    issued = [o["policy_no"] for o in orders if o["status"] == "issued" and o.get("policy_no")]
    outcomes = {}
    if issued:
        from policy.api import policy_outcomes

        outcomes = policy_outcomes(issued)
    return {
        "orders": [
            {
                k: v
                for k, v in purchase.order_view(o, outcomes.get(o.get("policy_no"))).items()
                if k not in ("policyholder", "insured", "beneficiaries", "history")
            }
            for o in orders
        ]
    }


ADMIN_MEMBER_ORDERS = 20
MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@app.route("/admin/members/{member_id}/orders", methods=["GET"])
def member_orders(member_id):
    """The operator's member page: the member's latest orders and who each sale is attributed to."""
    auth.operator(app.current_request)
    if not MEMBER_ID.match(member_id or ""):
        raise errors.NotFound("No such member")
    fields = ("order_id", "product_id", "product_name", "status", "premium_cents", "channel", "policy_no")
    return {
        "member_id": member_id,
        "orders": [
            {k: o[k] for k in (*fields, "created_at")}
            | {"attribution": (o["application"] or {}).get("attribution")}
            for o in store.list_orders(member_id, limit=ADMIN_MEMBER_ORDERS)
        ],
    }


@app.route("/orders/{order_id}", methods=["GET"])
def get_order(order_id):
    caller = auth.customer(app.current_request)
    order = _own_order(order_id, caller)
    # The payment's client secret goes to the payer alone, not to an operator looking at the order.
    return purchase.order_view(
        order, purchase.policy_outcome(order), for_payer=order["customer_id"] == caller.subject
    )


# ---------- payments ----------
@app.route("/payments/webhook", methods=["POST"])
def payment_webhook():
    request = app.current_request
    _signed_by_the_provider(request)  # the contract checked it already; cheap, and kept with the route
    event = web.json_object(request)
    if event.get("type") != "payment_intent.succeeded":
        return {"received": True, "ignored": event.get("type")}
    data = event.get("data") or {}
    order = store.get_order(str(data.get("order_id")), consistent=True)
    if order is None:
        raise errors.NotFound("No such order")
    if (
        data.get("intent_id") != order["payment_intent_id"]
        or data.get("amount_cents") != order["premium_cents"]
    ):
        raise errors.Invalid({"data": "payment does not match the order"})
    try:
        order, changed = store.mark_paid(order["order_id"], data["intent_id"], str(data.get("paid_at")))
    except store.InvalidTransition as exc:
        current = exc.order or {}
        if current.get("status") == "cancelled":
            _refund_late_payment(current)
            return {"received": True, "outcome": "refunded: the order had expired"}
        return {"received": True, "duplicate": True}
    if changed:
        _resume_purchase(order, data)
    return {"received": True, "duplicate": not changed}


def _resume_purchase(order: dict, data: dict) -> None:
    client = aws.client("stepfunctions")
    try:
        client.send_task_success(
            taskToken=order["payment_task_token"],
            output=json.dumps(
                {
                    "intent_id": data["intent_id"],
                    "amount_cents": data["amount_cents"],
                    "paid_at": data.get("paid_at"),
                }
            ),
        )
    except (
        client.exceptions.TaskTimedOut,
        client.exceptions.InvalidToken,
        client.exceptions.TaskDoesNotExist,
    ):
        # The wait already ended (timed out); CancelUnpaidOrder sees the payment and refunds it.
        logger.warning("payment arrived after the wait ended", extra={"order_id": order["order_id"]})


def _refund_late_payment(order: dict) -> None:
    if order.get("refund"):
        return
    refund = payments.provider().refund(
        order["payment_intent_id"],
        order["premium_cents"],
        f"{order['order_id']}-late",
        "payment arrived after the order expired",
    )
    store.transition(
        order["order_id"],
        "cancelled",
        ("cancelled",),
        note="Payment arrived after the order expired and was refunded",
        refund=refund,
    )
