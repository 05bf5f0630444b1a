"""DistributionTasksFunction: domain events from the EventsTable stream (promotion fees, points, a
cancelled order's discounts), the daily schedules, and the interface tasks other capabilities call
through distribution.api. It only dispatches: each target is a use case's entry point, which reads the
payload into its insuremall.events dataclass (distribution.consumed_events). Consumers are idempotent
on their ledger keys, so a redelivered record or a re-run day changes nothing.

Stream records arrive in batches; a record whose consumer fails is reported back
(ReportBatchItemFailures), so Lambda retries from it and the records before it are not redone.
"""

from __future__ import annotations

import importlib
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from insuremall import tasks
from insuremall.observability import get_logger

logger = get_logger("distribution-tasks")

# event type -> consumers ("module:function"), each called with the event's payload and its type.
CONSUMERS: dict[str, list[str]] = {
    "PolicyIssued": [
        "distribution.referrals.promotion_fees:on_policy_issued",
        "distribution.promotions.points_earning:earn_for_purchase",
    ],
    "PolicyCancelled": [
        "distribution.referrals.promotion_fees:on_policy_cancelled",
        "distribution.promotions.points_earning:reverse_for_cancellation",
        # A full refund gives the order's coupon and points back (as a closed order's are).
        "distribution.promotions.discounts:give_back_for_cancellation",
    ],
    "MemberInvited": ["distribution.promotions.points_earning:earn_for_invitation"],
}

# task name -> "module:function", called with the schedule's event ({"task": ..., "date"?: ...}).
TASKS: dict[str, str] = {
    "release_commissions": "distribution.referrals.promotion_fees:release_commissions",
    "expire_points": "distribution.promotions.points_earning:expire_points",
}

# interface task -> "module:function", run for other capabilities through distribution.api
# (insuremall.invocation): the writes to RewardsTable they ask for happen here, in its owner.
INTERFACE: dict[str, str] = {
    "use_discounts": "distribution.promotions.discounts:apply",
    "give_back_discounts": "distribution.promotions.discounts:give_back",
    "confirm_discounts": "distribution.promotions.discounts:confirm",
}

_deserializer = TypeDeserializer()


def _resolve(target: str):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def domain_event(record: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(event type, payload) of a stream record of EventsTable, or None for other changes."""
    image = (record.get("dynamodb") or {}).get("NewImage")
    if record.get("eventName") != "INSERT" or not image:
        return None
    item = {k: _deserializer.deserialize(v) for k, v in image.items()}
    payload = item.get("payload")
    if isinstance(payload, str):  # PynamoDB's JSONAttribute stores a JSON string
        import json

        payload = json.loads(payload)
    return item.get("event_type", ""), payload or {}


def consume(records: list[dict[str, Any]]) -> dict[str, Any]:
    failures = []
    for record in records:
        parsed = domain_event(record)
        if parsed is None:
            continue
        event_type, payload = parsed
        try:
            for target in CONSUMERS.get(event_type, []):
                _resolve(target)(payload, event_type)
        except Exception:
            logger.exception("domain event not consumed", extra={"event_type": event_type})
            failures.append({"itemIdentifier": (record.get("dynamodb") or {}).get("SequenceNumber", "")})
            break  # Lambda retries from the first failure; later records come again with it
    return {"batchItemFailures": failures}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        return consume(event["Records"])
    name = event.get("task", "")
    return tasks.run(
        {name: _resolve(TASKS[name])} if name in TASKS else {},
        event,
        logger,
        interface={name: _resolve(INTERFACE[name])} if name in INTERFACE else None,
    )
