"""AuditTable: who changed what and when, for every capability that keeps an audit trail.

Keys: pk=ENTITY#<entity> (e.g. ENTITY#product:accident-guardian), sk=<at>#<id>, so one entity's
history is one query, newest first. GSI byDay: gsi1pk=DAY#<yyyy-mm-dd>, gsi1sk=<at>#<id>, for
"the latest changes across everything" without a scan. Entries are only ever added.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta


class ByDay(GlobalSecondaryIndex):
    class Meta:
        index_name = "byDay"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class AuditRecord(Model):
    Meta = meta("audit_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    at = UnicodeAttribute()
    entity = UnicodeAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_email = UnicodeAttribute(null=True)
    changes = JSONAttribute()

    by_day = ByDay()
