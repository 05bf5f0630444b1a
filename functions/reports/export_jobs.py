"""Export jobs: an operator asks for a custom-range or a policy-level detail export; it runs outside the
request (API Gateway ends a request at 29 s) in ReportsTasksFunction, and its files are listed with the
others when ready. Asking again while the same job is pending answers that job; asking again later runs it
again, and writes the same keys with the same content."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol

from insuremall import errors
from insuremall.clock import Clock, now_iso, utc_now
from reports.domain import jobs as rules
from reports.domain.jobs import Job

# (first day, last day) -> (keys written, rows or None)
Runner = Callable[[date, date], tuple[tuple[str, ...], int | None]]
RECENT = 50  # jobs listed (and looked through for the same pending request)


class JobStore(Protocol):
    def add_job(self, job: Job) -> None: ...
    def job(self, job_id: str) -> Job | None: ...
    def recent_jobs(self, limit: int) -> list[Job]: ...
    def finish_job(self, job_id: str, *, status: str, at: str, reason: str | None = None,
                   keys: tuple[str, ...] = (), rows: int | None = None) -> None: ...  # fmt: skip


def request_export(body: Mapping[str, Any], *, store: JobStore, start: Callable[[str], None],
                   now: Clock = utc_now) -> Job:  # fmt: skip
    """Validate the request (422 naming the field), record the job as pending and start it."""
    request, problems = rules.read_request(body)
    errors.check(problems)
    moment = now()
    for job in store.recent_jobs(RECENT):
        if job.same_request(request) and rules.shown(job, moment).status == rules.PENDING:
            return job  # the same export is on its way: one run is enough
    job = Job(
        job_id=rules.new_job_id(moment, secrets.token_hex(3)), kind=request.kind,
        start=request.start.isoformat(), end=request.end.isoformat(), status=rules.PENDING,
        requested_at=now_iso(moment),
    )  # fmt: skip
    store.add_job(job)
    start(job.job_id)
    return job


def run_job(job_id: str, *, store: JobStore, runners: Mapping[str, Runner], now: Clock = utc_now) -> Job:
    """Write the job's files and mark it ready; a failure marks it failed with the reason (an unexpected
    one is also raised again, so that Lambda retries the job: the retry rewrites the same keys)."""
    job = store.job(job_id)
    if job is None:
        raise errors.NotFound(f"No export job {job_id}")
    if job.status == rules.READY:
        return job  # a retried invocation of a job that finished
    try:
        keys, rows = runners[job.kind](date.fromisoformat(job.start), date.fromisoformat(job.end))
    except errors.Failure as failure:  # a rule refused it: trying again would change nothing
        store.finish_job(job_id, status=rules.FAILED, at=now_iso(now()), reason=failure.message)
        return store.job(job_id) or job
    except Exception as exc:
        reason = f"The export failed ({type(exc).__name__}); it is tried again, or ask for it again."
        store.finish_job(job_id, status=rules.FAILED, at=now_iso(now()), reason=reason)
        raise
    store.finish_job(job_id, status=rules.READY, at=now_iso(now()), keys=keys, rows=rows)
    return store.job(job_id) or job


def listed(store: JobStore, now: Clock = utc_now) -> list[Job]:
    """The latest jobs, newest first, as operators should see them (a job pending too long is failed)."""
    moment = now()
    return [rules.shown(job, moment) for job in store.recent_jobs(RECENT)]
