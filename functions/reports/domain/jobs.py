"""Export jobs operators ask for (pure): the request's rules, the job's states and when a pending job is
taken for failed.

A job is `pending` from the request until ReportsTasksFunction has written its files (`ready`) or given up
(`failed`, with the reason). A job still pending long after the function's time limit (it was killed,
or never started) is shown as failed, so that nothing waits for ever.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

KINDS = ("range", "detail")  # sales by dimension over a custom range; every policy issued or cancelled
MAX_DAYS = 366
STALE_AFTER = timedelta(minutes=20)  # ReportsTasksFunction's timeout is 15 minutes
PENDING, READY, FAILED = "pending", "ready", "failed"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    start: date
    end: date  # inclusive


@dataclass(frozen=True)
class Job:
    job_id: str
    kind: str
    start: str
    end: str
    status: str
    requested_at: str
    reason: str | None = None
    finished_at: str | None = None
    keys: tuple[str, ...] = ()
    rows: int | None = None

    def same_request(self, request: ExportRequest) -> bool:
        return (self.kind, self.start, self.end) == (
            request.kind,
            request.start.isoformat(),
            request.end.isoformat(),
        )


def read_request(body: Mapping[str, Any]) -> tuple[ExportRequest | None, dict[str, str]]:
    """The request, or the problems with it by field (from <= to, at most MAX_DAYS days, real days)."""
    problems: dict[str, str] = {}
    kind = body.get("kind")
    if kind not in KINDS:
        problems["kind"] = f"one of {', '.join(KINDS)}"
    bounds: dict[str, date] = {}
    for name in ("from", "to"):
        text = body.get(name)
        try:
            if not isinstance(text, str) or not _DAY.match(text):
                raise ValueError(text)
            bounds[name] = date.fromisoformat(text)
        except ValueError:
            problems[name] = "give a real day as YYYY-MM-DD"
    if len(bounds) == 2:
        if bounds["to"] < bounds["from"]:
            problems["to"] = "must not be before from"
        elif (bounds["to"] - bounds["from"]).days + 1 > MAX_DAYS:
            problems["to"] = f"at most {MAX_DAYS} days after from (inclusive)"
    if problems:
        return None, problems
    return ExportRequest(str(kind), bounds["from"], bounds["to"]), {}


def new_job_id(now: datetime, token: str) -> str:
    """Ids that sort by the moment they were asked (a reverse query lists jobs newest first)."""
    return f"{now.strftime('%Y%m%dT%H%M%S%f')[:-3]}-{token}"


def shown(job: Job, now: datetime) -> Job:
    """The job as an operator should see it: pending past STALE_AFTER is failed."""
    asked = datetime.fromisoformat(job.requested_at)
    if job.status == PENDING and now - asked > STALE_AFTER:
        minutes = int(STALE_AFTER.total_seconds() // 60)
        return replace(
            job, status=FAILED, reason=f"It did not finish within {minutes} minutes. Ask for it again."
        )
    return job
