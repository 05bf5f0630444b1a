"""Policy API: my policies, policy detail, cancellation, documents, endorsements, renewal offers, and
operators' decisions on referred applications. Each route parses, authorises, calls one use case
(policy.wiring builds them) and returns a view (policy.views)."""

from __future__ import annotations

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
    """Renew in one step: an order at the offer's price through the same purchase saga (policy.renewals)."""
    from chalice import Response

    from catalog import api as catalog
    from checkout import api as checkout
    from policy import renewals

    caller = auth.customer(app.current_request)
    form = web.json_object(app.current_request)
    policy = _owned_policy(policy_no, caller)
    renewed = renewals.renew(
        policy,
        form,
        offers=store,
        checkout=checkout,
        catalog=catalog,
        today=_today(),
        window_days=get_settings().renewal_window_days,
    )
    return Response(body=checkout.order_view(renewed.order), status_code=201 if renewed.created else 200)
