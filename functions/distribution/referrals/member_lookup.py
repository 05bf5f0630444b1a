"""The operators' member lookup: find members by e-mail, invitation code or id, and one member's
detail (place in the referral tree, agent licence, invitees, addresses, balances and points)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distribution.referrals.domain import invitations as rules
from distribution.referrals.domain.agent_licences import MEMBER_ID
from insuremall import errors

DETAIL_INVITEES = 20


@dataclass(frozen=True)
class MemberDetail:
    state: dict[str, Any]  # referral_tree.invitation_state: the profile with its place in the tree
    inviter: dict[str, Any] | None  # the inviter's profile
    invitees: list[dict[str, Any]]  # the first page
    more_invitees: str | None  # the next page's cursor
    addresses: list[dict[str, Any]]
    balance: dict[str, int]  # referrals.repository.fee_ledger.balance (with the points)


@dataclass(frozen=True)
class MemberLookup:
    tree: Any  # referrals.repository.referral_tree
    members: Any  # members.repository: profiles and addresses
    ledger: Any  # referrals.repository.fee_ledger

    def find(self, q: str) -> list[dict[str, Any]]:
        """Members matching an e-mail address, an invitation code or a member id (their tree states)."""
        q = (q or "").strip()
        if not q or len(q) > 200:
            raise errors.Invalid({"q": "an e-mail address, invitation code or member id"})
        found: list[str] = []
        if "@" in q:
            member_id = self.tree.member_by_email(q)
            found += [member_id] if member_id else []
        else:
            code = rules.normalize_code(q)
            owner = self.tree.owner_of_code(code) if code else None
            found += [owner] if owner else []
            if MEMBER_ID.match(q) and q not in found:
                found.append(q)
        return [s for s in (self.tree.invitation_state(m) for m in found) if s]

    def detail(self, member_id: str) -> MemberDetail:
        state = self.tree.invitation_state(member_id) if MEMBER_ID.match(member_id or "") else None
        if state is None:
            raise errors.NotFound("No such member")
        inviter = self.members.get_member(state["inviter_id"]) if state["inviter_id"] else None
        invitees, more = self.tree.list_invitees(member_id, DETAIL_INVITEES, None)
        return MemberDetail(
            state=state,
            inviter=inviter,
            invitees=invitees,
            more_invitees=more,
            addresses=self.members.list_addresses(member_id),
            balance=self.ledger.balance(member_id),
        )
