"""Reports' response shapes (the exports list's files come with their links from store.exports)."""

from __future__ import annotations

from typing import Any

from reports.domain.jobs import Job


def job(job: Job) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "kind": job.kind,
        "from": job.start,
        "to": job.end,
        "status": job.status,
        "reason": job.reason,
        "requested_at": job.requested_at,
        "finished_at": job.finished_at,
        "rows": job.rows,
        "files": [{"key": key, "format": key.rsplit(".", 1)[-1]} for key in job.keys],
    }


def exports(files: list[dict[str, Any]], jobs: list[Job]) -> dict[str, Any]:
    return {"exports": files, "jobs": [job(j) for j in jobs]}
