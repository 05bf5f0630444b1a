"""Promotion fees: the member's dashboard and ledger, the operators' view of a member's, commission
rates and the programme settings. The dashboard reads the balance item and two day/month counters,
and a ledger page is one index Query, however long the ledger grows."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalice import Blueprint, Response

from distribution.domain import commission
from distribution.promotions.repository import program_settings as settings
from distribution.rewards import commission_rates, ledger
from insuremall import auth, errors, web
from insuremall.money import from_cents
from insuremall.observability import get_logger

bp = Blueprint(__name__)
logger = get_logger("distribution")

MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
DEFAULT_PAGE = 20


def _today():
    return datetime.now(commission.CHINA).date()


# ---------- dashboard and ledger ----------
def dashboard(member_id: str) -> dict[str, Any]:
    balance = ledger.balance(member_id)
    earned = ledger.earned_in(member_id, _today())
    figures = {
        "today_cents": earned["today_cents"],
        "month_cents": earned["month_cents"],
        "total_cents": balance["earned_cents"],
        "pending_cents": balance["pending_cents"],
        "available_cents": balance["available_cents"],
        "reserved_cents": balance["reserved_cents"],
        "withdrawn_cents": balance["withdrawn_cents"],
    }
    return {
        **figures,
        "points": balance["points"],
        "currency": "CNY",
        "display": {name.removesuffix("_cents"): str(from_cents(cents)) for name, cents in figures.items()},
    }


def entry_view(entry: dict[str, Any]) -> dict[str, Any]:
    """A ledger line as members see it: the policy number masked, also inside the entry key."""
    policy_no = entry.get("policy_no")
    masked = commission.mask_policy_no(policy_no)
    key = entry["key"].replace(policy_no, masked, 1) if policy_no else entry["key"]
    return {
        "key": key,
        "kind": entry["kind"],
        "amount_cents": entry["amount_cents"],
        "amount": str(from_cents(entry["amount_cents"])),
        "balance": entry["balance"],
        "at": entry["at"],
        "policy_no": masked,
        "level": entry["level"],
        "withdrawal_id": entry.get("withdrawal_id"),
        "detail": entry.get("detail") or {},
    }


def entries_page(member_id: str, request) -> dict[str, Any]:
    params = request.query_params or {}
    problems = {}
    raw_limit = params.get("limit", str(DEFAULT_PAGE))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= ledger.PAGE_LIMIT:
        problems["limit"] = f"must be a whole number from 1 to {ledger.PAGE_LIMIT}"
    after = params.get("after") or None
    if problems:
        raise errors.Invalid(problems)
    try:
        items, cursor = ledger.page(member_id, int(raw_limit), after)
    except ValueError as exc:
        problem = {"after": "is not a cursor of this list; start again without it"}
        raise errors.Invalid(problem) from exc
    return {"entries": [entry_view(e) for e in items], "next": cursor}


def _member_id(raw: str) -> str:
    if not MEMBER_ID.match(raw or ""):
        raise errors.NotFound("No such member")
    return raw


@bp.route("/members/me/commissions", methods=["GET"])
def my_commissions():
    caller = auth.customer(bp.current_request)

    # The withdraw form states the minimum before the member types an amount.
    return dashboard(caller.subject) | {"withdrawal_min_cents": settings.current()["withdrawal_min_cents"]}


@bp.route("/members/me/commissions/entries", methods=["GET"])
def my_commission_entries():
    caller = auth.customer(bp.current_request)
    return entries_page(caller.subject, bp.current_request)


@bp.route("/admin/members/{member_id}/commissions", methods=["GET"])
def member_commissions(member_id: str):
    auth.operator(bp.current_request)
    return dashboard(_member_id(member_id))


@bp.route("/admin/members/{member_id}/commissions/entries", methods=["GET"])
def member_commission_entries(member_id: str):
    auth.operator(bp.current_request)
    return entries_page(_member_id(member_id), bp.current_request)


# ---------- commission rates ----------
@bp.route("/admin/commission-rates", methods=["GET"])
def list_commission_rates():
    auth.operator(bp.current_request)
    params = bp.current_request.query_params or {}
    product_id, category_id = params.get("product_id"), params.get("category_id")
    if product_id and category_id:
        raise errors.Invalid({"category_id": "give product_id or category_id, not both"})
    if product_id or category_id:
        scope, scope_id = ("product", product_id) if product_id else ("category", category_id)
        if not commission.is_scope_id(scope_id):
            raise errors.Invalid({f"{scope}_id": "is not a product or category id"})
        return {"rates": commission_rates.history(scope, scope_id)}
    return {"rates": commission_rates.all_rates()}


@bp.route("/admin/commission-rates", methods=["POST"])
def add_commission_rate():
    caller = auth.operator(bp.current_request)
    today = _today()
    rate, problems = commission.parse_rate(web.json_object(bp.current_request), today)
    if problems:
        raise errors.Invalid(problems)
    try:
        saved = commission_rates.add(rate, caller, today)
    except commission_rates.RateAlreadyInEffect as exc:
        raise errors.Conflict(
            f"A rate from {rate['effective_from']} is already in effect and may have paid fees; "
            "add a rate from a later day",
            {"effective_from": "a rate from this day is in effect"},
        ) from exc
    logger.info("commission rate saved", extra={k: rate[k] for k in ("scope", "scope_id", "effective_from")})
    return Response(body=saved, status_code=201)
