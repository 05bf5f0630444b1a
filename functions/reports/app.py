"""Reports API: operators read sales statistics, and a day's sales by region, insurer, product and channel."""

from __future__ import annotations

from datetime import date

from chalice import Chalice

from insuremall import auth, errors, web
from insuremall.observability import get_logger
from reports import statistics, store

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
    return {"exports": store.exports()}


@app.route("/reports/sales/daily", methods=["GET"])
def daily_sales():
    request = app.current_request
    auth.operator(request)
    try:
        day = date.fromisoformat((request.query_params or {}).get("date", ""))
    except ValueError as exc:
        raise errors.Invalid({"date": "give the day as YYYY-MM-DD"}) from exc
    return statistics.day_by_dimension(day, store.figures)
