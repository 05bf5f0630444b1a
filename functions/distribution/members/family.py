"""The family members a member saves to insure them quickly (at most MAX_FAMILY_MEMBERS, one spouse)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from distribution.members.domain.member_details import family_conflict, parse_family_member
from distribution.members.profiles import ensure_profile
from insuremall import errors


@dataclass(frozen=True)
class Family:
    members: Any  # members.repository
    logger: logging.Logger

    def list(self, member_id: str) -> list[dict[str, Any]]:
        return self.members.list_family(member_id)

    def get(self, member_id: str, family_member_id: str) -> dict[str, Any]:
        person = self.members.get_family_member(member_id, family_member_id)
        if person is None:
            raise errors.NotFound("No such family member")
        return person

    def add(self, caller: Any, body: dict[str, Any]) -> dict[str, Any]:
        person, problems = parse_family_member(body)
        errors.check(problems)
        ensure_profile(self.members, caller)
        conflict = family_conflict(person, self.members.list_family(caller.subject))
        if conflict:
            raise errors.Conflict(conflict)
        saved = self.members.add_family_member(caller.subject, person)
        self.logger.info(
            "family member added", extra={"member_id": caller.subject, "relation": saved["relation"]}
        )
        return saved

    def remove(self, member_id: str, family_member_id: str) -> None:
        if not self.members.remove_family_member(member_id, family_member_id):
            raise errors.NotFound("No such family member")
