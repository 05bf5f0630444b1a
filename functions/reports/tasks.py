"""Scheduled report exports: yesterday's sales (China time) as CSV in the reports bucket.
Re-running a day rewrites the same key with the same content."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from insuremall import tasks
from insuremall.clock import CHINA
from insuremall.observability import get_logger
from reports import store
from reports.domain.sales import daily_report, to_csv

logger = get_logger("reports-tasks")


def export_daily_sales(event: dict[str, Any]) -> dict[str, Any]:
    day = event.get("date") or (datetime.now(CHINA).date() - timedelta(days=1)).isoformat()
    report = daily_report(day, store.sales_counters(day))
    base = f"sales/daily/{day[:4]}/{day}"
    store.put_export(f"{base}.csv", to_csv(report), "text/csv")
    store.put_export(f"{base}.json", json.dumps(report, indent=1), "application/json")
    logger.info("daily sales exported", extra={"date": day, "policies": report["policies"]})
    return {"date": day, "policies": report["policies"], "premium": report["premium"], "key": f"{base}.csv"}


TASKS = {"export_daily_sales": export_daily_sales}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return tasks.run(TASKS, event, logger)
