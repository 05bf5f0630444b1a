"""Invitations and the referral tree: a member's code and share link, binding to an inviter, the
invitees list, the public code check, and the operators' member lookup (with the agent licence)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint

from distribution import store
from distribution.domain import invitation
from distribution.members import views as members
from distribution.rewards import ledger
from insuremall import auth, errors, web
from insuremall.observability import get_logger
from insuremall.privacy import mask_email, mask_id_number, mask_phone

bp = Blueprint(__name__)
logger = get_logger("distribution")

MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
LICENCE_NO = re.compile(r"^[A-Za-z0-9-]{6,40}$")
INVITEES_LIMIT, ADMIN_INVITEES = 50, 20


def _own_profile(caller: auth.Caller) -> dict[str, Any]:
    """The caller's profile; created on first use for users made outside sign-up."""
    if store.get_member(caller.subject) is None:
        store.create_member(caller.subject, caller.email or "", (caller.email or "member").split("@")[0])
    return store.invitation_state(caller.subject)  # type: ignore[return-value]


def _refusal(reason: str) -> dict[str, Any]:
    return {"bound": False, "reason": reason, "message": invitation.REASON_MESSAGES[reason]}


def bind(member_id: str, raw_code: Any) -> dict[str, Any]:
    """Bind `member_id` to the owner of an invitation code: {"bound": True, inviter...} or a refusal."""
    code = invitation.normalize_code(raw_code)
    if code is None:
        return _refusal(invitation.INVALID_CODE)
    inviter_id = store.owner_of_code(code)
    if inviter_id is None:
        return _refusal(invitation.UNKNOWN_CODE)
    reason, binding = store.bind_inviter(member_id, inviter_id)
    if reason:
        return _refusal(reason)
    logger.info("member bound to inviter", extra={"member_id": member_id, "inviter_id": inviter_id})
    return {"bound": True, "bound_at": binding["bound_at"]}


def bind_at_sign_up(member_id: str, raw_code: Any) -> dict[str, Any] | None:
    """Sign-up's optional invite_code: a bad code never blocks the sign-up, the answer says why."""
    if raw_code is None or raw_code == "":
        return None
    return bind(member_id, raw_code)


def _inviter_view(inviter_id: str | None) -> dict[str, Any] | None:
    inviter = store.get_member(inviter_id) if inviter_id else None
    return {"display_name": invitation.masked_name(inviter["display_name"])} if inviter else None


def _limit(raw: str | None, default: int, maximum: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise errors.Invalid({"limit": f"a whole number from 1 to {maximum}"})
    return int(raw)


@bp.route("/members/me/invitation", methods=["GET"])
def my_invitation():
    caller = auth.customer(bp.current_request)
    profile = _own_profile(caller)
    code = profile["invite_code"] or store.ensure_invite_code(caller.subject)
    return {
        "invite_code": code,
        "share_url": f"/?ref={code}",
        "inviter": _inviter_view(profile["inviter_id"]),
        "bound_at": profile["bound_at"],
        "invitees_count": profile["invitees_count"],
    }


@bp.route("/members/me/inviter", methods=["POST"])
def bind_my_inviter():
    caller = auth.customer(bp.current_request)
    body = web.json_object(bp.current_request)
    if not isinstance(body.get("invite_code"), str) or not body["invite_code"].strip():
        raise errors.Invalid({"invite_code": "is required"})
    _own_profile(caller)
    result = bind(caller.subject, body["invite_code"])
    if result["bound"]:
        return {**result, "inviter": _inviter_view(store.inviter_of(caller.subject))}
    if result["reason"] == invitation.ALREADY_BOUND:
        raise errors.Conflict(
            "You already have an inviter; it cannot be changed", {"invite_code": "already bound"}
        )
    raise errors.Invalid({"invite_code": result["message"]}, f"Not bound: {result['message']}")


@bp.route("/members/me/invitees", methods=["GET"])
def my_invitees():
    caller = auth.customer(bp.current_request)
    params = bp.current_request.query_params or {}
    limit = _limit(params.get("limit"), 20, INVITEES_LIMIT)
    after = params.get("after")
    if after is not None and not MEMBER_ID.match(after):
        raise errors.Invalid({"after": "use the `next` of the previous page"})
    page, next_cursor = store.list_invitees(caller.subject, limit, after)
    return {
        "invitees": [
            {
                "display_name": invitation.masked_name(i["display_name"]),
                "email": mask_email(i["email"]) if i["email"] else None,
                "bound_at": i["bound_at"],
                "level": 1,
            }
            for i in page
        ],
        "next": next_cursor,
    }


@bp.route("/invitations/{code}", methods=["GET"])
def check_invitation(code: str):
    normalized = invitation.normalize_code(code)
    owner = store.owner_of_code(normalized) if normalized else None
    inviter = store.get_member(owner) if owner else None
    return {
        "valid": inviter is not None,
        "inviter_display_name": invitation.masked_name(inviter["display_name"]) if inviter else None,
    }


# ---------- operators ----------


def _summary(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "member_id": state["member_id"],
        "display_name": state["display_name"],
        "email": mask_email(state["email"]) if state["email"] else None,
        "phone": mask_phone(state["phone"]) if state.get("phone") else None,
        "invite_code": state["invite_code"],
        "inviter_id": state["inviter_id"],
        "invitees_count": state["invitees_count"],
        "created_at": state["created_at"],
    }


def _licence_view(licence: dict[str, Any] | None) -> dict[str, Any] | None:
    if not licence:
        return None
    return {**licence, "licence_no": mask_id_number(licence["licence_no"])}


def _member_id(raw: str) -> str:
    if not MEMBER_ID.match(raw or ""):
        raise errors.NotFound("No such member")
    return raw


@bp.route("/admin/members", methods=["GET"])
def find_members():
    auth.operator(bp.current_request)
    q = ((bp.current_request.query_params or {}).get("q") or "").strip()
    if not q or len(q) > 200:
        raise errors.Invalid({"q": "an e-mail address, invitation code or member id"})
    found: list[str] = []
    if "@" in q:
        member_id = store.member_by_email(q)
        found += [member_id] if member_id else []
    else:
        code = invitation.normalize_code(q)
        owner = store.owner_of_code(code) if code else None
        found += [owner] if owner else []
        if MEMBER_ID.match(q) and q not in found:
            found.append(q)
    states = [s for s in (store.invitation_state(m) for m in found) if s]
    return {"members": [_summary(s) for s in states]}


@bp.route("/admin/members/{member_id}", methods=["GET"])
def member_detail(member_id: str):
    auth.operator(bp.current_request)
    state = store.invitation_state(_member_id(member_id))
    if state is None:
        raise errors.NotFound("No such member")
    inviter = store.get_member(state["inviter_id"]) if state["inviter_id"] else None
    invitees, more = store.list_invitees(member_id, ADMIN_INVITEES, None)
    balance = ledger.balance(member_id)
    return {
        "member": {
            **_summary(state),
            "bound_at": state["bound_at"],
            "agent_licence": _licence_view(state["agent_licence"]),
        },
        "inviter": (
            {
                "member_id": inviter["member_id"],
                "display_name": inviter["display_name"],
                "email": mask_email(inviter["email"]) if inviter["email"] else None,
            }
            if inviter
            else None
        ),
        "invitees_count": state["invitees_count"],
        "invitees": [
            {
                "member_id": i["invitee_id"],
                "display_name": invitation.masked_name(i["display_name"]),
                "email": mask_email(i["email"]) if i["email"] else None,
                "bound_at": i["bound_at"],
            }
            for i in invitees
        ],
        "invitees_next": more,
        "addresses": [members.address_view(a) for a in store.list_addresses(member_id)],
        "balance": {k: v for k, v in balance.items() if k != "points"},
        "points": balance["points"],
    }


@bp.route("/admin/members/{member_id}/licence", methods=["POST"])
def set_licence(member_id: str):
    operator = auth.operator(bp.current_request)
    body = web.json_object(bp.current_request)
    problems = {}
    licence_no = body.get("licence_no")
    if not isinstance(licence_no, str) or not LICENCE_NO.match(licence_no.strip()):
        problems["licence_no"] = "6-40 letters, digits or '-'"
    if not isinstance(body.get("verified"), bool):
        problems["verified"] = "true or false"
    if problems:
        raise errors.Invalid(problems)
    state = store.invitation_state(_member_id(member_id))
    if state is None:
        raise errors.NotFound("No such member")
    licence = {
        "licence_no": licence_no.strip().upper(),
        "verified": body["verified"],
        "verified_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "verified_by": operator.subject,
    }
    changes = {"agent_licence": {"from": _licence_view(state["agent_licence"]), "to": _licence_view(licence)}}
    if not store.set_agent_licence(member_id, licence, operator, changes):
        raise errors.NotFound("No such member")
    logger.info("agent licence set", extra={"member_id": member_id, "verified": licence["verified"]})
    return {"member_id": member_id, "agent_licence": _licence_view(licence)}
