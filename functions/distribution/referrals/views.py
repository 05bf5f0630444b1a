"""Every response shape of referrals' routes: invitations and invitees, the operators' member views,
promotion-fee dashboards and ledger lines, commission rates and withdrawals. Other members' names and
e-mails, policy numbers, licence and account numbers are masked (insuremall.privacy and the rules'
own masks); a withdrawal's and a payout account's views are the rules' (referrals.domain.withdrawals)."""

from __future__ import annotations

from typing import Any

from distribution.members.views import address_view
from distribution.referrals.domain import agent_licences, promotion_fees, withdrawals
from distribution.referrals.domain import invitations as rules
from insuremall.money import from_cents
from insuremall.privacy import mask_email, mask_phone


def _masked_email(email: str | None) -> str | None:
    return mask_email(email) if email else None


# ---------- invitations ----------
def inviter_view(inviter: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"display_name": rules.masked_name(inviter["display_name"])} if inviter else None


def my_invitation_view(mine: Any) -> dict[str, Any]:
    """referrals.invitations.MyInvitation."""
    return {
        "invite_code": mine.code,
        "share_url": f"/?ref={mine.code}",
        "inviter": inviter_view(mine.inviter),
        "bound_at": mine.bound_at,
        "invitees_count": mine.invitees_count,
    }


def bound_view(binding: dict[str, Any], inviter: dict[str, Any] | None) -> dict[str, Any]:
    return {**binding, "inviter": inviter_view(inviter)}


def invitees_view(page: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {
        "invitees": [
            {
                "display_name": rules.masked_name(i["display_name"]),
                "email": _masked_email(i["email"]),
                "bound_at": i["bound_at"],
                "level": 1,
            }
            for i in page
        ],
        "next": next_cursor,
    }


def code_check_view(check: Any) -> dict[str, Any]:
    """referrals.invitations.CodeCheck."""
    return {
        "valid": check.valid,
        "inviter_display_name": rules.masked_name(check.inviter["display_name"]) if check.inviter else None,
    }


# ---------- operators' member views ----------
def member_summary(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "member_id": state["member_id"],
        "display_name": state["display_name"],
        "email": _masked_email(state["email"]),
        "phone": mask_phone(state["phone"]) if state.get("phone") else None,
        "invite_code": state["invite_code"],
        "inviter_id": state["inviter_id"],
        "invitees_count": state["invitees_count"],
        "created_at": state["created_at"],
    }


def member_detail_view(detail: Any) -> dict[str, Any]:
    """referrals.member_lookup.MemberDetail (the addresses shown as members' own views show them)."""
    state, inviter, balance = detail.state, detail.inviter, detail.balance
    return {
        "member": {
            **member_summary(state),
            "bound_at": state["bound_at"],
            "agent_licence": agent_licences.masked(state["agent_licence"]),
        },
        "inviter": (
            {
                "member_id": inviter["member_id"],
                "display_name": inviter["display_name"],
                "email": _masked_email(inviter["email"]),
            }
            if inviter
            else None
        ),
        "invitees_count": state["invitees_count"],
        "invitees": [
            {
                "member_id": i["invitee_id"],
                "display_name": rules.masked_name(i["display_name"]),
                "email": _masked_email(i["email"]),
                "bound_at": i["bound_at"],
            }
            for i in detail.invitees
        ],
        "invitees_next": detail.more_invitees,
        "addresses": [address_view(a) for a in detail.addresses],
        "balance": {k: v for k, v in balance.items() if k != "points"},
        "points": balance["points"],
    }


def licence_set_view(member_id: str, licence: dict[str, Any]) -> dict[str, Any]:
    return {"member_id": member_id, "agent_licence": agent_licences.masked(licence)}


# ---------- promotion fees ----------
def dashboard_view(dashboard: Any) -> dict[str, Any]:
    """referrals.earnings.Dashboard: the figures in fen and as CNY text."""
    balance, earned = dashboard.balance, dashboard.earned
    figures = {
        "today_cents": earned["today_cents"],
        "month_cents": earned["month_cents"],
        "total_cents": balance["earned_cents"],
        "pending_cents": balance["pending_cents"],
        "available_cents": balance["available_cents"],
        "reserved_cents": balance["reserved_cents"],
        "withdrawn_cents": balance["withdrawn_cents"],
    }
    shown = {
        **figures,
        "points": balance["points"],
        "currency": "CNY",
        "display": {name.removesuffix("_cents"): str(from_cents(cents)) for name, cents in figures.items()},
    }
    if dashboard.withdrawal_min_cents is not None:
        shown["withdrawal_min_cents"] = dashboard.withdrawal_min_cents
    return shown


def entry_view(entry: dict[str, Any]) -> dict[str, Any]:
    """A ledger line as members see it: the policy number masked, also inside the entry key."""
    policy_no = entry.get("policy_no")
    masked = promotion_fees.mask_policy_no(policy_no)
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


def entries_view(page: tuple[list[dict[str, Any]], str | None]) -> dict[str, Any]:
    items, cursor = page
    return {"entries": [entry_view(e) for e in items], "next": cursor}


# ---------- withdrawals ----------
def payout_account_view(account: dict[str, Any] | None) -> dict[str, Any] | None:
    return withdrawals.account_view(account) if account is not None else None


def withdrawal_view(withdrawal: dict[str, Any], for_operator: bool = False) -> dict[str, Any]:
    return withdrawals.view(withdrawal, for_operator=for_operator)
