"""Reports API: operators read sales statistics, a day's sales by region, insurer, product and channel, and
the exports; they ask for custom-range and policy-detail exports, which run as jobs."""

from __future__ import annotations

from datetime import date

from chalice import Chalice, Response

from insuremall import auth, errors, invocation, web
from insuremall.observability import get_logger
from reports import export_jobs, statistics, store, views

app = Chalice(app_name="insuremall-reports")
logger = get_logger("reports")
web.install(app, logger)


@app.route("/reports/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "reports"}


@app.route("/reports/sales", methods=["GET"])
def sales():
    request = app.current_request
    auth.operator(request)
    query = statistics.parse_query(request.query_params or {})
    return statistics.sales(query, store.figures)


@app.route("/reports/exports", methods=["GET"])
def exports():
    auth.operator(app.current_request)
    return views.exports(store.exports(), export_jobs.listed(store))


@app.route("/reports/exports", methods=["POST"])
def ask_for_export():
    request = app.current_request
    auth.operator(request)
    job = export_jobs.request_export(web.json_object(request), store=store, start=_start_job)
    return Response(body=views.job(job), status_code=202)


def _start_job(job_id: str) -> None:
    """In ReportsTasksFunction, asynchronously: this request answers at once."""
    invocation.start("REPORTS_TASKS_FUNCTION", "run_export_job", job_id=job_id)


@app.route("/reports/sales/daily", methods=["GET"])
def daily_sales():
    request = app.current_request
    auth.operator(request)
    try:
        day = date.fromisoformat((request.query_params or {}).get("date", ""))
    except ValueError as exc:
        raise errors.Invalid({"date": "give the day as YYYY-MM-DD"}) from exc
    return statistics.day_by_dimension(day, store.figures)
