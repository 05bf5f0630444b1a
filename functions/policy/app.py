"""Policy API: my policies, policy detail, and operators' decisions on referred applications."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

from chalice import Chalice

from insuremall import audit, auth, aws, errors, web
from insuremall.clock import CHINA, now_iso
from insuremall.config import get_settings
from insuremall.observability import get_logger
from insuremall.privacy import masked_party
from policy import refunds, store
from policy.domain import cancellation, endorsement

app = Chalice(app_name="insuremall-policy")
logger = get_logger("policy")
web.install(app, logger)


def _summary(policy: dict) -> dict:
    snapshot = policy["product_snapshot"]
    return {
        "policy_no": policy["policy_no"],
        "status": policy["status"],
        "product_id": policy["product_id"],
        "product_name": snapshot["name"],
        "insurer_name": snapshot["insurer_name"],
        "plan": snapshot["plan"]["name"],
        "sum_insured": policy["sum_insured"],
        "premium": policy["premium"]["total"],
        "currency": policy["premium"].get("currency", "CNY"),
        "start_date": policy["start_date"],
        "end_date": policy["end_date"],
        "issued_at": policy["issued_at"],
        "insured": [p["name"] for p in policy["parties"]["insured"]],
        "renewal_of": policy.get("renewal_of"),
        "renewed_by": policy.get("renewed_by"),
    }


@app.route("/policy/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "policy"}


@app.route("/policies", methods=["GET"])
def list_policies():
    caller = auth.customer(app.current_request)
    return {"policies": [_summary(p) for p in store.list_policies(caller.subject)]}


@app.route("/policies/{policy_no}", methods=["GET"])
def get_policy(policy_no):
    caller = auth.customer(app.current_request)
    policy = store.get_policy(policy_no)
    if policy is None or (policy["customer_id"] != caller.subject and not caller.is_operator):
        raise errors.NotFound("No such policy")
    snapshot = policy["product_snapshot"]
    parties = policy["parties"]
    return (
        _summary(policy)
        | {
            "order_id": policy["order_id"],
            "term": snapshot["term"],
            "coverages": snapshot["plan"]["coverages"],
            "options": snapshot.get("options", []),
            "premium_breakdown": policy["premium"].get("breakdown", []),
            "paid_at": policy["premium"].get("paid_at"),
            "cooling_off_until": policy["cooling_off_until"],
            "terms_summary": snapshot.get("terms_summary", ""),
            "exclusions": snapshot.get("exclusions", []),
            "insurer": {"name": snapshot["insurer_name"], "code": snapshot["insurer_code"]},
            "policyholder": masked_party(parties["policyholder"]),
            "insured_persons": [masked_party(p) for p in parties["insured"]],
            "beneficiaries": [masked_party(p) for p in parties["beneficiaries"]],
            # With no named beneficiary the death benefit goes to the insured's legal heirs.
            "beneficiary_designation": "named" if parties["beneficiaries"] else "legal_heirs",
            "version": policy["version"],
            "endorsements": _endorsements_view(policy_no),
        }
        | _cancellation_view(policy)
    )


@app.route("/underwriting/referrals", methods=["GET"])
def list_referrals():
    """Referrals by status: pending (the queue, oldest first), accepted or declined (newest first)."""
    request = app.current_request
    auth.operator(request)
    status = (request.query_params or {}).get("status", "pending")
    if status not in store.REFERRAL_STATUSES:
        raise errors.Invalid({"status": f"must be one of {', '.join(store.REFERRAL_STATUSES)}"})
    return {
        "status": status,
        "referrals": [{k: v for k, v in r.items() if k != "task_token"} for r in store.referrals(status)],
    }


@app.route("/underwriting/referrals/{order_id}/decision", methods=["POST"])
def decide_referral(order_id):
    request = app.current_request
    operator = auth.operator(request)
    body = web.json_object(request)
    decision, note = body.get("decision"), body.get("note", "")
    problems = {}
    if decision not in ("accept", "decline"):
        problems["decision"] = "must be 'accept' or 'decline'"
    if not isinstance(note, str) or len(note) > 500:
        problems["note"] = "a text of at most 500 characters"
    if decision == "decline" and not (isinstance(note, str) and note.strip()):
        problems["note"] = "give the reason for the decline; the customer sees it"
    if problems:
        raise errors.Invalid(problems)
    referral = store.get_referral(order_id)
    if referral is None:
        raise errors.NotFound("No referral for this order")
    outcome = "accepted" if decision == "accept" else "declined"
    # A decline's note is the reason the customer reads on the order; an accept's stays internal.
    entry = audit.entry(
        operator,
        f"referral.{outcome}",
        f"referral:{order_id}",
        {
            "status": {"from": "pending", "to": outcome},
            "note": {"from": None, "to": note or None},
            "shown_to_customer": {"from": None, "to": note if decision == "decline" else None},
        },
    )
    if not store.decide_referral(order_id, outcome, operator.subject, note, entry):
        raise errors.Conflict(f"This referral was already {store.get_referral(order_id)['status']}")
    reasons = [note] if note else []
    aws.client("stepfunctions").send_task_success(
        taskToken=referral["task_token"], output=json.dumps({"outcome": decision, "reasons": reasons})
    )
    logger.info(
        "referral decided", extra={"order_id": order_id, "decision": decision, "operator": operator.subject}
    )
    return {"order_id": order_id, "decision": decision}


# ---------- cancellation ----------
REASON_CODES = ("changed_mind", "cover_elsewhere", "too_expensive", "no_longer_needed", "other")


def _cancellation_view(policy: dict) -> dict:
    """A cancelled policy: when, why, the rule its refund followed and what came back. One in force:
    the rules that would apply from today on, in order, each named (cooling_off, not_started, then
    the product's pro_rata, short_rate or none)."""
    done = policy.get("cancellation")
    if not done:
        in_force = policy["status"] == "in_force"
        return {
            "cancelled_on": None,
            "cancellation_reason": None,
            "refund": None,
            "cancellation_terms": cancellation.terms(policy, _today()) if in_force else [],
        }
    return {
        "cancelled_on": done["cancelled_on"],
        "cancellation_reason": done["reason"],
        "cancelled_by": done["cancelled_by"],
        "refund": done["refund"],
        "refund_rule": done.get("rule"),
        "refund_explanation": done.get("explanation"),
        "discounts_returned": done.get("discounts", []),
        "cancellation_terms": [],
    }


def _owned_policy(policy_no: str, caller: auth.Caller) -> dict:
    policy = store.get_policy(policy_no, consistent=True)
    if policy is None or policy["customer_id"] != caller.subject:
        raise errors.NotFound("No such policy")
    return policy


def _today() -> date:
    return datetime.now(CHINA).date()


def _reason(body: dict, problems: dict) -> str:
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        problems["reason"] = (
            f"give a reason: one of {', '.join(REASON_CODES)}, or a text of at most 500 characters"
        )
        return ""
    return reason.strip()


def _rerender_document(policy_no: str) -> None:
    """A new document version for the cancelled policy. A failure leaves the cancellation standing;
    the same request again renders it (the same policy version twice is a no-op)."""
    from policy import tasks

    try:
        tasks.rerender_document(policy_no)
    except Exception:
        logger.exception("policy document not re-rendered", extra={"policy_no": policy_no})


def _cancel(policy: dict, caller: auth.Caller, reason: str, expected_cents: int | None, by: str) -> dict:
    """Cancel once: the first request writes the cancellation, the same request again (or a
    concurrent twin) gets the same result; a different amount or a cancelled policy answers 409."""
    if policy["status"] == "in_force":
        quote = cancellation.quote(policy, _today(), now_iso())
        if expected_cents is not None and expected_cents != quote.refund_cents:
            raise errors.Conflict(
                f"The refund is now {quote.refund_cents} fen, not {expected_cents}; "
                "get the cancellation quote again and confirm that amount"
            )
        at = datetime.now(UTC).isoformat(timespec="milliseconds")
        reason_code = reason if reason in REASON_CODES else "other"
        done = quote.to_dict() | {
            "reason": reason,
            "reason_code": reason_code,
            "cancelled_at": at,
            "cancelled_by": by,
            "refund": {
                "status": "pending" if quote.refund_cents else "none",
                "amount_cents": quote.refund_cents,
            },
        }
        snapshot = policy["product_snapshot"]
        event = {
            "policy_no": policy["policy_no"],
            "order_id": policy["order_id"],
            "customer_id": policy["customer_id"],
            "product_id": policy["product_id"],
            "insurer_id": snapshot.get("insurer_id"),
            "cancelled_on": quote.cancelled_on,
            "within_cooling_off": quote.within_cooling_off,
            "rule": quote.rule,
            "refund_cents": quote.refund_cents,
            "premium_cents": policy["premium_cents"],
            # A full refund gives these back (distribution's PolicyCancelled consumer, once).
            "discounts": [
                {k: d[k] for k in ("kind", "claim_id", "points") if k in d}
                for d in policy["premium"].get("discounts") or []
            ],
            "reason_code": reason_code,
            "cancelled_by": by,
        }
        changes = {
            "status": {"from": "in_force", "to": "cancelled"},
            "reason": {"from": None, "to": reason},
            "refund_cents": {"from": None, "to": quote.refund_cents},
        }
        entry = audit.entry(caller, "policy.cancelled", f"policy:{policy['policy_no']}", changes)
        if store.cancel(policy, done, event, entry):
            logger.info(
                "policy cancelled",
                extra={"policy_no": policy["policy_no"], "by": by, "refund_cents": quote.refund_cents},
            )
        policy = store.get_policy(policy["policy_no"], consistent=True)
    done = policy.get("cancellation")
    if policy["status"] != "cancelled" or not done:
        raise errors.Conflict(f"This policy is {policy['status']} and cannot be cancelled")
    # Every request (a repeat too) withdraws an open renewal offer, so a crash in between is mended.
    if store.withdraw_renewal_offer(
        policy["policy_no"], f"The policy was cancelled on {done['cancelled_on']}, so it is not renewed"
    ):
        logger.info("renewal offer withdrawn", extra={"policy_no": policy["policy_no"]})
    if done["reason"] != reason or (expected_cents is not None and expected_cents != done["refund_cents"]):
        raise errors.Conflict(f"This policy was already cancelled on {done['cancelled_on']}")
    try:
        policy = refunds.complete(policy)
    except refunds.NothingToRefund as exc:
        raise errors.Conflict(str(exc)) from exc
    _rerender_document(policy["policy_no"])
    return {
        "policy": _summary(policy) | _cancellation_view(policy),
        "refund": policy["cancellation"]["refund"],
    }


@app.route("/policies/{policy_no}/cancellation-quote", methods=["GET"])
def cancellation_quote(policy_no):
    policy = _owned_policy(policy_no, auth.customer(app.current_request))
    return {"policy_no": policy_no} | cancellation.quote(policy, _today(), now_iso()).to_dict()


@app.route("/policies/{policy_no}/cancellation", methods=["POST"])
def cancel_policy(policy_no):
    request = app.current_request
    caller = auth.customer(request)
    body = web.json_object(request)
    problems: dict = {}
    reason = _reason(body, problems)
    expected = body.get("refund_cents")
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        problems["refund_cents"] = "the refund amount in fen from the cancellation quote, to confirm it"
    if problems:
        raise errors.Invalid(problems)
    return _cancel(_owned_policy(policy_no, caller), caller, reason, expected, "customer")


@app.route("/admin/policies/{policy_no}/cancellation", methods=["POST"])
def operator_cancel_policy(policy_no):
    request = app.current_request
    operator = auth.operator(request)
    body = web.json_object(request)
    problems: dict = {}
    reason = _reason(body, problems)
    if problems:
        raise errors.Invalid(problems)
    policy = store.get_policy(policy_no, consistent=True)
    if policy is None:
        raise errors.NotFound("No such policy")
    return _cancel(policy, operator, reason, None, "operator")


@app.route("/admin/policies/{policy_no}/cancellation-quote", methods=["GET"])
def operator_cancellation_quote(policy_no):
    """The refund an operator's cancellation would give today (any customer's policy)."""
    auth.operator(app.current_request)
    policy = store.get_policy(policy_no, consistent=True)
    if policy is None:
        raise errors.NotFound("No such policy")
    return {"policy_no": policy_no} | cancellation.quote(policy, _today(), now_iso()).to_dict()


# ---------- policy documents ----------
def _document_version_reason(policy: dict, version: int) -> str:
    """Why a document version was rendered, in words."""
    endorsed = {e["version"] for e in _endorsements_view(policy["policy_no"])}
    if version in endorsed:
        return "changed details"
    if policy["status"] == "cancelled" and version == policy["version"]:
        return "cancelled"
    return "issued" if version == 1 else "updated"


def _document_versions(policy: dict) -> tuple[list[dict], dict | None]:
    """The rendered versions, oldest first, and the current one (the policy's document)."""
    current = store.document_of(policy["policy_no"])
    if not current or not current.get("s3_version_id"):
        return [], None
    versions = [v for v in store.document_versions(policy["policy_no"]) if v.get("s3_version_id")]
    if not any(v["policy_version"] == int(current["policy_version"]) for v in versions):
        versions.append(current | {"policy_version": int(current["policy_version"])})  # older than versions
    return sorted(versions, key=lambda v: v["policy_version"]), current


@app.route("/policies/{policy_no}/document", methods=["GET"])
def policy_document_link(policy_no):
    """A 5-minute presigned link to the owner's policy PDF: the current version, or `?version=N` an
    older one, marked superseded by the current version."""
    request = app.current_request
    caller = auth.customer(request)
    policy = store.get_policy(policy_no)
    if policy is None or (policy["customer_id"] != caller.subject and not caller.is_operator):
        raise errors.NotFound("No such policy")
    raw = (request.query_params or {}).get("version")
    if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= 9999):
        raise errors.Invalid({"version": "a document version number, e.g. 1"})
    versions, current = _document_versions(policy)
    if current is None:
        raise errors.NotFound("The policy document is not ready yet; try again in a moment")
    current_version = int(current["policy_version"])
    wanted = int(raw) if raw is not None else current_version
    document = next((v for v in versions if v["policy_version"] == wanted), None)
    if document is None:
        raise errors.NotFound(f"This policy has no document version {wanted}")
    is_current = wanted == current_version
    return {
        "url": store.document_download_url(
            document["key"], document["s3_version_id"], f"policy-{policy_no}-v{wanted}.pdf", seconds=300
        ),
        "expires_in": 300,
        "sha256": document["sha256"],
        "version": wanted,
        "current": is_current,
        "superseded_by": None if is_current else current_version,
    }


@app.route("/policies/{policy_no}/documents", methods=["GET"])
def policy_document_versions(policy_no):
    """Every version of the owner's policy document, newest first; all but the current superseded."""
    caller = auth.customer(app.current_request)
    policy = store.get_policy(policy_no)
    if policy is None or (policy["customer_id"] != caller.subject and not caller.is_operator):
        raise errors.NotFound("No such policy")
    versions, current = _document_versions(policy)
    current_version = int(current["policy_version"]) if current else None
    return {
        "policy_no": policy_no,
        "current_version": current_version,
        "documents": [
            {
                "version": v["policy_version"],
                "reason": _document_version_reason(policy, v["policy_version"]),
                "rendered_at": v.get("rendered_at"),
                "sha256": v["sha256"],
                "current": v["policy_version"] == current_version,
                "superseded_by": None if v["policy_version"] == current_version else current_version,
            }
            for v in reversed(versions)
        ],
    }


def _masked_policy_no(policy_no: str) -> str:
    return policy_no[:4] + "*" * max(len(policy_no) - 8, 0) + policy_no[-4:]


@app.route("/verify/{code}", methods=["GET"])
def verify_policy(code):
    """Public: is the policy printed with this code genuine, in force, and is the scanned document its
    current version? No personal data."""
    code = (code or "").strip().upper()
    if not (10 <= len(code) <= 40 and code.isalnum()):
        raise errors.Malformed("A verification code is 20 letters and digits, as printed under the QR code")
    found = store.verification(code)
    policy = store.get_policy(found["policy_no"]) if found else None
    if policy is None:
        raise errors.NotFound("No policy matches this code")
    snapshot = policy["product_snapshot"]
    current = store.document_of(policy["policy_no"]) or {}
    current_version = int(current.get("policy_version") or 0) or None
    # A code reserved before versions had codes (no policy_version) was printed on the first one.
    scanned = current_version if current.get("verification_code") == code else found["policy_version"] or 1
    is_current = scanned == current_version
    return {
        "genuine": True,
        "status": policy["status"],
        "in_force": policy["status"] == "in_force",
        "policy_no": _masked_policy_no(policy["policy_no"]),
        "product_name": snapshot["name"],
        "insurer_name": snapshot["insurer_name"],
        "plan": snapshot["plan"]["name"],
        "start_date": policy["start_date"],
        "end_date": policy["end_date"],
        "document_version": scanned,
        "current_version": current_version,
        "current": is_current,
        "superseded_by": None if is_current else current_version,
        "superseded_on": None if is_current else (current.get("rendered_at") or "")[:10] or None,
    }


# ---------- endorsements ----------
def _endorsements_view(policy_no: str) -> list[dict]:
    return [
        {
            "version": e["policy_version"],
            "effective_date": e["effective_date"],
            "changes": endorsement.masked_changes(e["changes"]),
        }
        for e in store.endorsements_of(policy_no)
    ]


@app.route("/policies/{policy_no}/endorsements", methods=["POST"])
def endorse_policy(policy_no):
    """Change the policyholder's contact details and/or the beneficiaries: a new policy version
    effective today (China time) and a new document version."""
    request = app.current_request
    caller = auth.customer(request)
    body = web.json_object(request)
    policy = _owned_policy(policy_no, caller)
    changes_requested, problems = endorsement.validate(body, policy["product_snapshot"])
    if problems:
        raise errors.Invalid(problems)
    if policy["status"] != "in_force":
        raise errors.Conflict(f"This policy is {policy['status']}; only a policy in force can be changed")
    parties, changes = endorsement.apply(policy["parties"], changes_requested)
    if not changes:
        raise errors.Invalid({"body": "nothing changes: these are the policy's current details"})
    record = {
        "effective_date": _today().isoformat(),
        "changes": changes,
        "endorsed_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "endorsed_by": caller.subject,
    }
    if not store.endorse(policy, parties, record):
        latest = store.get_policy(policy_no, consistent=True)
        if latest is None or latest["status"] != "in_force":
            raise errors.Conflict("This policy is no longer in force; it cannot be changed")
        raise errors.Conflict("The policy was changed meanwhile; reload it and try again")
    version = policy["version"] + 1
    logger.info(
        "policy endorsed", extra={"policy_no": policy_no, "version": version, "fields": sorted(changes)}
    )
    _rerender_document(policy_no)
    return {
        "policy_no": policy_no,
        "version": version,
        "effective_date": record["effective_date"],
        "changes": endorsement.masked_changes(changes),
    }


# ---------- renewals ----------
def _renewal_view(offer: dict) -> dict:
    terms = offer["offer"]
    view = {
        "policy_no": offer["policy_no"],
        "status": offer["status"],
        "reason": offer.get("withdrawn_reason") or terms.get("reason"),
        "product_id": terms["product_id"],
        "product_name": terms.get("product_name"),
        "plan": terms["plan"],
        "plan_name": terms.get("plan_name"),
        "term": terms["term"],
        "term_label": terms.get("term_label"),
        "start_date": terms["start_date"],
        "end_date": terms.get("end_date"),
        "age": terms.get("age"),
        "premium": terms.get("premium"),
        "valid_until": (date.fromisoformat(terms["start_date"]) - timedelta(days=1)).isoformat(),
        "reunderwrite": bool(terms.get("reunderwrite")),
        "order_id": offer["order_id"],
        "order_status": None,
        "renewed_by": offer["renewed_by"],
    }
    if offer["order_id"] and offer["status"] == "offered":
        from checkout import store as checkout_store

        order = checkout_store.get_order(offer["order_id"])
        view["order_status"] = order["status"] if order else None
    if view["reunderwrite"] and offer["status"] == "offered":
        from catalog import store as catalog

        product = catalog.get_product(terms["product_id"]) or {}
        view["health_questions"] = [
            {"code": q["code"], "text": q["text"]} for q in product.get("health_questions", [])
        ]
    return view


@app.route("/renewals", methods=["GET"])
def list_renewals():
    caller = auth.customer(app.current_request)
    return {"renewals": [_renewal_view(o) for o in store.renewal_offers_of(caller.subject)]}


@app.route("/policies/{policy_no}/renewal", methods=["POST"])
def renew_policy(policy_no):
    """Renew in one step: an order at the offer's price through the same purchase saga (pay ->
    underwrite -> issue); the issued policy names the one it renews. One live order per offer."""
    from chalice import Response

    from catalog import store as catalog
    from catalog.domain import rating
    from checkout import purchase
    from checkout import store as checkout_store
    from checkout.domain.application import build_application
    from distribution import api as distribution
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
    priced = distribution.quote_discounts(
        caller.subject, product["product_id"], application["premium_cents"], {}
    )
    application["premium"] = distribution.priced(application["premium"], priced)
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
