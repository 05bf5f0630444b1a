"""The sales promotion fees were earned on, as the PolicyIssued events on EventsTable recorded them
(the policy capability writes them; a PolicyCancelled event does not repeat the attribution)."""

from __future__ import annotations

from typing import Any

from distribution import consumed_events
from insuremall.events import PolicyIssued
from insuremall.models.events import DomainEventRecord


def attribution_of(policy_no: str) -> dict[str, Any]:
    """The sale's attribution ({"level1", "level2", "source"}), or {} without its PolicyIssued event."""
    try:
        record = DomainEventRecord.get(f"POLICY#{policy_no}", "PolicyIssued", consistent_read=True)
    except DomainEventRecord.DoesNotExist:
        return {}
    return consumed_events.read(PolicyIssued, record.payload or {}).attribution or {}
