"""The member's own profile: read (made on first use) and changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distribution.members.domain.member_details import parse_profile_update
from insuremall import errors


def ensure_profile(members: Any, caller: Any) -> dict[str, Any]:
    """The caller's profile; created on first use for users made outside sign-up (e.g. by operators)."""
    return members.get_member(caller.subject) or members.create_member(
        caller.subject, caller.email or "", (caller.email or "member").split("@")[0]
    )


@dataclass(frozen=True)
class Profiles:
    members: Any  # members.repository

    def own(self, caller: Any) -> dict[str, Any]:
        return ensure_profile(self.members, caller)

    def update(self, caller: Any, body: dict[str, Any]) -> dict[str, Any]:
        """Change display_name and/or phone (null or "" removes the phone)."""
        changes, problems = parse_profile_update(body)
        errors.check(problems)
        ensure_profile(self.members, caller)
        return self.members.update_member(caller.subject, changes)
