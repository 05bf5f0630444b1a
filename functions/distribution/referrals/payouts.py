"""Payout provider interface and the sandbox provider.

A provider sends a withdrawal's money to the member's account and is idempotent on the withdrawal id:
asked again for the same withdrawal (a retried or concurrent approval) it answers the first payout and
sends nothing. A real provider (a bank's or a payment company's payout API) is another class with the
same method, passing the withdrawal id as its idempotency key.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from distribution.referrals.domain.withdrawals import mask_account_no
from distribution.referrals.repository import withdrawals


class PayoutProvider(Protocol):
    def payout(self, withdrawal_id: str, amount_cents: int, account: dict[str, Any]) -> dict[str, Any]:
        """Pay `amount_cents` to `account` ({holder_name, bank_name, account_no}); returns
        {payout_id, paid_at}. Raises withdrawals.PayoutFailed when the money was not sent."""
        ...


class SandboxPayoutProvider:
    """Records each payout in RewardsTable (PAYOUT#<withdrawal_id>) with a conditional put, so a
    withdrawal is paid once however often it is approved."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[str] = []  # withdrawal ids this process actually paid (for tests)

    def payout(self, withdrawal_id: str, amount_cents: int, account: dict[str, Any]) -> dict[str, Any]:
        payout, created = withdrawals.record_payout(
            withdrawal_id, amount_cents, mask_account_no(account["account_no"])
        )
        if payout["amount_cents"] != amount_cents:
            raise withdrawals.PayoutFailed("a different amount was already paid for this withdrawal")
        if created:
            with self._lock:
                self.sent.append(withdrawal_id)
        return {"payout_id": payout["payout_id"], "paid_at": payout["paid_at"]}


_provider: PayoutProvider | None = None


def provider() -> PayoutProvider:
    global _provider
    if _provider is None:
        _provider = SandboxPayoutProvider()
    return _provider
