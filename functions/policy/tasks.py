"""Policy tasks: underwriting, referral and issuing for the purchase saga; daily renewal offers and
expiry on the template's schedules. All are idempotent on their key (order id, policy, day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from insuremall import tasks
from insuremall.config import get_settings
from insuremall.observability import get_logger
from policy import store
from policy.domain import underwriting
from policy.domain.policy_terms import age_on, issue_policy_record, renewal_start

logger = get_logger("policy-tasks")
CHINA = timezone(timedelta(hours=8))


def underwrite(event: dict[str, Any]) -> dict[str, Any]:
    order_id, application = event["order_id"], event["application"]
    decided = store.get_underwriting(order_id)
    if decided is not None:
        return decided
    product = application["product"]
    decisions = []
    for insured in application["insured"]:
        existing = store.in_force_sum_insured(insured["insured_key"], product["kind"])
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
    )
    if reserved.get("s3_version_id"):
        return reserved
    return _store_document(policy, reserved)


def rerender_document(policy_no: str) -> dict[str, Any]:
    """A new S3 version of the policy's document under the same key (after an endorsement or a
    cancellation); older versions stay in the versioned bucket. Same policy version twice: no-op."""
    policy = store.policy_for_document(policy_no)
    document = store.document_of(policy_no)
    if policy is None or document is None:
        return publish_document(policy_no) if policy else {}
    if document.get("s3_version_id") and int(document.get("policy_version", 0)) >= policy["version"]:
        return document
    return _store_document(policy, document)


def _store_document(policy: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    import hashlib

    from policy.domain import policy_document

    version = int(policy["version"])
    stored = store.stored_document_version(document["key"], version)
    # The QR's URL is fixed at issue and kept, so a re-render from another function prints the same one.
    url = document.get("verify_url") or policy_document.verification_url(
        _storefront_url(), document["verification_code"]
    )
    if stored is None:
        pdf = policy_document.render(policy, url)
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
            "verify_url": url,
            "rendered_at": datetime.now(UTC).isoformat(),
        }
    )
    store.record_document_version(policy["policy_no"], recorded)
    logger.info("policy document stored", extra={"policy_no": policy["policy_no"], "version": version})
    return recorded


def _run_day(event: dict[str, Any]) -> date:
    """The schedule's day in China time; an explicit {"date": ...} re-runs a given day."""
    if event.get("date"):
        return date.fromisoformat(event["date"])
    return datetime.now(CHINA).date()


def renewal_offers(event: dict[str, Any]) -> dict[str, Any]:
    """Offer renewal to policies ending exactly `window` days from the run day (one index query).
    A missed day is caught up by running with {"date": ...}."""
    from catalog import store as catalog
    from catalog.domain import rating

    day = _run_day(event)
    ending = (day + timedelta(days=get_settings().renewal_window_days)).isoformat()
    created = skipped = 0
    for policy_no in store.policy_numbers_ending_on(ending):
        policy = store.get_policy(policy_no)
        if policy is None or policy["status"] != "in_force":
            continue
        start = renewal_start(policy["end_date"])
        insured = policy["parties"]["insured"][0]
        offer: dict[str, Any] = {
            "policy_no": policy_no,
            "product_id": policy["product_id"],
            "plan": policy["plan"],
            "term": policy["term"],
            "start_date": start,
        }
        product = catalog.get_product(policy["product_id"])
        status = "offered"
        if product is None or product.get("status") != "on_shelf":
            status, offer["reason"] = "not_renewable", "The product is no longer on sale"
        else:
            age = insured["age"] + (
                date.fromisoformat(start).year - date.fromisoformat(policy["start_date"]).year
            )
            if insured.get("birth_date"):
                age = age_on(date.fromisoformat(insured["birth_date"]), date.fromisoformat(start))
            version = int(product["rate_table_version"])
            try:
                premium = rating.rate(
                    product,
                    catalog.get_rate_table(policy["product_id"], version),
                    rating.RatingRequest(
                        plan=policy["plan"],
                        age=age,
                        gender=insured["gender"],
                        term=policy["term"],
                        options=tuple(policy["product_snapshot"].get("options", [])),
                        occupation_class=insured.get("occupation_class"),
                    ),
                )
                offer.update(age=age, rate_table_version=version, premium=premium.to_dict())
            except rating.RatingError as exc:
                status, offer["reason"] = "not_renewable", "; ".join(exc.errors.values())
        if store.create_renewal_offer(policy, status, offer):
            created += 1
        else:
            skipped += 1
    return {"date": day.isoformat(), "ending": ending, "offers_created": created, "already_offered": skipped}


def expire_policies(event: dict[str, Any]) -> dict[str, Any]:
    """Expire in-force policies whose last day of cover was in the 7 days before the run day."""
    day = _run_day(event)
    expired = 0
    for back in range(1, 8):
        ended = (day - timedelta(days=back)).isoformat()
        for policy_no in store.policy_numbers_ending_on(ended):
            if store.expire_policy(policy_no):
                expired += 1
                policy = store.get_policy(policy_no)
                for insured in policy["parties"]["insured"]:
                    store.expire_exposure(insured["insured_key"], policy_no)
    return {"date": day.isoformat(), "expired": expired}


TASKS = {
    "underwrite": underwrite,
    "refer": refer,
    "issue": issue,
    "publish_document": publish_policy_document,
    "renewal_offers": renewal_offers,
    "expire_policies": expire_policies,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return tasks.run(TASKS, event, logger)
