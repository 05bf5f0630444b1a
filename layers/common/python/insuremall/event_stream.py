"""Reading the EventsTable stream: a Lambda DynamoDB stream record to its typed event (insuremall.events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from insuremall.events import Event, parse


@dataclass(frozen=True)
class StreamedEvent:
    """A new event as the stream delivers it: its id (the item's key), the typed event, when it happened
    (the item's occurred_at, UTC ISO 8601) and the record's sequence number (its place in the stream)."""

    event_id: str
    event: Event
    occurred_at: str
    sequence_number: str


def from_stream_record(record: dict[str, Any]) -> tuple[str, Event] | None:
    """(event id, typed event) of an EventsTable stream record; None for a change that is no new event
    or for a type nobody here knows. The id is the item's key: one event of a type per aggregate."""
    streamed = read_record(record)
    return (streamed.event_id, streamed.event) if streamed else None


def read_record(record: dict[str, Any]) -> StreamedEvent | None:
    """The whole StreamedEvent of a stream record; None as for from_stream_record."""
    image = (record.get("dynamodb") or {}).get("NewImage")
    if record.get("eventName") != "INSERT" or not image:
        return None
    from boto3.dynamodb.types import TypeDeserializer  # lazily: only stream consumers pay for it

    deserializer = TypeDeserializer()
    item = {name: deserializer.deserialize(value) for name, value in image.items()}
    payload = item.get("payload")
    if isinstance(payload, str):  # PynamoDB's JSONAttribute stores a JSON string
        import json

        payload = json.loads(payload)
    event = parse(str(item.get("event_type", "")), _plain(payload or {}))
    if event is None:
        return None
    return StreamedEvent(
        event_id=f"{item.get('pk')}|{item.get('sk')}",
        event=event,
        occurred_at=str(item.get("occurred_at") or ""),
        sequence_number=str((record.get("dynamodb") or {}).get("SequenceNumber") or ""),
    )


def _plain(value: Any) -> Any:
    """DynamoDB numbers deserialise as Decimal; events carry plain ints."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
