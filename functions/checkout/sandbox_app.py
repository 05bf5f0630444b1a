"""The sandbox payment provider's API, behind its pay page (storefront_static/pay.html): an intent's
public view and the "customer pays" step, which then posts the signed webhook to checkout.

Its own function, so that the template leaves it (and these routes) out of production. The webhook
URL is read once at cold start from configuration; a function without one does not start.
"""

from __future__ import annotations

from chalice import Chalice

from checkout import payments
from insuremall import errors, web
from insuremall.observability import get_logger

app = Chalice(app_name="insuremall-sandbox-payments")
logger = get_logger("sandbox-payments")
web.install(app, logger)

WEBHOOK_URL = payments.webhook_url_from_configuration()
PUBLIC_FIELDS = ("intent_id", "order_id", "amount_cents", "currency", "status")


@app.route("/sandbox-payments/{intent_id}", methods=["GET"])
def get_sandbox_payment(intent_id):
    intent = payments.sandbox().get_intent(intent_id)
    if intent is None:
        raise errors.NotFound("No such payment")
    return {k: intent[k] for k in PUBLIC_FIELDS}


@app.route("/sandbox-payments/{intent_id}/pay", methods=["POST"])
def pay_sandbox_payment(intent_id):
    body = web.json_object(app.current_request)
    client_secret = body.get("client_secret")
    if not isinstance(client_secret, str) or not client_secret:
        raise errors.Invalid({"client_secret": "is required: the one in the payer's order"})
    return payments.sandbox().pay(intent_id, client_secret, WEBHOOK_URL)
