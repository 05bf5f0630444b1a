"""Policy tasks: underwriting, referral and issuing for the purchase saga; daily renewal offers and
expiry on the template's schedules. All are idempotent on their key (order id, policy, day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from insuremall import tasks
from insuremall.clock import CHINA
from insuremall.config import get_settings
from insuremall.observability import get_logger
from policy import store
from policy.domain import renewal_window, underwriting
from policy.domain.policy_terms import issue_policy_record

logger = get_logger("policy-tasks")


def underwrite(event: dict[str, Any]) -> dict[str, Any]:
    order_id, application = event["order_id"], event["application"]
    decided = store.get_underwriting(order_id)
    if decided is not None:
        return decided
    product = application["product"]
    decisions = []
    for insured in application["insured"]:
        existing = store.in_force_sum_insured(
            insured["insured_key"], product["kind"], excluding=application.get("renewal_of")
        )
        decisions.append(
            underwriting.underwrite(
                product,
                underwriting.InsuredApplication(
                    insured_key=insured["insured_key"],
                    age=insured["age"],
                    occupation_class=insured.get("occupation_class"),
                    sum_insured=application["plan"]["sum_insured"],
                    health_answers=application["health_answers"],
                ),
                existing,
            )
        )
    decision = underwriting.combine(decisions).to_dict()
    return store.save_underwriting(order_id, decision, "rules")


def refer(event: dict[str, Any]) -> dict[str, Any]:
    application = event["application"]
    summary = {
        "product": application["product"]["name"],
        "plan": application["plan"]["name"],
        "sum_insured": application["plan"]["sum_insured"],
        "premium": application["premium"]["total"],
        "insured_ages": [p["age"] for p in application["insured"]],
        "health_answers": application["health_answers"],
    }
    store.open_referral(event["order_id"], event["task_token"], list(event.get("reasons") or []), summary)
    return {}


def issue(event: dict[str, Any]) -> dict[str, Any]:
    order_id = event["order_id"]
    existing = store.policy_for_order(order_id)
    if existing:
        return {"policy_no": existing}
    application = event["application"]
    issued_at = datetime.now(UTC)
    day = issued_at.astimezone(CHINA).date()
    sequence = store.next_policy_sequence(day.strftime("%Y%m%d"))
    policy, policy_event, sales_key = issue_policy_record(
        application, event.get("payment") or {}, issued_at, day, sequence
    )
    policy_no = store.issue(policy, policy_event, sales_key, day.isoformat())
    logger.info("policy issued", extra={"order_id": order_id, "policy_no": policy_no})
    return {"policy_no": policy_no}


def publish_policy_document(event: dict[str, Any]) -> dict[str, Any]:
    """Its own saga step after IssuePolicy: a document that cannot be rendered or stored is retried,
    and if it still fails the sale stands (the policy is issued) and nothing is refunded."""
    document = publish_document(event["policy_no"])
    return {"policy_no": event["policy_no"], "sha256": document.get("sha256")}


def _storefront_url() -> str:
    import os

    return os.environ.get("STOREFRONT_URL") or "https://localhost"


def publish_document(policy_no: str) -> dict[str, Any]:
    """The issue-time PDF, once: the key and verification code are reserved on the policy first, so a
    retried issue writes to the same key, and a file already stored for this policy version is reused
    rather than uploaded again (one S3 version per policy version)."""
    import secrets

    from policy.domain import policy_document

    policy = store.policy_for_document(policy_no)
    reserved = store.reserve_document(
        policy_no,
        {
            "key": f"policies/{policy_no}/{secrets.token_hex(16)}.pdf",
            "verification_code": policy_document.new_verification_code(),
            "policy_version": 0,
        },
        int(policy["version"]),
    )
    if reserved.get("s3_version_id"):
        return reserved
    return _store_document(policy, reserved)


def rerender_document(policy_no: str) -> dict[str, Any]:
    """A new S3 version of the policy's document under the same key (after an endorsement or a
    cancellation), with its own verification code; older versions stay in the versioned bucket and
    verify as superseded. Same policy version twice: no-op."""
    policy = store.policy_for_document(policy_no)
    document = store.document_of(policy_no)
    if policy is None or document is None:
        return publish_document(policy_no) if policy else {}
    if document.get("s3_version_id") and int(document.get("policy_version", 0)) >= policy["version"]:
        return document
    return _store_document(policy, document)


def _verify_base(document: dict[str, Any]) -> str:
    """The storefront the QR opens: fixed at the first render and kept, so a re-render from another
    function (without STOREFRONT_URL) prints the same site."""
    if document.get("verify_base"):
        return document["verify_base"]
    if document.get("verify_url"):
        return document["verify_url"].split("/verify.html", 1)[0]
    return _storefront_url()


def _store_document(policy: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    import hashlib

    from policy.domain import policy_document

    version = int(policy["version"])
    # The first render prints the code reserved at issue; each later version gets its own.
    first = int(document.get("policy_version", 0)) in (0, version)
    code = store.reserve_document_version(
        policy["policy_no"],
        version,
        document["key"],
        document["verification_code"] if first else policy_document.new_verification_code(),
        new_code=not first,
    )
    base = _verify_base(document)
    url = policy_document.verification_url(base, code)
    stored = store.stored_document_version(document["key"], version)
    if stored is None:
        pdf = policy_document.render(_with_insurer_hotline(policy), url)
        sha256 = hashlib.sha256(pdf).hexdigest()
        stored = {
            "sha256": sha256,
            "s3_version_id": store.put_document_file(document["key"], pdf, sha256, version),
        }
    recorded = (
        document
        | stored
        | {
            "policy_version": version,
            "verification_code": code,
            "verify_url": url,
            "verify_base": base,
            "rendered_at": datetime.now(UTC).isoformat(),
        }
    )
    store.record_document_version(policy["policy_no"], recorded)
    logger.info("policy document stored", extra={"policy_no": policy["policy_no"], "version": version})
    return recorded


def _with_insurer_hotline(policy: dict[str, Any]) -> dict[str, Any]:
    """Policies sold before the snapshot kept the insurer's hotline print the insurer's current one."""
    snapshot = policy["product_snapshot"]
    if snapshot.get("insurer_hotline") or not snapshot.get("insurer_id"):
        return policy
    from catalog import store as catalog

    hotline = (catalog.get_insurer(snapshot["insurer_id"]) or {}).get("hotline")
    return policy | {"product_snapshot": snapshot | {"insurer_hotline": hotline}} if hotline else policy


def _run_day(event: dict[str, Any]) -> date:
    """The schedule's day in China time; an explicit {"date": ...} re-runs a given day."""
    if event.get("date"):
        return date.fromisoformat(event["date"])
    return datetime.now(CHINA).date()


def renewal_offers(event: dict[str, Any]) -> dict[str, Any]:
    """Offer renewal to policies ending `window` days from the run day, and to those of the few days
    before it that a missed run would have left (one index query per end date; offers are conditional
    puts, so a day covered twice creates nothing new)."""
    day = _run_day(event)
    ending_dates = renewal_window.renewal_end_dates(day, get_settings().renewal_window_days)
    created = skipped = 0
    for ending in ending_dates:
        for policy_no in store.policy_numbers_ending_on(ending.isoformat()):
            policy = store.get_policy(policy_no)
            if policy is None or policy["status"] != "in_force":
                continue
            status, offer = _renewal_offer(policy_no, policy)
            if store.create_renewal_offer(policy, status, offer):
                created += 1
            else:
                skipped += 1
                existing = store.get_renewal_offer(policy_no)
                if existing is None or existing["status"] != status:
                    continue  # the policy was cancelled meanwhile, or an earlier run decided otherwise
                offer = existing["offer"]
            # Keyed per policy and kind, so a re-run (or a run after a crash here) sends it once.
            if status == "offered":
                _remind(policy["customer_id"], policy_no, "renewal_offered", offer)
            else:
                _tell_not_renewable(policy, offer)
    return {
        "date": day.isoformat(),
        "ending": ending_dates[-1].isoformat(),
        "ending_from": ending_dates[0].isoformat(),
        "offers_created": created,
        "already_offered": skipped,
        "reminders_due_soon": _remind_due_soon(day),
    }


def _remind_due_soon(day: date) -> int:
    """Remind the holders of offers not yet taken a few days before their policy ends."""
    sent = 0
    for ending in renewal_window.renewal_end_dates(day, renewal_window.REMINDER_DAYS_BEFORE_END):
        for policy_no in store.policy_numbers_ending_on(ending.isoformat()):
            offer = store.get_renewal_offer(policy_no)
            if offer is None or offer["status"] != "offered":
                continue
            # An offer left open by a cancellation that did not finish withdrawing it: no reminder.
            policy = store.get_policy(policy_no, consistent=True)
            if policy is None or policy["status"] != "in_force":
                continue
            sent += _remind(offer["customer_id"], policy_no, "renewal_due_soon", offer["offer"])
    return sent


def _tell_not_renewable(policy: dict[str, Any], offer: dict[str, Any]) -> bool:
    """The message of a renewal that cannot be offered, sent when the offer would have been: the
    reason in words and the day cover ends, in time to choose other cover."""
    from insuremall import notifications
    from policy.domain import renewal

    title, body = renewal.not_renewable_message(
        policy["policy_no"],
        policy["product_snapshot"]["name"],
        policy["end_date"],
        offer.get("reason") or "the product no longer offers it",
    )
    return notifications.notify(
        policy["customer_id"],
        f"RENEWAL#{policy['policy_no']}#not_renewable",
        "renewal_not_possible",
        title,
        body,
        "/account.html#renewals",
    )


def _remind(customer_id: str, policy_no: str, kind: str, offer: dict[str, Any]) -> bool:
    from insuremall import notifications

    product = offer.get("product_name", "Your policy")
    total = offer["premium"]["total"]
    last_day = (date.fromisoformat(offer["start_date"]) - timedelta(days=1)).isoformat()
    if kind == "renewal_offered":
        title = f"Renew {product}"
        body = (
            f"Policy {policy_no} ends on {last_day}. Renew it from {offer['start_date']} "
            f"for CNY {total} before then to stay covered."
        )
    else:
        title = f"{product} ends on {last_day}"
        body = f"Policy {policy_no} has not been renewed yet. Renew it for CNY {total} before {last_day}."
    return notifications.notify(
        customer_id, f"RENEWAL#{policy_no}#{kind}", kind, title, body, "/account.html#renewals"
    )


def _renewal_offer(policy_no: str, policy: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from catalog import store as catalog
    from catalog.domain import rating
    from policy.domain import renewal

    start = renewal_window.renewal_start_date(date.fromisoformat(policy["end_date"]))
    insured = policy["parties"]["insured"][0]
    offer: dict[str, Any] = {
        "policy_no": policy_no,
        "product_id": policy["product_id"],
        "plan": policy["plan"],
        "term": policy["term"],
        "start_date": start.isoformat(),
    }
    snapshot = policy["product_snapshot"]
    offer["product_name"] = snapshot["name"]
    product = catalog.get_product(policy["product_id"])
    if product is None or product.get("status") != "on_shelf":
        offer["reason"] = renewal.off_shelf_reason(snapshot["name"])
        return "not_renewable", offer
    birth = insured.get("birth_date")
    age = renewal_window.age_at_renewal(
        date.fromisoformat(birth) if birth else None,
        insured["age"],
        date.fromisoformat(policy["start_date"]),
        start,
    )
    offer["age"] = age
    too_old_or_young = renewal.age_reason(insured["name"], age, product.get("age_limits") or {})
    if too_old_or_young:
        offer["reason"] = too_old_or_young
        return "not_renewable", offer
    version = int(product["rate_table_version"])
    try:
        premium = rating.rate(
            product,
            catalog.get_rate_table(policy["product_id"], version),
            rating.RatingRequest(**renewal_window.renewal_rating_factors(policy, age)),
        )
    except rating.RatingError as exc:
        term = snapshot.get("term") or {}
        offer["reason"] = renewal.rating_reason(
            exc.errors,
            snapshot["plan"]["name"],
            term.get("label", policy["term"]) if isinstance(term, dict) else policy["term"],
        )
        return "not_renewable", offer
    from insuremall.cover import cover_end

    term = next(t for t in product["terms"] if t["code"] == policy["term"])
    plan = next(p for p in product["plans"] if p["code"] == policy["plan"])
    offer.update(
        age=age,
        rate_table_version=version,
        premium=premium.to_dict(),
        product_name=product["name"],
        plan_name=plan["name"],
        term_label=term.get("label", term["code"]),
        end_date=cover_end(start, term, age).isoformat(),
        reunderwrite=bool(product.get("reunderwrite_on_renewal")),
    )
    return "offered", offer


def expire_policies(event: dict[str, Any]) -> dict[str, Any]:
    """Expire in-force policies whose last day of cover was in the days before the run day."""
    day = _run_day(event)
    expired = 0
    for ended in renewal_window.expiry_end_dates(day):
        for policy_no in store.policy_numbers_ending_on(ended.isoformat()):
            if store.expire_policy(policy_no):
                expired += 1
                policy = store.get_policy(policy_no)
                for insured in policy["parties"]["insured"]:
                    store.expire_exposure(insured["insured_key"], policy_no)
    return {"date": day.isoformat(), "expired": expired}


def retry_refunds(event: dict[str, Any]) -> dict[str, Any]:
    """Finish cancellation refunds left pending (the provider was down, or the request died after
    the cancellation was written). Each refund is keyed by policy at the provider, so a refund the
    API is finishing at the same moment is paid once."""
    from policy import refunds

    refunded, waiting = 0, []
    for policy_no in store.pending_refunds():
        policy = store.get_policy(policy_no, consistent=True)
        if policy is None or policy["status"] != "cancelled":
            continue
        try:
            refunds.complete(policy)
        except refunds.NothingToRefund:
            waiting.append(policy_no)  # no payment on file: an operator arranges it
            continue
        except Exception:
            logger.exception("refund retry failed", extra={"policy_no": policy_no})
            waiting.append(policy_no)
            continue
        refunded += 1
        rerender_document(policy_no)
    return {"refunded": refunded, "still_pending": waiting}


TASKS = {
    "retry_refunds": retry_refunds,
    "underwrite": underwrite,
    "refer": refer,
    "issue": issue,
    "publish_document": publish_policy_document,
    "renewal_offers": renewal_offers,
    "expire_policies": expire_policies,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return tasks.run(TASKS, event, logger)
