"""Counting sales from the events stream: each event once, whatever the redelivery or order, and each batch
summed before it is written (one update per day and dimension value, not one per event)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from insuremall import events
from reports.domain import figures

TRANSACTION_ITEMS = 100  # DynamoDB's limit on the items of one transaction


class FiguresStore(Protocol):
    def add(self, event_ids: list[str], sums: dict[figures.Key, figures.Sum]) -> None: ...


@dataclass(frozen=True)
class Counted:
    counted: int
    already_counted: int
    writes: int  # transactions made


def count(batch: list[tuple[str, events.Event]], store: FiguresStore) -> Counted:
    """Count a batch of (event id, event). `store.add` raises figures.AlreadyCounted when some of a chunk's
    events were counted before; those are dropped and the rest written again."""
    counted = duplicates = writes = 0
    for chunk in _chunks(_distinct(batch)):
        while chunk:
            try:
                store.add([event_id for event_id, _ in chunk], figures.summed([event for _, event in chunk]))
            except figures.AlreadyCounted as exc:
                seen = set(exc.event_ids)
                duplicates += len(seen)
                chunk = [(event_id, event) for event_id, event in chunk if event_id not in seen]
                continue
            writes += 1
            counted += len(chunk)
            break
    return Counted(counted, duplicates, writes)


def _distinct(batch: list[tuple[str, events.Event]]) -> list[tuple[str, events.Event]]:
    """A record delivered twice in one batch counts once; events that add no figure are left out."""
    seen: dict[str, events.Event] = {}
    for event_id, event in batch:
        if event_id not in seen and figures.contribution(event) is not None:
            seen[event_id] = event
    return list(seen.items())


def _chunks(batch: list[tuple[str, events.Event]]):
    """Groups whose markers and distinct figure items fit one transaction."""
    chunk: list[tuple[str, events.Event]] = []
    keys: set[figures.Key] = set()
    for event_id, event in batch:
        day, _, values = figures.contribution(event)
        mine = {figures.Key(day, d, v) for d, (v, _) in values.items()}
        if chunk and len(chunk) + 1 + len(keys | mine) > TRANSACTION_ITEMS:
            yield chunk
            chunk, keys = [], set()
        chunk.append((event_id, event))
        keys |= mine
    if chunk:
        yield chunk
