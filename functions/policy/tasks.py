"""Policy tasks: underwriting, referral, issuing and the policy document for the purchase saga; daily
renewal offers, expiry and hourly refund retries on the template's schedules. Each handler parses its
event and calls one use case; all are idempotent on their key (order id, policy, day)."""

from __future__ import annotations

from datetime import date
from typing import Any

from insuremall import tasks
from insuremall.clock import china_today
from insuremall.observability import get_logger
from policy import issuance, store, underwriting, wiring
from policy import renewal_offers as offers

logger = get_logger("policy-tasks")


def underwrite(event: dict[str, Any]) -> dict[str, Any]:
    return underwriting.underwrite(event["order_id"], event["application"], store=store)


def refer(event: dict[str, Any]) -> dict[str, Any]:
    wiring.referrals().open(
        event["order_id"], event["task_token"], event.get("reasons") or [], event["application"]
    )
    return {}


def issue(event: dict[str, Any]) -> dict[str, Any]:
    application, payment = event["application"], event.get("payment") or {}
    return {"policy_no": issuance.issue(event["order_id"], application, payment, store=store, logger=logger)}


def publish_policy_document(event: dict[str, Any]) -> dict[str, Any]:
    """Its own saga step after IssuePolicy: a document that cannot be rendered or stored is retried,
    and if it still fails the sale stands (the policy is issued) and nothing is refunded."""
    document = publish_document(event["policy_no"])
    return {"policy_no": event["policy_no"], "sha256": document.get("sha256")}


def publish_document(policy_no: str) -> dict[str, Any]:
    return wiring.documents().publish(policy_no)


def rerender_document(policy_no: str) -> dict[str, Any]:
    return wiring.documents().rerender(policy_no)


def _run_day(event: dict[str, Any]) -> date:
    """The schedule's day in China time; an explicit {"date": ...} re-runs a given day."""
    return date.fromisoformat(event["date"]) if event.get("date") else china_today()


def renewal_offers(event: dict[str, Any]) -> dict[str, Any]:
    return wiring.renewal_offers().offer(_run_day(event))


def expire_policies(event: dict[str, Any]) -> dict[str, Any]:
    return offers.expire(_run_day(event), store=store)


def retry_refunds(event: dict[str, Any]) -> dict[str, Any]:
    return wiring.cancellations().finish_refunds()


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
