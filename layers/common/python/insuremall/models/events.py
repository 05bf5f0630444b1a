"""EventsTable: domain events (PolicyIssued, ...) for later consumers; the table streams new images.

Keys: pk=<aggregate>#<id>, sk=<event type> (one event of a type per aggregate, so a replayed
write is refused by its condition). GSI byTypeAndDay: gsi1pk=<type>#<yyyy-mm-dd>, gsi1sk=<at>#<id>.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta


class ByTypeAndDay(GlobalSecondaryIndex):
    class Meta:
        index_name = "byTypeAndDay"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DomainEventRecord(Model):
    Meta = meta("events_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    event_type = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    payload = JSONAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()

    by_type_and_day = ByTypeAndDay()
