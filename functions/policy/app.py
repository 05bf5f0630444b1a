"""Policy API: my policies, policy detail, cancellation, documents, endorsements, renewal offers, and
operators' decisions on referred applications. Each route parses, authorises, calls one use case
(policy.wiring builds them) and returns a view (policy.views)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from chalice import Chalice

from insuremall import auth, errors, web
from insuremall.clock import china_today
from insuremall.config import get_settings
from insuremall.observability import get_logger
from policy import cancellations, store, views, wiring

app = Chalice(app_name="insuremall-policy")
logger = get_logger("policy")
web.install(app, logger)


@app.route("/policy/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "policy"}


@app.route("/policies", methods=["GET"])
def list_policies():
    caller = auth.customer(app.current_request)
    return views.policies(store.list_policies(caller.subject))


@app.route("/policies/{policy_no}", methods=["GET"])
def get_policy(policy_no):
    caller = auth.customer(app.current_request)
    policy = wiring.documents().viewable(policy_no, caller)
    terms = wiring.cancellations().terms(policy)
    return views.detail(policy, wiring.endorsements().history(policy_no), terms)


# ---------- referrals ----------
@app.route("/underwriting/referrals", methods=["GET"])
def list_referrals():
    """Referrals by status: pending (the queue, oldest first), accepted or declined (newest first)."""
    request = app.current_request
    auth.operator(request)
    status = (request.query_params or {}).get("status", "pending")
    return views.referrals(status, wiring.referrals().listed(status))


@app.route("/underwriting/referrals/{order_id}/decision", methods=["POST"])
def decide_referral(order_id):
    request = app.current_request
    operator = auth.operator(request)
    body = web.json_object(request)
    decision = body.get("decision")
    wiring.referrals().decide(order_id, operator, decision, body.get("note", ""))
    return views.referral_decision(order_id, decision)


# ---------- cancellation ----------
@app.route("/policies/{policy_no}/cancellation-quote", methods=["GET"])
def cancellation_quote(policy_no):
    caller = auth.customer(app.current_request)
    use_case = wiring.cancellations()
    return views.cancellation_quote(policy_no, use_case.quote(use_case.policy(policy_no, caller.subject)))


@app.route("/policies/{policy_no}/cancellation", methods=["POST"])
def cancel_policy(policy_no):
    request = app.current_request
    caller = auth.customer(request)
    body = web.json_object(request)
    reason, expected = body.get("reason"), body.get("refund_cents")
    errors.check(cancellations.reason_problems(reason) | cancellations.refund_problems(expected))
    use_case = wiring.cancellations()
    policy = use_case.policy(policy_no, caller.subject)
    return views.cancelled(use_case.cancel(policy, caller, reason, expected, "customer"))


@app.route("/admin/policies/{policy_no}/cancellation", methods=["POST"])
def operator_cancel_policy(policy_no):
    request = app.current_request
    operator = auth.operator(request)
    reason = web.json_object(request).get("reason")
    errors.check(cancellations.reason_problems(reason))
    use_case = wiring.cancellations()
    return views.cancelled(use_case.cancel(use_case.policy(policy_no), operator, reason, None, "operator"))


@app.route("/admin/policies/{policy_no}/cancellation-quote", methods=["GET"])
def operator_cancellation_quote(policy_no):
    """The refund an operator's cancellation would give today (any customer's policy)."""
    auth.operator(app.current_request)
    use_case = wiring.cancellations()
    return views.cancellation_quote(policy_no, use_case.quote(use_case.policy(policy_no)))


# ---------- policy documents ----------
@app.route("/policies/{policy_no}/document", methods=["GET"])
def policy_document_link(policy_no):
    """A 5-minute presigned link to the owner's policy PDF: the current version, or `?version=N` an
    older one, marked superseded by the current version."""
    request = app.current_request
    caller = auth.customer(request)
    documents = wiring.documents()
    policy = documents.viewable(policy_no, caller)
    raw = (request.query_params or {}).get("version")
    if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= 9999):
        raise errors.Invalid({"version": "a document version number, e.g. 1"})
    url, document, current_version = documents.link(policy, int(raw) if raw is not None else None)
    return views.document_link(policy_no, url, document, current_version)


@app.route("/policies/{policy_no}/documents", methods=["GET"])
def policy_document_versions(policy_no):
    """Every version of the owner's policy document, newest first; all but the current superseded."""
    caller = auth.customer(app.current_request)
    documents = wiring.documents()
    versions, current_version = documents.versions(documents.viewable(policy_no, caller))
    return views.document_versions(policy_no, versions, current_version)


@app.route("/verify/{code}", methods=["GET"])
def verify_policy(code):
    """Public: is the policy printed with this code genuine, in force, and is the scanned document its
    current version? No personal data."""
    code = (code or "").strip().upper()
    if not (10 <= len(code) <= 40 and code.isalnum()):
        raise errors.Malformed("A verification code is 20 letters and digits, as printed under the QR code")
    return views.verification(*wiring.documents().verify(code))


# ---------- endorsements ----------
@app.route("/policies/{policy_no}/endorsements", methods=["POST"])
def endorse_policy(policy_no):
    """Change the policyholder's contact details and/or the beneficiaries: a new policy version
    effective today (China time) and a new document version."""
    request = app.current_request
    caller = auth.customer(request)
    done = wiring.endorsements().endorse(policy_no, caller.subject, web.json_object(request))
    return views.endorsed(done.policy_no, done.version, done.record)


# ---------- renewals ----------
@app.route("/renewals", methods=["GET"])
def list_renewals():
    caller = auth.customer(app.current_request)
    listed = wiring.renewal_offers().of(caller.subject)
    return {"renewals": [views.renewal(o.offer, o.order_status, o.health_questions) for o in listed]}


# Used by renew_policy until it moves to policy/renewals.py (another change of issue 14).
def _owned_policy(policy_no: str, caller: auth.Caller):
    return wiring.cancellations().policy(policy_no, caller.subject)


def _today():
    return china_today()


@app.route("/policies/{policy_no}/renewal", methods=["POST"])
def renew_policy(policy_no):
    """Renew in one step: an order at the offer's price through the same purchase saga (pay ->
    underwrite -> issue); the issued policy names the one it renews. One live order per offer."""
    from chalice import Response

    from catalog import store as catalog
    from catalog.domain import rating
    from checkout import discounts, purchase
    from checkout import store as checkout_store
    from checkout.domain.application import build_application
    from insuremall.money import to_cents
    from policy.domain import renewal, renewal_window

    request = app.current_request
    caller = auth.customer(request)
    body = web.json_object(request)
    policy = _owned_policy(policy_no, caller)
    offer = store.get_renewal_offer(policy_no)
    if offer is None:
        raise errors.NotFound(
            f"This policy has no renewal offer yet; offers open {get_settings().renewal_window_days} "
            "days before it ends"
        )
    try:
        renewal.check_renewable(offer, policy, _today())
    except renewal.NotRenewable as exc:
        raise errors.Conflict(exc.reason) from exc

    if offer["order_id"]:
        earlier = checkout_store.get_order(offer["order_id"], consistent=True)
        if earlier is not None and earlier["status"] not in renewal.FINISHED_WITHOUT_POLICY:
            return purchase.order_view(earlier)  # a repeat while the renewal is under way
        # Otherwise it failed, or was claimed but never written (a crash): it is replaced below.

    if body.get("accept_terms") is not True:
        raise errors.Invalid({"accept_terms": "read and accept the policy terms to continue"})
    terms = offer["offer"]
    product = catalog.get_product(terms["product_id"])
    if product is None or product.get("status") != "on_shelf":
        raise errors.Conflict("This product is no longer on sale, so the policy cannot be renewed")
    try:
        rate_table = catalog.get_rate_table(terms["product_id"], int(terms["rate_table_version"]))
        if rate_table is None:
            raise rating.RatingError({"rate_table_version": "is gone"})
        premium = rating.rate(
            product,
            rate_table,
            rating.RatingRequest(**renewal_window.renewal_rating_factors(policy, int(terms["age"]))),
        )
    except rating.RatingError as exc:
        raise errors.Conflict(
            "The product changed since this offer; it cannot be renewed as offered"
        ) from exc
    if premium.to_dict()["total"] != terms["premium"]["total"]:
        raise errors.Conflict("The renewal premium could not be confirmed; contact customer service")

    new_order_id = f"ORD{datetime.now(UTC):%Y%m%d%H%M%S}{uuid.uuid4().hex[:10].upper()}"
    insurer = catalog.get_insurer(product["insurer_id"]) or {}
    application, problems = build_application(
        order_id=new_order_id,
        customer_id=caller.subject,
        product=renewal.product_for_renewal(product),
        insurer=insurer,
        quote=renewal.renewal_quote(policy_no, terms, policy, premium.to_dict(), to_cents(premium.total)),
        body=renewal.renewal_order_form(policy, body.get("health_answers")),
        channel=policy["channel"],
    )
    if problems:
        health = {k: v for k, v in problems.items() if k.startswith("health_answers")}
        if health:
            raise errors.Invalid(health)
        logger.warning(
            "renewal application invalid", extra={"policy_no": policy_no, "fields": sorted(problems)}
        )
        raise errors.Conflict("The policy's details no longer pass the order rules; contact customer service")
    # The same premium shape as a first sale (gross, payable, discounts), by the same code; a
    # renewal takes no coupon or points, so what is paid is the rated premium.
    priced = discounts.derive(caller.subject, product["product_id"], application["premium_cents"], {})
    application["premium"] = discounts.priced(application["premium"], priced)
    application["premium_cents"] = priced["payable_cents"]
    application["renewal_of"] = policy_no
    # A renewal pays the original sale's promoters (at the renewal rates): keep its attribution snapshot.
    first_sale = checkout_store.get_order(policy["order_id"]) or {}
    attribution = first_sale.get("application", {}).get("attribution")
    if attribution:
        application["attribution"] = attribution
    if not store.claim_renewal_order(policy_no, new_order_id, replacing=offer["order_id"]):
        latest = store.get_renewal_offer(policy_no) or {}
        won = latest.get("order_id") and checkout_store.get_order(latest["order_id"], consistent=True)
        if won:
            return purchase.order_view(won)  # a concurrent request started it
        raise errors.Conflict("This renewal changed meanwhile; reload and try again")
    order, _ = checkout_store.create_order(
        {
            "order_id": new_order_id,
            "product_id": product["product_id"],
            "product_name": product["name"],
            "quote_id": f"RENEWAL-{policy_no}",
            "premium_cents": application["premium_cents"],
            "channel": policy["channel"],
            "application": application,
            "created_at": checkout_store.now_iso(),
        },
        caller.subject,
        None,
        "",
        0,
    )
    purchase.start(order)
    logger.info("renewal order started", extra={"policy_no": policy_no, "order_id": new_order_id})
    return Response(body=purchase.order_view(order), status_code=201)
