"""Reports store: the figures per China day and dimension value, the markers of counted events, the
exports in the reports bucket and the analysts' lake in the lake bucket. The only code that touches
ReportsTable."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from insuremall import aws
from insuremall.clock import now_iso
from insuremall.config import get_settings
from insuremall.models.reports import CountedEvent, ExportJob, ExportRecord, SalesFigures, StagedSums
from insuremall.sharding import SHARDS, shard_of
from reports.domain.figures import FIGURES, AlreadyCounted, Key, Sum, from_rows, to_rows
from reports.domain.jobs import Job

MARKER_DAYS = 30  # a stream keeps records 24 h; a redelivery later than this cannot happen


def stage(event_ids: list[str], sums: dict[Key, Sum]) -> str:
    """Count these events once: their markers and their summed figures, staged in one item, in one
    transaction (all or nothing). Returns the staged item's id; raises AlreadyCounted with the events
    counted before."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from insuremall.models import transaction_connection

    staged_id = _staged_id(event_ids)
    at, expires = now_iso(), int(time.time()) + MARKER_DAYS * 86400
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for event_id in event_ids:
                transaction.save(
                    CountedEvent(pk=f"COUNTED#{event_id}", sk="-", counted_at=at, expires_at=expires),
                    condition=CountedEvent.pk.does_not_exist(),
                )
            transaction.save(_staged(staged_id, sums, at), condition=StagedSums.pk.does_not_exist())
    except TransactWriteError as exc:
        reasons = getattr(exc, "cancellation_reasons", None) or []
        seen = [
            event_ids[i]
            for i, r in enumerate(reasons[: len(event_ids)])
            if r and r.code == "ConditionalCheckFailed"
        ]
        if seen:
            raise AlreadyCounted(seen) from exc
        raise
    return staged_id


def merge(staged_ids: list[str], sums: dict[Key, Sum]) -> str | None:
    """Several staged items as one (their sums merged), in one transaction. None when one of them is gone:
    another fold took it first, and finishes it."""
    into = _staged_id(staged_ids)

    def write(transaction) -> None:
        for staged_id in staged_ids:
            transaction.delete(_staged_key(staged_id), condition=StagedSums.pk.exists())
        transaction.save(_staged(into, sums, now_iso()), condition=StagedSums.pk.does_not_exist())

    return into if _fold_transaction(write) else None


def apply(staged_id: str, part: dict[Key, Sum], rest: dict[Key, Sum]) -> str | None:
    """Write `part` of a staged item's sums to the figures, stage the `rest` anew and delete the item, in
    one transaction. Returns the rest's id; None when nothing is left or the item was folded already."""
    rest_id = _staged_id([staged_id, "rest"]) if rest else None

    def write(transaction) -> None:
        transaction.delete(_staged_key(staged_id), condition=StagedSums.pk.exists())
        for key, total in part.items():
            actions = [getattr(SalesFigures, f).add(n) for f, n in total.figures.items() if n]
            if total.name:
                actions.append(SalesFigures.name.set(total.name))
            if actions:
                transaction.update(
                    SalesFigures(pk=_pk(key.day, key.dimension), sk=key.value), actions=actions
                )
        if rest_id:
            transaction.save(_staged(rest_id, rest, now_iso()), condition=StagedSums.pk.does_not_exist())

    return rest_id if _fold_transaction(write) else None


def staged(lane: int) -> list[tuple[str, dict[Key, Sum]]]:
    """The staged items of one lane not folded yet (left by a fold that stopped half way)."""
    items = StagedSums.query(f"{STAGED}#{lane:02d}", consistent_read=True)
    return [(item.sk, from_rows(item.rows)) for item in items]


def _fold_transaction(write) -> bool:
    """Run one fold transaction; False when a staged item it deletes was already gone."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from insuremall.models import transaction_connection

    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            write(transaction)
    except TransactWriteError as exc:
        reasons = getattr(exc, "cancellation_reasons", None) or []
        if any(r and r.code == "ConditionalCheckFailed" for r in reasons):
            return False
        raise
    return True


STAGED = "STAGED"
LANES = SHARDS  # staged items spread over this many partitions (a sweep asks each)


def _staged_id(parts: list[str]) -> str:
    """A staged item's id from what it holds (its events, or the items merged), so a retry writes the same."""
    import hashlib

    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:32]


def _staged_key(staged_id: str) -> StagedSums:
    return StagedSums(pk=f"{STAGED}#{shard_of(staged_id):02d}", sk=staged_id)


def _staged(staged_id: str, sums: dict[Key, Sum], at: str) -> StagedSums:
    item = _staged_key(staged_id)
    item.rows, item.staged_at = to_rows(sums), at
    return item


def figures(day: str, dimension: str) -> list[dict[str, Any]]:
    """Every value's figures on one day for one dimension: one query."""
    return [
        {"key": item.sk, "name": item.name, **{f: int(getattr(item, f) or 0) for f in FIGURES}}
        for item in SalesFigures.query(_pk(day, dimension))
    ]


def _pk(day: str, dimension: str) -> str:
    return f"SALES#{day}#{dimension}"


def put_export(key: str, body: str | bytes, content_type: str, *, kind: str, period: tuple[str, str]) -> None:
    """Write an export to the reports bucket and list it (a re-run of a period rewrites both)."""
    data = body.encode() if isinstance(body, str) else body
    aws.client("s3").put_object(
        Bucket=get_settings().reports_bucket, Key=key, Body=data, ContentType=content_type
    )
    _list_export(key, len(data), kind, period)


def put_export_file(key: str, path: str, content_type: str, *, kind: str, period: tuple[str, str]) -> None:
    """An export written to a file first (a detail export): uploaded from disk in parts, then listed."""
    import os

    aws.client("s3").upload_file(
        path, get_settings().reports_bucket, key, ExtraArgs={"ContentType": content_type}
    )
    _list_export(key, os.path.getsize(path), kind, period)


def _list_export(key: str, size: int, kind: str, period: tuple[str, str]) -> None:
    at = now_iso()
    listed = ExportRecord(
        sk=f"{at}#{key}", key=key, kind=kind, period_from=period[0], period_to=period[1],
        file_format=key.rsplit(".", 1)[-1], size_bytes=size, made_at=at,
    )  # fmt: skip
    # Listed newest first (made_at in the sort key); a pointer per key finds the entry a re-run replaces.
    try:
        pointer = ExportRecord.get(f"EXPORTKEY#{key}", "-")
    except ExportRecord.DoesNotExist:
        pointer = None
    listed.save()
    if pointer is not None and pointer.made_at != at:
        ExportRecord(sk=f"{pointer.made_at}#{key}").delete()
    ExportRecord(**{**listed.attribute_values, "pk": f"EXPORTKEY#{key}", "sk": "-"}).save()


def put_lake_object(key: str, data: bytes) -> None:
    """One file of the analysts' lake (gzipped JSON lines); a redelivered batch overwrites it."""
    aws.client("s3").put_object(
        Bucket=get_settings().lake_bucket, Key=key, Body=data, ContentType="application/gzip"
    )


def exports(limit: int = 100) -> list[dict[str, Any]]:
    """The exports made, newest first, each with a 5-minute download link."""
    from insuremall.downloads import presigned_get

    bucket = get_settings().reports_bucket
    return [
        {
            "key": e.key,
            "kind": e.kind,
            "from": e.period_from,
            "to": e.period_to,
            "format": e.file_format,
            "size_bytes": int(e.size_bytes),
            "made_at": e.made_at,
            "url": presigned_get(
                bucket, e.key, filename=e.key.rsplit("/", 1)[-1], content_type=_TYPES[e.file_format]
            ),
        }
        for e in ExportRecord.query("EXPORT", scan_index_forward=False, limit=limit)
    ]


_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# ----- export jobs -----
def add_job(job: Job) -> None:
    ExportJob(
        sk=job.job_id, kind=job.kind, period_from=job.start, period_to=job.end, status=job.status,
        requested_at=job.requested_at,
    ).save(condition=ExportJob.sk.does_not_exist())  # fmt: skip


def job(job_id: str) -> Job | None:
    try:
        return _job(ExportJob.get("EXPORTJOB", job_id))
    except ExportJob.DoesNotExist:
        return None


def recent_jobs(limit: int) -> list[Job]:
    return [_job(item) for item in ExportJob.query("EXPORTJOB", scan_index_forward=False, limit=limit)]


def finish_job(job_id: str, *, status: str, at: str, reason: str | None = None,
               keys: tuple[str, ...] = (), rows: int | None = None) -> None:  # fmt: skip
    actions = [ExportJob.status.set(status), ExportJob.finished_at.set(at)]
    actions.append(ExportJob.reason.set(reason) if reason else ExportJob.reason.remove())
    actions.append(ExportJob.keys.set(list(keys)) if keys else ExportJob.keys.remove())
    actions.append(ExportJob.rows.set(rows) if rows is not None else ExportJob.rows.remove())
    ExportJob(sk=job_id).update(actions=actions, condition=ExportJob.sk.exists())


def _job(item: ExportJob) -> Job:
    return Job(
        job_id=item.sk, kind=item.kind, start=item.period_from, end=item.period_to, status=item.status,
        requested_at=item.requested_at, reason=item.reason, finished_at=item.finished_at,
        keys=tuple(item.keys or ()), rows=None if item.rows is None else int(item.rows),
    )  # fmt: skip


# ----- the events index (EventsTable's byTypeAndDay, read only) -----
def policy_events(start: date, end: date) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every PolicyIssued and PolicyCancelled of China days `start` to `end`, in time order, as (type,
    occurred_at, payload). The index is keyed by UTC day and shard; China days start to end are UTC 16:00
    of the day before `start` to UTC 16:00 of `end`: SHARDS queries per type and UTC day, whatever the
    number of events, never a Scan. Pages are read as the rows are written, never all at once."""
    import heapq

    from insuremall.models.events import DomainEventRecord, index_keys

    first, last = start - timedelta(days=1), end
    for n in range((last - first).days + 1):
        utc_day = (first + timedelta(days=n)).isoformat()
        conditions = []
        if n == 0:
            conditions.append(DomainEventRecord.gsi1sk >= f"{utc_day}T16:00:00")
        if utc_day == last.isoformat():
            conditions.append(DomainEventRecord.gsi1sk < f"{utc_day}T16:00:00")
        condition = conditions[0] if len(conditions) == 1 else None
        streams = [
            DomainEventRecord.by_type_and_day.query(key, condition, page_size=PAGE)
            for event_type in DETAIL_TYPES
            for key in index_keys(event_type, utc_day)
        ]
        for item in heapq.merge(*streams, key=lambda e: e.gsi1sk):
            yield item.event_type, item.occurred_at, item.payload


PAGE = 500
DETAIL_TYPES = ("PolicyIssued", "PolicyCancelled")
