"""A promotion-fee ledger entry (pure): its kinds, the balances it moves and its key, which is its
idempotency key (subject + kind). referrals.repository.fee_ledger writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BALANCES = ("pending", "available", "reserved", "withdrawn")
# Every kind an entry may have (the API's CommissionEntry.kind enum lists exactly these):
# fees earn (pending), release (pending -> available: release + available), void or clawback;
# withdrawals reserve (available -> reserved: reserve + reserved), pay out (payout + withdrawn) or
# are rejected (unreserve + returned); adjust is a correction.
KINDS = (
    "earn",
    "release",
    "available",
    "void",
    "clawback",
    "reserve",
    "reserved",
    "unreserve",
    "returned",
    "payout",
    "withdrawn",
    "adjust",
)


@dataclass(frozen=True)
class Entry:
    subject: str  # what the entry is about: "P<policy_no>#L<level>" or "W<withdrawal_id>"
    kind: str  # one of KINDS
    amount_cents: int  # signed amount added to `balance`
    balance: str  # which balance it moves: pending | available | reserved | withdrawn
    policy_no: str | None = None
    level: int | None = None
    withdrawal_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    release_on: str | None = None  # earn entries: the day they may become available (byDue index)
    earned: bool = False  # counts toward "earned" (dashboard totals): earn, void, clawback
    # What it adds to "earned" when that differs from amount_cents (a clawback of a fee paid in
    # points takes points back, moves no cash, and still lowers the fees earned).
    earned_cents: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"not a ledger entry kind: {self.kind!r}")
        if self.balance not in BALANCES:
            raise ValueError(f"not a balance: {self.balance!r}")

    @property
    def sk(self) -> str:
        return entry_sk(self.subject, self.kind)


def entry_sk(subject: str, kind: str) -> str:
    return f"LEDGER#{subject}#{kind}"
