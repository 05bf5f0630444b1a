"""Delivery addresses (for printed policies and gifts): exactly one default while any are saved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distribution.members.domain.member_details import parse_address
from distribution.members.profiles import ensure_profile
from insuremall import errors


@dataclass(frozen=True)
class Addresses:
    members: Any  # members.repository

    def list(self, member_id: str) -> list[dict[str, Any]]:
        """The default address first, then the others newest first."""
        return self.members.list_addresses(member_id)

    def add(self, caller: Any, body: dict[str, Any]) -> dict[str, Any]:
        address, problems = parse_address(body)
        errors.check(problems)
        ensure_profile(self.members, caller)
        return self.members.add_address(caller.subject, address)

    def remove(self, member_id: str, address_id: str) -> None:
        if not self.members.remove_address(member_id, address_id):
            raise errors.NotFound("No such address")
