"""Write sharding for keys that every sale would otherwise write (a day's policy-number counter, a day's
events, a day's end dates, a status): the key gets a shard picked from the record's own id, so a
festival peak spreads over SHARDS partitions or items, and a reader asks each shard. The shard of an id
never changes, so a retry writes the same key.

At 10,000 sales/s, 16 shards put at most 625 writes/s on one key, under DynamoDB's 1,000 per partition
(docs/scale-model.md)."""

from __future__ import annotations

import zlib

SHARDS = 16


def shard_of(record_id: str, shards: int = SHARDS) -> int:
    return zlib.crc32(record_id.encode()) % shards


def sharded(prefix: str, record_id: str, shards: int = SHARDS) -> str:
    """`<prefix>#<two-digit shard>`, e.g. `END#2027-12-02#07`."""
    return f"{prefix}#{shard_of(record_id, shards):02d}"


def every_shard(prefix: str, shards: int = SHARDS) -> list[str]:
    """Every key a reader of `prefix` must ask, in shard order."""
    return [f"{prefix}#{shard:02d}" for shard in range(shards)]
