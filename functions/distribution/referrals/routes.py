"""Referrals' routes: invitations and invitees, the public code check, the operators' member lookup
and agent licences, promotion-fee dashboards and ledgers, commission rates, payout accounts and
withdrawals."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from distribution import wiring
from distribution.referrals import views
from insuremall import auth, errors, web

bp = Blueprint(__name__)

MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
WITHDRAWAL_ID = re.compile(r"^[0-9a-f]{16}$")
INVITEES_PAGE, INVITEES_LIMIT = 20, 50


def _query() -> dict[str, str]:
    return bp.current_request.query_params or {}


def _member_id(raw: str) -> str:
    if not MEMBER_ID.match(raw or ""):
        raise errors.NotFound("No such member")
    return raw


def _invitees_page() -> tuple[int, str | None]:
    raw, after = _query().get("limit"), _query().get("after")
    if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= INVITEES_LIMIT):
        raise errors.Invalid({"limit": f"a whole number from 1 to {INVITEES_LIMIT}"})
    if after is not None and not MEMBER_ID.match(after):
        raise errors.Invalid({"after": "use the `next` of the previous page"})
    return (int(raw) if raw is not None else INVITEES_PAGE), after


# ---------- invitations ----------
@bp.route("/members/me/invitation", methods=["GET"])
def my_invitation():
    caller = auth.customer(bp.current_request)
    return views.my_invitation_view(wiring.invitations().mine(caller))


@bp.route("/members/me/inviter", methods=["POST"])
def bind_my_inviter():
    caller = auth.customer(bp.current_request)
    binding, inviter = wiring.invitations().bind_mine(caller, web.json_object(bp.current_request))
    return views.bound_view(binding, inviter)


@bp.route("/members/me/invitees", methods=["GET"])
def my_invitees():
    caller = auth.customer(bp.current_request)
    limit, after = _invitees_page()
    return views.invitees_view(*wiring.invitations().invitees(caller.subject, limit, after))


@bp.route("/invitations/{code}", methods=["GET"])
def check_invitation(code: str):
    return views.code_check_view(wiring.invitations().check(code))


# ---------- operators' member lookup and agent licences ----------
@bp.route("/admin/members", methods=["GET"])
def find_members():
    auth.operator(bp.current_request)
    return {"members": [views.member_summary(s) for s in wiring.member_lookup().find(_query().get("q"))]}


@bp.route("/admin/members/{member_id}", methods=["GET"])
def member_detail(member_id: str):
    auth.operator(bp.current_request)
    return views.member_detail_view(wiring.member_lookup().detail(member_id))


@bp.route("/admin/members/{member_id}/licence", methods=["POST"])
def set_licence(member_id: str):
    operator = auth.operator(bp.current_request)
    licence = wiring.agent_licences().set(operator, member_id, web.json_object(bp.current_request))
    return views.licence_set_view(member_id, licence)


# ---------- promotion fees ----------
@bp.route("/members/me/commissions", methods=["GET"])
def my_commissions():
    caller = auth.customer(bp.current_request)
    return views.dashboard_view(wiring.earnings().dashboard(caller.subject, own=True))


@bp.route("/members/me/commissions/entries", methods=["GET"])
def my_commission_entries():
    caller = auth.customer(bp.current_request)
    return views.entries_view(wiring.earnings().entries(caller.subject, _query()))


@bp.route("/admin/members/{member_id}/commissions", methods=["GET"])
def member_commissions(member_id: str):
    auth.operator(bp.current_request)
    return views.dashboard_view(wiring.earnings().dashboard(_member_id(member_id)))


@bp.route("/admin/members/{member_id}/commissions/entries", methods=["GET"])
def member_commission_entries(member_id: str):
    auth.operator(bp.current_request)
    return views.entries_view(wiring.earnings().entries(_member_id(member_id), _query()))


# ---------- commission rates ----------
@bp.route("/admin/commission-rates", methods=["GET"])
def list_commission_rates():
    auth.operator(bp.current_request)
    return {"rates": wiring.commission_rates().list(_query())}


@bp.route("/admin/commission-rates", methods=["POST"])
def add_commission_rate():
    operator = auth.operator(bp.current_request)
    saved = wiring.commission_rates().add(operator, web.json_object(bp.current_request))
    return Response(body=saved, status_code=201)


# ---------- payout accounts and withdrawals ----------
@bp.route("/members/me/payout-account", methods=["GET"])
def get_payout_account():
    caller = auth.customer(bp.current_request)
    # None on file yet is an answer, not an error: the rewards page asks on every load.
    return {"payout_account": views.payout_account_view(wiring.withdrawals().payout_account(caller.subject))}


@bp.route("/members/me/payout-account", methods=["PUT"])
def put_payout_account():
    caller = auth.customer(bp.current_request)
    saved = wiring.withdrawals().save_payout_account(caller.subject, web.json_object(bp.current_request))
    return views.payout_account_view(saved)


@bp.route("/members/me/withdrawals", methods=["POST"])
def request_withdrawal():
    request = bp.current_request
    caller = auth.customer(request)
    body, key = web.json_object(request), (request.headers or {}).get("idempotency-key")
    withdrawal, created = wiring.withdrawals().request(caller.subject, body, key)
    return Response(body=views.withdrawal_view(withdrawal), status_code=201 if created else 200)


@bp.route("/members/me/withdrawals", methods=["GET"])
def list_my_withdrawals():
    caller = auth.customer(bp.current_request)
    items, cursor = wiring.withdrawals().of_member(caller.subject, _query())
    return {"withdrawals": [views.withdrawal_view(w) for w in items], "next": cursor}


@bp.route("/admin/withdrawals", methods=["GET"])
def list_withdrawals():
    auth.operator(bp.current_request)
    status, items, cursor = wiring.withdrawals().in_status(_query())
    shown = [views.withdrawal_view(w, for_operator=True) for w in items]
    return {"status": status, "withdrawals": shown, "next": cursor}


@bp.route("/admin/withdrawals/{withdrawal_id}/decision", methods=["POST"])
def decide_withdrawal(withdrawal_id: str):
    operator = auth.operator(bp.current_request)
    if not WITHDRAWAL_ID.match(withdrawal_id or ""):
        raise errors.NotFound("No such withdrawal")
    decided = wiring.withdrawals().decide(operator, withdrawal_id, web.json_object(bp.current_request))
    return views.withdrawal_view(decided, for_operator=True)
