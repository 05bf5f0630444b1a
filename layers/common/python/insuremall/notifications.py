"""Customer notifications: an outbox on the member's partition, delivered through SNS.

A notification is recorded exactly once per (member, key): the caller's key says what it is about
(e.g. "renewal_offered#P123"), so a job that runs again, or two runs at once, never record it twice.
Delivery is at least once: the record says "pending" until SNS accepted the message, and a publish
that failed is published again by the next notify of the same key. The call publishing a record
claims it first (claimed_at), so concurrent notifies do not both publish; only a crash between
publish and marking it sent (the claim lapses, the next notify sends it again) gives a repeat, which
SNS standard topics do not de-duplicate: subscribers get notification_id to drop it.
The member center lists the records, whatever their delivery.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from insuremall import aws
from insuremall.clock import now_iso
from insuremall.models import condition_failed
from insuremall.models.members import member_pk
from insuremall.models.notifications import NOTICE_PREFIX, PENDING, SENT, NotificationRecord, notice_sk

LIST_LIMIT = 50
# A claim older than the longest Lambda run that could still hold it (the tasks' 300 s timeout)
# belongs to a call that died before marking the record; the next notify may publish it again.
CLAIM_SECONDS = 300


@cache
def _logger():
    from insuremall.observability import get_logger  # Powertools, only on the failure path

    return get_logger("notifications")


def notify(member_id: str, key: str, kind: str, title: str, body: str, link: str | None = None) -> bool:
    """Record a notification for a member once per key and publish it to the notifications topic.

    True only when this call recorded it. A failed publish is logged, not raised: the notification
    stays recorded as pending (the member center shows it) and the next notify of the key sends it.
    """
    if not member_id or not key:
        raise ValueError("a notification needs a member_id and a key")
    from pynamodb.exceptions import PutError

    now = now_iso()
    record = NotificationRecord(
        pk=member_pk(member_id),
        sk=notice_sk(key),
        notification_id=uuid.uuid4().hex[:16],
        kind=kind,
        title=title,
        body=body,
        link=link,
        created_at=now,
        delivery=PENDING,
        claimed_at=now,
    )
    try:
        record.save(condition=NotificationRecord.pk.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
        record = NotificationRecord.get(member_pk(member_id), notice_sk(key), consistent_read=True)
        if record.delivery == PENDING and _claim(record):
            _deliver(member_id, record)
        return False
    _deliver(member_id, record)
    return True


def _claim(record: NotificationRecord) -> bool:
    """Take a pending record for publishing, unless another call holds a live claim on it."""
    from pynamodb.exceptions import UpdateError

    lapsed = (datetime.now(UTC) - timedelta(seconds=CLAIM_SECONDS)).isoformat(timespec="milliseconds")
    try:
        record.update(
            actions=[NotificationRecord.claimed_at.set(now_iso())],
            condition=(NotificationRecord.delivery == PENDING)
            & (NotificationRecord.claimed_at.does_not_exist() | (NotificationRecord.claimed_at < lapsed)),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


def _deliver(member_id: str, record: NotificationRecord) -> None:
    """Publish a claimed record; mark it sent, or on failure release the claim for the next notify."""
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import UpdateError

    message = {
        "member_id": member_id,
        "notification_id": record.notification_id,
        "kind": record.kind,
        "title": record.title,
        "body": record.body,
        "link": record.link,
    }
    try:
        sent = aws.client("sns").publish(
            TopicArn=os.environ["NOTIFICATIONS_TOPIC_ARN"],
            Message=json.dumps(message),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": record.kind}},
        )
        actions = [
            NotificationRecord.delivery.set(SENT),
            NotificationRecord.sent_at.set(now_iso()),
            NotificationRecord.message_id.set(sent["MessageId"]),
            NotificationRecord.claimed_at.remove(),
        ]
    except (BotoCoreError, ClientError):
        _logger().warning(
            "notification publish failed; stays pending",
            extra={"notification_id": record.notification_id, "kind": record.kind},
            exc_info=True,
        )
        actions = [NotificationRecord.claimed_at.remove()]
    try:
        record.update(actions=actions, condition=NotificationRecord.delivery == PENDING)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        # Another call published it after this one's claim lapsed; its mark stands.


def view(record: NotificationRecord) -> dict[str, Any]:
    return {
        "notification_id": record.notification_id,
        "kind": record.kind,
        "title": record.title,
        "body": record.body,
        "link": record.link,
        "created_at": record.created_at,
        "delivery": record.delivery,
    }


def list_for(member_id: str, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """A member's notifications, newest first, at most `limit`.

    Keys are idempotency keys, not times, so the query reads all of the member's notices and sorts
    them here: bounded by what one member receives (two reminders per policy per year).
    """
    query = NotificationRecord.query(member_pk(member_id), NotificationRecord.sk.startswith(NOTICE_PREFIX))
    records = sorted(query, key=lambda r: r.created_at, reverse=True)
    return [view(r) for r in records[: max(0, int(limit))]]
