"""The member's messages (policy issued, renewal reminders ...), written by insuremall.notifications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Notifications:
    members: Any  # members.repository

    def list(self, member_id: str) -> list[dict[str, Any]]:
        """Newest first (at most insuremall.notifications.LIST_LIMIT)."""
        return self.members.list_notifications(member_id)
