"""Invitations: a member's code and share link, binding a member to an inviter (once; at sign-up or
later), the members one invited, and the public check of a code. The tree's writes are conditional
(referrals.repository.referral_tree), so concurrent bindings can never close a cycle."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from distribution.members.profiles import ensure_profile
from distribution.referrals.domain import invitations as rules
from insuremall import errors


@dataclass(frozen=True)
class MyInvitation:
    code: str
    inviter: dict[str, Any] | None  # the inviter's profile
    bound_at: str | None
    invitees_count: int


@dataclass(frozen=True)
class CodeCheck:
    valid: bool
    inviter: dict[str, Any] | None  # the code owner's profile


def _refusal(reason: str) -> dict[str, Any]:
    return {"bound": False, "reason": reason, "message": rules.REASON_MESSAGES[reason]}


@dataclass(frozen=True)
class Invitations:
    tree: Any  # referrals.repository.referral_tree
    members: Any  # members.repository: the profiles the tree hangs on
    logger: logging.Logger

    def _own_state(self, caller: Any) -> dict[str, Any]:
        ensure_profile(self.members, caller)
        return self.tree.invitation_state(caller.subject)

    def _profile(self, member_id: str | None) -> dict[str, Any] | None:
        return self.members.get_member(member_id) if member_id else None

    def mine(self, caller: Any) -> MyInvitation:
        """The caller's code (made on first use), inviter and invitee count."""
        state = self._own_state(caller)
        code = state["invite_code"] or self.tree.ensure_invite_code(caller.subject)
        return MyInvitation(
            code, self._profile(state["inviter_id"]), state["bound_at"], state["invitees_count"]
        )

    def bind(self, member_id: str, raw_code: Any) -> dict[str, Any]:
        """Bind `member_id` to the owner of an invitation code: {"bound": True, "bound_at"} or a refusal
        {"bound": False, "reason", "message"}."""
        code = rules.normalize_code(raw_code)
        if code is None:
            return _refusal(rules.INVALID_CODE)
        inviter_id = self.tree.owner_of_code(code)
        if inviter_id is None:
            return _refusal(rules.UNKNOWN_CODE)
        reason, binding = self.tree.bind_inviter(member_id, inviter_id)
        if reason:
            return _refusal(reason)
        self.logger.info("member bound to inviter", extra={"member_id": member_id, "inviter_id": inviter_id})
        return {"bound": True, "bound_at": binding["bound_at"]}

    def bind_at_sign_up(self, member_id: str, raw_code: Any) -> dict[str, Any] | None:
        """Sign-up's optional invite_code: a bad code never blocks the sign-up, the answer says why."""
        if raw_code is None or raw_code == "":
            return None
        return self.bind(member_id, raw_code)

    def bind_mine(self, caller: Any, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Bind the caller to the code's owner: (the binding, the inviter's profile). Conflict when the
        caller already has an inviter, Invalid when the code cannot be used."""
        if not isinstance(body.get("invite_code"), str) or not body["invite_code"].strip():
            raise errors.Invalid({"invite_code": "is required"})
        self._own_state(caller)
        result = self.bind(caller.subject, body["invite_code"])
        if result["bound"]:
            return result, self._profile(self.tree.inviter_of(caller.subject))
        if result["reason"] == rules.ALREADY_BOUND:
            raise errors.Conflict(
                "You already have an inviter; it cannot be changed", {"invite_code": "already bound"}
            )
        raise errors.Invalid({"invite_code": result["message"]}, f"Not bound: {result['message']}")

    def invitees(
        self, member_id: str, limit: int, after: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the members `member_id` invited, and the next page's cursor."""
        return self.tree.list_invitees(member_id, limit, after)

    def check(self, raw_code: str) -> CodeCheck:
        """Whether a code (from a shared link) is a member's, and whose."""
        code = rules.normalize_code(raw_code)
        inviter = self._profile(self.tree.owner_of_code(code) if code else None)
        return CodeCheck(inviter is not None, inviter)
