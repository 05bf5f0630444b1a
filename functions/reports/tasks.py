"""Reports' background work: counting sales from the events stream, and the scheduled exports."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from insuremall import event_stream, tasks
from insuremall.clock import china_today
from insuremall.observability import get_logger
from reports import counting, store
from reports.domain.sales import daily_report, to_csv

logger = get_logger("reports-tasks")


def count_sales(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch of EventsTable stream records: counted in one go, idempotent on each event's id. A failure
    fails the whole batch (Lambda retries it; what was counted is not counted again)."""
    batch = [parsed for parsed in map(event_stream.from_stream_record, records) if parsed is not None]
    result = counting.count(batch, store)
    logger.info("sales counted", extra={"records": len(records), **result.__dict__})
    return {"batchItemFailures": []}


def export_daily_sales(event: dict[str, Any]) -> dict[str, Any]:
    day = event.get("date") or (china_today() - timedelta(days=1)).isoformat()
    report = daily_report(day, store.sales_counters(day))
    base = f"sales/daily/{day[:4]}/{day}"
    store.put_export(f"{base}.csv", to_csv(report), "text/csv", kind="daily", period=(day, day))
    store.put_export(
        f"{base}.json", json.dumps(report, indent=1), "application/json", kind="daily", period=(day, day)
    )
    logger.info("daily sales exported", extra={"date": day, "policies": report["policies"]})
    return {"date": day, "policies": report["policies"], "premium": report["premium"], "key": f"{base}.csv"}


TASKS = {"export_daily_sales": export_daily_sales}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        return count_sales(event["Records"])
    return tasks.run(TASKS, event, logger)
