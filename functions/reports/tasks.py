"""Reports' background work: the events stream (sales counted, events landed in the analysts' lake), the
scheduled exports and the export jobs operators ask for."""

from __future__ import annotations

from datetime import date
from typing import Any

from insuremall import event_stream, tasks
from insuremall.clock import china_today
from insuremall.observability import get_logger
from reports import counting, exporting, landing, store
from reports.domain import periods

logger = get_logger("reports-tasks")


def consume_events(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch of EventsTable stream records: the sales counted in one go (idempotent on each event's id),
    then every event landed in the analysts' lake (a redelivered batch rewrites the same files). A failure
    fails the whole batch: Lambda retries it, and neither a count nor a lake row is made twice."""
    batch = [streamed for streamed in map(event_stream.read_record, records) if streamed is not None]
    counted = counting.count([(s.event_id, s.event) for s in batch], store)
    landed = landing.land(batch, store.put_lake_object)
    logger.info(
        "events consumed",
        extra={
            "records": len(records),
            **counted.__dict__,
            "lake_files": landed.files,
            "lake_rows": landed.rows,
        },
    )
    return {"batchItemFailures": []}


def _export(kind: str, event: dict[str, Any]) -> dict[str, Any]:
    """`date` (a fire with DATE) picks the period that contains it; otherwise the last complete one."""
    if event.get("date"):
        start, end = periods.period(kind, date.fromisoformat(event["date"]))
    else:
        start, end = periods.last_complete(kind, china_today())
    done = exporting.export_period(kind, start, end, read=store.figures, put=store.put_export)
    logger.info("sales exported", extra={"kind": kind, "from": done.start, "to": done.end})
    return {
        "kind": kind, "from": done.start, "to": done.end, "key": done.keys[0], "keys": list(done.keys),
        "policies": done.policies_issued, "net_premium": done.net_premium,
    }  # fmt: skip


def export_daily_sales(event: dict[str, Any]) -> dict[str, Any]:
    return _export("daily", event)


def export_weekly_sales(event: dict[str, Any]) -> dict[str, Any]:
    return _export("weekly", event)


def export_monthly_sales(event: dict[str, Any]) -> dict[str, Any]:
    return _export("monthly", event)


TASKS = {
    "export_daily_sales": export_daily_sales,
    "export_weekly_sales": export_weekly_sales,
    "export_monthly_sales": export_monthly_sales,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        return consume_events(event["Records"])
    return tasks.run(TASKS, event, logger)
