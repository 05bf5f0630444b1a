"""Landing events in the analysts' lake: a delivered stream batch as daily partitioned JSON-lines files
(reports.domain.lake has the layout). Idempotent: a redelivered batch rewrites the same keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from insuremall.event_stream import StreamedEvent
from reports.domain import lake

Put = Callable[[str, bytes], None]  # (key, gzipped JSON lines)


@dataclass(frozen=True)
class Landed:
    files: int
    rows: int
    keys: tuple[str, ...]


def land(batch: Iterable[StreamedEvent], put: Put) -> Landed:
    """Write each (type, China day) of the batch as one file. A failure fails the batch: Lambda delivers
    it again (or in halves) and the files are written again under keys that never repeat a row."""
    files = lake.files(_plain(streamed) for streamed in batch)
    for key, rows in files.items():
        put(key, lake.encode(rows))
    return Landed(len(files), sum(map(len, files.values())), tuple(files))


def _plain(streamed: StreamedEvent) -> lake.StreamEvent:
    payload: dict[str, Any] = streamed.event.payload()
    return lake.StreamEvent(
        streamed.event_id, streamed.event.type, streamed.occurred_at, streamed.sequence_number, payload
    )
