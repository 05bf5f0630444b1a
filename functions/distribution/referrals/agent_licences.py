"""Operators record a member's agent licence (verified or not), audited with the change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from distribution.referrals.domain.agent_licences import MEMBER_ID, masked, parse_licence
from insuremall import errors
from insuremall.clock import Clock, utc_now


@dataclass(frozen=True)
class AgentLicences:
    tree: Any  # referrals.repository.referral_tree: invitation_state, set_agent_licence
    logger: logging.Logger
    now: Clock = utc_now

    def set(self, operator: Any, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The member's new licence ({licence_no, verified, verified_at, verified_by})."""
        licence_no, verified, problems = parse_licence(body)
        errors.check(problems)
        state = self.tree.invitation_state(member_id) if MEMBER_ID.match(member_id or "") else None
        if state is None:
            raise errors.NotFound("No such member")
        licence = {
            "licence_no": licence_no,
            "verified": verified,
            "verified_at": self.now().isoformat(timespec="milliseconds"),
            "verified_by": operator.subject,
        }
        changes = {"agent_licence": {"from": masked(state["agent_licence"]), "to": masked(licence)}}
        if not self.tree.set_agent_licence(member_id, licence, operator, changes):
            raise errors.NotFound("No such member")
        self.logger.info("agent licence set", extra={"member_id": member_id, "verified": verified})
        return licence
