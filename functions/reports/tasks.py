"""Reports' background work: counting sales from the events stream, and the scheduled exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from insuremall import event_stream, tasks
from insuremall.clock import china_today
from insuremall.observability import get_logger
from reports import counting, exporting, store
from reports.domain import periods

logger = get_logger("reports-tasks")


def count_sales(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch of EventsTable stream records: counted in one go, idempotent on each event's id. A failure
    fails the whole batch (Lambda retries it; what was counted is not counted again)."""
    batch = [parsed for parsed in map(event_stream.from_stream_record, records) if parsed is not None]
    result = counting.count(batch, store)
    logger.info("sales counted", extra={"records": len(records), **result.__dict__})
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
        return count_sales(event["Records"])
    return tasks.run(TASKS, event, logger)
