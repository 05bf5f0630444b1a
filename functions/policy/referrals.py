"""Underwriting referrals: an application the rules could not decide waits (its saga paused on a task
token) until an operator accepts or declines it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from insuremall import audit, errors
from policy.domain.records import Referral

STATUSES = ("pending", "accepted", "declined")
DECISIONS = {"accept": "accepted", "decline": "declined"}


def decision_problems(decision: Any, note: Any) -> dict[str, str]:
    problems = {}
    if decision not in DECISIONS:
        problems["decision"] = "must be 'accept' or 'decline'"
    if not isinstance(note, str) or len(note) > 500:
        problems["note"] = "a text of at most 500 characters"
    if decision == "decline" and not (isinstance(note, str) and note.strip()):
        problems["note"] = "give the reason for the decline; the customer sees it"
    return problems


@dataclass(frozen=True)
class Referrals:
    store: Any  # policy.store
    resume: Callable[[str, dict[str, Any]], None]  # resume the paused saga: (task token, output)
    logger: logging.Logger

    def open(self, order_id: str, task_token: str, reasons: list[str], application: dict[str, Any]) -> None:
        summary = {
            "product": application["product"]["name"],
            "plan": application["plan"]["name"],
            "sum_insured": application["plan"]["sum_insured"],
            "premium": application["premium"]["total"],
            "insured_ages": [p["age"] for p in application["insured"]],
            "health_answers": application["health_answers"],
        }
        self.store.open_referral(order_id, task_token, list(reasons), summary)

    def listed(self, status: str) -> list[Referral]:
        """Pending (the queue, oldest first), accepted or declined (newest first)."""
        errors.check({} if status in STATUSES else {"status": f"must be one of {', '.join(STATUSES)}"})
        return self.store.referrals(status)

    def decide(self, order_id: str, operator: Any, decision: str, note: str) -> None:
        errors.check(decision_problems(decision, note))
        referral = self.store.get_referral(order_id)
        if referral is None:
            raise errors.NotFound("No referral for this order")
        outcome = DECISIONS[decision]
        # A decline's note is the reason the customer reads on the order; an accept's stays internal.
        entry = audit.entry(
            operator,
            f"referral.{outcome}",
            f"referral:{order_id}",
            {
                "status": {"from": "pending", "to": outcome},
                "note": {"from": None, "to": note or None},
                "shown_to_customer": {"from": None, "to": note if decision == "decline" else None},
            },
        )
        if not self.store.decide_referral(order_id, outcome, operator.subject, note, entry):
            raise errors.Conflict(f"This referral was already {self.store.get_referral(order_id).status}")
        self.resume(referral.task_token, {"outcome": decision, "reasons": [note] if note else []})
        self.logger.info(
            "referral decided",
            extra={"order_id": order_id, "decision": decision, "operator": operator.subject},
        )
