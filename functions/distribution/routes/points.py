"""Points: the member's balance, what expires soon and a page of history; the daily check-in; the
operators' view of a member's points. A request reads the balance item, the points state, a few lots
and one index page, however long the history grows."""

from __future__ import annotations

import re
from typing import Any

from chalice import Blueprint

from distribution import store
from distribution.rewards import points
from insuremall import auth, errors
from insuremall.observability import get_logger

bp = Blueprint(__name__)
logger = get_logger("distribution")

MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
DEFAULT_PAGE = 20


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A history line; another member's id (the invitee) is masked."""
    key = entry["key"]
    if key.startswith("INVITE#"):
        key = "INVITE#" + key.removeprefix("INVITE#")[:4] + "****"
    return entry | {"key": key}


def points_view(member_id: str, request) -> dict[str, Any]:
    params = request.query_params or {}
    raw_limit = params.get("limit", str(DEFAULT_PAGE))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= points.PAGE_LIMIT:
        raise errors.Invalid({"limit": f"must be a whole number from 1 to {points.PAGE_LIMIT}"})
    try:
        history, cursor = points.history(member_id, int(raw_limit), params.get("after") or None)
    except ValueError as exc:
        raise errors.Invalid({"after": "is not a cursor of this list; start again without it"}) from exc
    return {
        "points": points.balance(member_id),
        "check_in": points.check_in_today(member_id),
        "expiring_soon": points.expiring_soon(member_id),
        "history": [_entry(e) for e in history],
        "next": cursor,
    }


@bp.route("/members/me/points", methods=["GET"])
def my_points():
    caller = auth.customer(bp.current_request)
    return points_view(caller.subject, bp.current_request)


@bp.route("/members/me/check-in", methods=["POST"])
def check_in():
    caller = auth.customer(bp.current_request)
    new, awarded, day = points.check_in(caller.subject)
    if new:
        logger.info("member checked in", extra={"member_id": caller.subject, "points": awarded})
    return {
        "checked_in": True,
        "already_checked_in": not new,
        "day": day.isoformat(),
        "points_awarded": awarded,
        "points": points.balance(caller.subject),
    }


@bp.route("/admin/members/{member_id}/points", methods=["GET"])
def member_points(member_id: str):
    auth.operator(bp.current_request)
    if not MEMBER_ID.match(member_id or "") or store.get_member(member_id) is None:
        raise errors.NotFound("No such member")
    return points_view(member_id, bp.current_request) | {"totals": points.totals(member_id)}
