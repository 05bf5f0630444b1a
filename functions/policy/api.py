"""What other capabilities may ask the policy capability; they import these names, never its store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PolicyOutcome:
    """Where a policy stands after it was issued, as the order that sold it shows it."""

    status: str  # in_force, cancelled or expired
    cancelled_at: str | None = None
    refund: dict[str, Any] | None = None  # {status: pending|refunded|none, amount_cents, refunded_at?}


def policy_outcomes(policy_nos: list[str]) -> dict[str, PolicyOutcome]:
    """The outcome of each named policy that exists (one batch read, however many)."""
    from policy import store

    outcomes = {}
    for no, state in store.policy_states(policy_nos).items():
        done = state.get("cancellation") or {}
        outcomes[no] = PolicyOutcome(
            status=state["status"], cancelled_at=done.get("cancelled_at"), refund=done.get("refund")
        )
    return outcomes
