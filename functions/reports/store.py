"""Reports store: the figures per China day and dimension value, the markers of counted events, the
exports in the reports bucket and the analysts' lake in the lake bucket. The only code that touches
ReportsTable."""

from __future__ import annotations

import time
from typing import Any

from insuremall import aws
from insuremall.clock import now_iso
from insuremall.config import get_settings
from insuremall.models.reports import CountedEvent, ExportRecord, SalesFigures
from reports.domain.figures import FIGURES, AlreadyCounted, Key, Sum

MARKER_DAYS = 30  # a stream keeps records 24 h; a redelivery later than this cannot happen


def add(event_ids: list[str], sums: dict[Key, Sum]) -> None:
    """Count these events once: their markers and their figures in one transaction (all or nothing)."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from insuremall.models import transaction_connection

    at, expires = now_iso(), int(time.time()) + MARKER_DAYS * 86400
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for event_id in event_ids:
                transaction.save(
                    CountedEvent(pk=f"COUNTED#{event_id}", sk="-", counted_at=at, expires_at=expires),
                    condition=CountedEvent.pk.does_not_exist(),
                )
            for key, total in sums.items():
                actions = [getattr(SalesFigures, f).add(n) for f, n in total.figures.items() if n]
                if total.name:
                    actions.append(SalesFigures.name.set(total.name))
                if actions:
                    transaction.update(
                        SalesFigures(pk=_pk(key.day, key.dimension), sk=key.value), actions=actions
                    )
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
    at = now_iso()
    listed = ExportRecord(
        sk=f"{at}#{key}", key=key, kind=kind, period_from=period[0], period_to=period[1],
        file_format=key.rsplit(".", 1)[-1], size_bytes=len(data), made_at=at,
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
