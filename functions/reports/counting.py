"""Counting sales from the events stream: each event once, whatever the redelivery or order, and each batch
summed before it is written (one update per day and dimension value, not one per event)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from insuremall import events
from reports.domain import figures

TRANSACTION_ITEMS = 100  # DynamoDB's limit on the items of one transaction
STAGE_EVENTS = TRANSACTION_ITEMS - 1  # markers, and the staged item of their sums
MERGE_ITEMS = TRANSACTION_ITEMS - 1  # staged items deleted, and the one that holds their sums
FOLD_KEYS = TRANSACTION_ITEMS - 2  # figures written, the staged item deleted and the rest staged anew


class FiguresStore(Protocol):
    def stage(self, event_ids: list[str], sums: dict[figures.Key, figures.Sum]) -> str: ...
    def merge(self, staged_ids: list[str], sums: dict[figures.Key, figures.Sum]) -> str | None: ...
    def apply(
        self, staged_id: str, part: dict[figures.Key, figures.Sum], rest: dict[figures.Key, figures.Sum]
    ) -> str | None: ...
    def staged(self, lane: int) -> list[tuple[str, dict[figures.Key, figures.Sum]]]: ...


@dataclass(frozen=True)
class Counted:
    counted: int
    already_counted: int
    writes: int  # transactions made
    figure_updates: int = 0


def count(batch: list[tuple[str, events.Event]], store: FiguresStore) -> Counted:
    """Count a batch of (event id, event) in two steps. First each chunk of up to 99 events: their markers
    and their summed figures staged in one item, in one transaction (`store.stage` raises
    figures.AlreadyCounted for events counted before: those are dropped and the rest staged again). Then
    the batch's staged items are folded into the figures: one update per (day, dimension value) per batch,
    however many events and chunks, so a figures partition takes (batches/s x values), not (events/s)."""
    counted = duplicates = writes = 0
    staged: list[tuple[str, dict[figures.Key, figures.Sum]]] = []
    for chunk in _chunks(_distinct(batch)):
        while chunk:
            sums = figures.summed([event for _, event in chunk])
            try:
                staged.append((store.stage([event_id for event_id, _ in chunk], sums), sums))
            except figures.AlreadyCounted as exc:
                seen = set(exc.event_ids)
                duplicates += len(seen)
                chunk = [(event_id, event) for event_id, event in chunk if event_id not in seen]
                continue
            writes += 1
            counted += len(chunk)
            break
    folded = fold(staged, store)
    return Counted(counted, duplicates, writes + folded.writes, folded.figure_updates)


@dataclass(frozen=True)
class Folded:
    writes: int
    figure_updates: int


def fold(staged: list[tuple[str, dict[figures.Key, figures.Sum]]], store: FiguresStore) -> Folded:
    """Fold staged items into the figures: merged up to 99 at a time into one, which is then written at most
    98 figures per transaction (the rest staged anew in the same transaction). Every step deletes what it
    folds, conditionally, so a retry or a concurrent fold never writes a staged sum twice: the step that
    loses stops, and the winner (or the next sweep) finishes."""
    writes = updates = 0
    while len(staged) > 1:
        merged = []
        for start in range(0, len(staged), MERGE_ITEMS):
            group = staged[start : start + MERGE_ITEMS]
            if len(group) == 1:
                merged.append(group[0])
                continue
            sums = figures.merged([sums for _, sums in group])
            into = store.merge([staged_id for staged_id, _ in group], sums)
            writes += 1
            if into is not None:
                merged.append((into, sums))
        staged = merged
    for staged_id, sums in staged:
        keys = sorted(sums, key=lambda k: (k.day, k.dimension, k.value))
        current: str | None = staged_id
        while current is not None:
            part, rest = keys[:FOLD_KEYS], keys[FOLD_KEYS:]
            following = store.apply(current, {k: sums[k] for k in part}, {k: sums[k] for k in rest})
            writes += 1
            if following is None and rest:
                break  # folded by someone else already
            updates += len(part)
            current, keys = following, rest
    return Folded(writes, updates)


def sweep(store: FiguresStore, lanes: int) -> Folded:
    """Fold what a stopped fold left staged, lane by lane (a schedule runs it)."""
    writes = updates = 0
    for lane in range(lanes):
        folded = fold(store.staged(lane), store)
        writes, updates = writes + folded.writes, updates + folded.figure_updates
    return Folded(writes, updates)


def _distinct(batch: list[tuple[str, events.Event]]) -> list[tuple[str, events.Event]]:
    """A record delivered twice in one batch counts once; events that add no figure are left out."""
    seen: dict[str, events.Event] = {}
    for event_id, event in batch:
        if event_id not in seen and figures.contribution(event) is not None:
            seen[event_id] = event
    return list(seen.items())


def _chunks(batch: list[tuple[str, events.Event]]):
    """Groups of up to STAGE_EVENTS events: their markers and one staged item fill a transaction."""
    for start in range(0, len(batch), STAGE_EVENTS):
        yield batch[start : start + STAGE_EVENTS]
