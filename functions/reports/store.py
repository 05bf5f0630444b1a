"""Reports store: the figures per China day and dimension value, the markers of counted events, and the
exports in the reports bucket. The only code that touches ReportsTable."""

from __future__ import annotations

import time
from typing import Any

from insuremall import aws
from insuremall.clock import now_iso
from insuremall.config import get_settings
from insuremall.models.reports import CountedEvent, SalesCounter, SalesFigures
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


def sales_counters(day: str) -> list[dict[str, Any]]:
    return [
        {
            "region": c.region,
            "insurer_id": c.insurer_id,
            "product_id": c.product_id,
            "channel": c.channel,
            "policies": int(c.policies),
            "premium_cents": int(c.premium_cents),
        }
        for c in SalesCounter.query(f"SALES#{day}")
    ]


def put_export(key: str, body: str | bytes, content_type: str) -> None:
    aws.client("s3").put_object(
        Bucket=get_settings().reports_bucket,
        Key=key,
        Body=body.encode() if isinstance(body, str) else body,
        ContentType=content_type,
    )
