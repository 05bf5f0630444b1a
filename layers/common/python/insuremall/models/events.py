"""EventsTable: domain events (PolicyIssued, ...) for later consumers; the table streams new images.

Keys: pk=<aggregate>#<id>, sk=<event type> (one event of a type per aggregate, so a replayed
write is refused by its condition). GSI byTypeAndDay: gsi1pk=<type>#<yyyy-mm-dd>#<shard>, gsi1sk=<at>#<id>:
a day's events of a type spread over SHARDS partitions (one key per day would take every sale of a
sales-festival day); a reader queries the SHARDS keys of a day.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta
from insuremall.sharding import every_shard, sharded


def index_key(event_type: str, day: str, aggregate_id: str) -> str:
    """The byTypeAndDay partition of one event: its type, its day and a shard from its aggregate's id."""
    return sharded(f"{event_type}#{day}", aggregate_id)


def index_keys(event_type: str, day: str) -> list[str]:
    """Every byTypeAndDay partition of a type's day: a reader of the day queries them all."""
    return every_shard(f"{event_type}#{day}")


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


def outbox(event, aggregate: str, aggregate_id: str) -> DomainEventRecord:
    """The EventsTable item of an event about one aggregate (e.g. "ORDER", order id), to write in the same
    transaction as the change it reports: its key (aggregate and type) is the event's id, so a second write
    is refused by the does-not-exist condition. `event` is an insuremall.events.Event with an `at`."""
    at = event.at
    return DomainEventRecord(
        pk=f"{aggregate}#{aggregate_id}",
        sk=event.type,
        event_type=event.type,
        occurred_at=at,
        payload=event.payload(),
        gsi1pk=index_key(event.type, at[:10], aggregate_id),
        gsi1sk=f"{at}#{aggregate_id}",
    )
