"""Customer notifications: an outbox on the member's partition, delivered through SNS.

A notification is recorded exactly once per (member, key): the caller's key says what it is about
(e.g. "renewal_offered#P123"), so a job that runs again, or two runs at once, never record it twice.
Delivery is at least once: the record says "pending" until SNS accepted the message; a publish that
failed is published again by the next notify of the same key. SNS standard topics do not
de-duplicate, so two notifies racing on a still-pending record may both publish; subscribers get
notification_id to drop the repeat. The member center lists the records, whatever their delivery.
"""

from __future__ import annotations

import json
import os
import uuid
from functools import cache
from typing import Any

from insuremall import aws
from insuremall.models import condition_failed, now_iso
from insuremall.models.members import member_pk
from insuremall.models.notifications import NOTICE_PREFIX, PENDING, SENT, NotificationRecord, notice_sk

LIST_LIMIT = 50


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

    record = NotificationRecord(
        pk=member_pk(member_id),
        sk=notice_sk(key),
        notification_id=uuid.uuid4().hex[:16],
        kind=kind,
        title=title,
        body=body,
        link=link,
        created_at=now_iso(),
        delivery=PENDING,
    )
    try:
        record.save(condition=NotificationRecord.pk.does_not_exist())
        recorded = True
    except PutError as exc:
        if not condition_failed(exc):
            raise
        record = NotificationRecord.get(member_pk(member_id), notice_sk(key), consistent_read=True)
        recorded = False
    if record.delivery == PENDING:
        _deliver(member_id, record)
    return recorded


def _deliver(member_id: str, record: NotificationRecord) -> None:
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
    except (BotoCoreError, ClientError):
        _logger().warning(
            "notification publish failed; stays pending",
            extra={"notification_id": record.notification_id, "kind": record.kind},
            exc_info=True,
        )
        return
    try:
        record.update(
            actions=[
                NotificationRecord.delivery.set(SENT),
                NotificationRecord.sent_at.set(now_iso()),
                NotificationRecord.message_id.set(sent["MessageId"]),
            ],
            condition=NotificationRecord.delivery == PENDING,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        # A concurrent notify of the same key marked it first; its message id stands.


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
