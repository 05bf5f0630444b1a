"""MembersTable: customer notifications (the outbox the member center lists and SNS delivers).

Keys, on the member's own partition (see insuremall.models.members):
  MEMBER#<sub>/NOTICE#<key>        one notification; <key> is the caller's idempotency key
                                   (e.g. renewal_offered#<policy_no>), so a (member, key) exists once
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from insuremall.models import meta

NOTICE_PREFIX = "NOTICE#"
PENDING = "pending"
SENT = "sent"


def notice_sk(key: str) -> str:
    return f"{NOTICE_PREFIX}{key}"


class NotificationRecord(Model):
    Meta = meta("members_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    notification_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    delivery = UnicodeAttribute(default=PENDING)  # pending until SNS accepted the message
    # Set by the call that is publishing it; others leave it alone until the claim lapses.
    claimed_at = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
