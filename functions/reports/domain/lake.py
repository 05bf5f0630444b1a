"""The analysts' lake (pure): where an event lands, and the row it lands as.

Layout (one Glue table, `events`, over it; Athena and `make query` read the same files):

    events/type=<event type>/dt=<China day, YYYY-MM-DD>/<first sequence number>.jsonl.gz

- `type` is the event's type (insuremall.events: PolicyIssued, PolicyCancelled, MemberInvited, ...), so a
  query on one type reads only its folder; `dt` is the China day the event happened on (its occurred_at in
  UTC+8): a sale at 23:30 China time on the 1st lands on the 1st, at 00:10 on the 2nd.
- One file per (type, day) of a delivered batch, named by the stream sequence number of its first record
  in that batch. A redelivered batch rewrites the same keys with the same rows; a batch split after a
  failure (Lambda bisects it) rewrites the first file with its first part and names the rest after their
  own first records, so no row is ever in two files.
- Gzipped JSON lines (one event a line), keys in the event's field order. A row is the event's payload
  with the personal fields dropped (see PERSONAL), nested objects flattened (`attribution_source`), plus
  `event_id`, `occurred_at` (UTC ISO 8601) and `province` (the name of `region`'s code). Test-mode events
  (`livemode` false) do not land, as they never count in the figures.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from insuremall.clock import china_day
from reports.domain.regions import province_name

PREFIX = "events/"
SUFFIX = ".jsonl.gz"
# Fields that name or point at a person: never in the lake (at any depth). Region is the province code only.
PERSONAL = frozenset(
    {
        "customer_id",
        "member_id",
        "invitee_id",
        "inviter_id",
        "cancelled_by",
        "level1",  # attribution: the referrers' member ids
        "level2",
        "claim_id",  # a coupon claim is a member's
        "name",
        "phone",
        "email",
        "id_number",
        "address",
    }
)
_UNSAFE = re.compile(r"[^0-9A-Za-z_-]")


class StreamEvent(NamedTuple):
    """What the lake needs of one delivered event (the use case reads it off the stream record)."""

    event_id: str
    event_type: str
    occurred_at: str  # UTC ISO 8601
    sequence_number: str
    payload: dict[str, Any]


def day_of(occurred_at: str) -> date:
    return china_day(datetime.fromisoformat(occurred_at))


def partition(event_type: str, day: date) -> str:
    return f"{PREFIX}type={event_type}/dt={day.isoformat()}/"


def object_key(event_type: str, day: date, first_sequence_number: str) -> str:
    name = _UNSAFE.sub("", first_sequence_number) or "0"
    return f"{partition(event_type, day)}{name}{SUFFIX}"


def row(event: StreamEvent) -> dict[str, Any]:
    out: dict[str, Any] = {"event_id": event.event_id, "occurred_at": event.occurred_at}
    out.update(_flat(_scrubbed(event.payload)))
    if isinstance(out.get("region"), str):
        out["province"] = province_name(out["region"])
    return out


def files(batch: Iterable[StreamEvent]) -> dict[str, list[dict[str, Any]]]:
    """The batch's rows by object key, each file in stream order, each event once."""
    seen: set[str] = set()
    by_partition: dict[tuple[str, date], tuple[str, list[dict[str, Any]]]] = {}
    for event in batch:
        if event.event_id in seen or event.payload.get("livemode") is False:
            continue
        seen.add(event.event_id)
        where = (event.event_type, day_of(event.occurred_at))
        if where not in by_partition:
            by_partition[where] = (object_key(*where, event.sequence_number), [])
        by_partition[where][1].append(row(event))
    return dict(by_partition.values())


def encode(rows: list[dict[str, Any]]) -> bytes:
    """JSON lines, gzipped without a timestamp: the same rows make the same bytes."""
    text = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows)
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


def decode(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(data).decode().splitlines() if line]


def _scrubbed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items() if k not in PERSONAL}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _flat(payload: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become prefixed fields (attribution.source -> attribution_source); lists stay."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}_"))
        else:
            out[f"{prefix}{key}"] = value
    return out
