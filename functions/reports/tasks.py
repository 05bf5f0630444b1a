"""Reports' background work: the events stream (sales counted, events landed in the analysts' lake), the
scheduled exports and the export jobs operators ask for."""

from __future__ import annotations

from datetime import date
from typing import Any

from insuremall import event_stream, tasks
from insuremall.clock import china_today
from insuremall.observability import get_logger
from reports import counting, detail_export, export_jobs, exporting, landing, store
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


def fold_staged_sales(event: dict[str, Any]) -> dict[str, Any]:
    """Fold figures a stopped count left staged (every few minutes; nothing to do on most runs)."""
    folded = counting.sweep(store, store.LANES)
    if folded.writes:
        logger.info("staged sales folded", extra=folded.__dict__)
    return folded.__dict__


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


def run_export_job(event: dict[str, Any]) -> dict[str, Any]:
    """An export job an operator asked for (POST /reports/exports): its files, then ready or failed."""
    job = export_jobs.run_job(event["job_id"], store=store, runners=RUNNERS)
    logger.info(
        "export job", extra={"job_id": job.job_id, "kind": job.kind, "status": job.status, "rows": job.rows}
    )
    return {"job_id": job.job_id, "status": job.status, "keys": list(job.keys), "rows": job.rows}


def _range(start: date, end: date) -> tuple[tuple[str, ...], int | None]:
    done = exporting.export_period("custom", start, end, read=store.figures, put=store.put_export)
    return done.keys, None


def _detail(start: date, end: date) -> tuple[tuple[str, ...], int | None]:
    done = detail_export.export_detail(start, end, read=store.policy_events, put_file=store.put_export_file)
    return done.keys, done.rows


RUNNERS = {"range": _range, "detail": _detail}

TASKS = {
    "fold_staged_sales": fold_staged_sales,
    "export_daily_sales": export_daily_sales,
    "export_weekly_sales": export_weekly_sales,
    "export_monthly_sales": export_monthly_sales,
    "run_export_job": run_export_job,
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        return consume_events(event["Records"])
    return tasks.run(TASKS, event, logger)
