"""Reading the EventsTable stream: a Lambda DynamoDB stream record to its typed event (insuremall.events)."""

from __future__ import annotations

from typing import Any

from insuremall.events import Event, parse


def from_stream_record(record: dict[str, Any]) -> tuple[str, Event] | None:
    """(event id, typed event) of an EventsTable stream record; None for a change that is no new event
    or for a type nobody here knows. The id is the item's key: one event of a type per aggregate."""
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
    return (f"{item.get('pk')}|{item.get('sk')}", event) if event else None


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
