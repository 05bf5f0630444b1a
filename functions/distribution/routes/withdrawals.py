"""Withdrawals of promotion fees: the member's payout account, withdrawal requests and history, and
the operators' approvals (approve pays out through the payout provider; reject returns the money)."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from distribution import payouts
from distribution.domain import withdrawal as rules
from distribution.promotions.repository import program_settings as rewards_settings
from distribution.rewards import ledger, withdrawals
from insuremall import auth, errors, web
from insuremall.observability import get_logger

bp = Blueprint(__name__)
logger = get_logger("distribution")

WITHDRAWAL_ID = re.compile(r"^[0-9a-f]{16}$")
DEFAULT_LIMIT = 20


def _page_params(request) -> tuple[int, str | None]:
    query = request.query_params or {}
    raw_limit, after = query.get("limit"), query.get("after")
    problems = {}
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= withdrawals.PAGE_LIMIT:
            problems["limit"] = f"must be a whole number from 1 to {withdrawals.PAGE_LIMIT}"
        else:
            limit = int(raw_limit)
    if after is not None:
        try:
            withdrawals.sort_key_of(after)
        except ValueError:
            problems["after"] = "is not a cursor of this list (use the previous page's next)"
    if problems:
        raise errors.Invalid(problems)
    return limit, after


@bp.route("/members/me/payout-account", methods=["GET"])
def get_payout_account():
    caller = auth.customer(bp.current_request)
    account = withdrawals.get_payout_account(caller.subject)
    # None on file yet is an answer, not an error: the rewards page asks on every load.
    return {"payout_account": rules.account_view(account) if account is not None else None}


@bp.route("/members/me/payout-account", methods=["PUT"])
def put_payout_account():
    caller = auth.customer(bp.current_request)
    account, problems = rules.parse_payout_account(web.json_object(bp.current_request))
    if problems:
        raise errors.Invalid(problems)
    saved = withdrawals.save_payout_account(caller.subject, account)
    view = rules.account_view(saved)
    logger.info("payout account saved", extra={"member_id": caller.subject, "account_no": view["account_no"]})
    return view


@bp.route("/members/me/withdrawals", methods=["POST"])
def request_withdrawal():
    request = bp.current_request
    caller = auth.customer(request)
    body = web.json_object(request)
    key = (request.headers or {}).get("idempotency-key")
    if not rules.valid_idempotency_key(key):
        raise errors.Malformed("Idempotency-Key must be 8-64 letters, digits, '-' or '_'")
    settings = rewards_settings.current()
    amount, problems = rules.parse_request(body, settings)
    if problems:
        raise errors.Invalid(problems)
    account = withdrawals.get_payout_account(caller.subject)
    if account is None:
        raise errors.Invalid({"payout_account": "add a payout account before withdrawing"})
    try:
        withdrawal, created = withdrawals.request(caller.subject, amount, account, key)
    except withdrawals.NotEnoughAvailable as exc:
        available = ledger.balance(caller.subject, consistent=True)["available_cents"]
        message, field = rules.not_enough_available(available)
        raise errors.Conflict(message, {"amount_cents": field}) from exc
    except withdrawals.KeyReused as exc:
        raise errors.Conflict("This Idempotency-Key was already used for a different amount") from exc
    if created:
        logger.info(
            "withdrawal requested",
            extra={
                "member_id": caller.subject,
                "withdrawal_id": withdrawal["withdrawal_id"],
                "amount_cents": amount,
            },
        )
        if rules.auto_approves(amount, settings):
            withdrawal = withdrawals.approve_automatically(withdrawal, payouts.provider())
    return Response(body=rules.view(withdrawal), status_code=201 if created else 200)


@bp.route("/members/me/withdrawals", methods=["GET"])
def list_my_withdrawals():
    caller = auth.customer(bp.current_request)
    limit, after = _page_params(bp.current_request)
    items, cursor = withdrawals.for_member(caller.subject, limit, after)
    return {"withdrawals": [rules.view(w) for w in items], "next": cursor}


@bp.route("/admin/withdrawals", methods=["GET"])
def list_withdrawals():
    auth.operator(bp.current_request)
    status = (bp.current_request.query_params or {}).get("status", "pending")
    if status not in rules.STATUSES:
        raise errors.Invalid({"status": f"must be one of {', '.join(rules.STATUSES)}"})
    limit, after = _page_params(bp.current_request)
    items, cursor = withdrawals.by_status(status, limit, after)
    return {
        "status": status,
        "withdrawals": [rules.view(w, for_operator=True) for w in items],
        "next": cursor,
    }


@bp.route("/admin/withdrawals/{withdrawal_id}/decision", methods=["POST"])
def decide_withdrawal(withdrawal_id: str):
    operator = auth.operator(bp.current_request)
    if not WITHDRAWAL_ID.match(withdrawal_id or ""):
        raise errors.NotFound("No such withdrawal")
    decision, note, problems = rules.parse_decision(web.json_object(bp.current_request))
    if problems:
        raise errors.Invalid(problems)
    try:
        withdrawal = withdrawals.decide(withdrawal_id, decision, note, operator, payouts.provider())
    except rules.InvalidDecision as exc:
        raise errors.Conflict(str(exc), {"decision": str(exc)}) from exc
    except withdrawals.PayoutFailed as exc:
        raise errors.Conflict(
            "The payout did not go through; the withdrawal stays approved - approve it again to retry"
        ) from exc
    if withdrawal is None:
        raise errors.NotFound("No such withdrawal")
    logger.info(
        "withdrawal decided",
        extra={"withdrawal_id": withdrawal_id, "decision": decision, "status": withdrawal["status"]},
    )
    return rules.view(withdrawal, for_operator=True)
