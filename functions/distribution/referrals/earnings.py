"""A member's promotion fees as the rewards page (and operators) see them: the dashboard figures and
a page of the ledger. The dashboard reads the balance item and two day/month counters, and a ledger
page is one index Query, however long the ledger grows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from insuremall import errors
from insuremall.clock import Clock, china_today, utc_now

DEFAULT_PAGE = 20


@dataclass(frozen=True)
class Dashboard:
    balance: dict[str, int]  # fee_ledger.balance: pending, available, reserved, withdrawn, earned, points
    earned: dict[str, int]  # today_cents, month_cents
    withdrawal_min_cents: int | None = None  # the member's own page: the withdraw form states it


@dataclass(frozen=True)
class Earnings:
    ledger: Any  # referrals.repository.fee_ledger
    settings: Callable[[], dict[str, Any]]  # the programme settings in force
    now: Clock = utc_now

    def dashboard(self, member_id: str, *, own: bool = False) -> Dashboard:
        balance = self.ledger.balance(member_id)
        earned = self.ledger.earned_in(member_id, china_today(self.now))
        minimum = self.settings()["withdrawal_min_cents"] if own else None
        return Dashboard(balance, earned, minimum)

    def entries(self, member_id: str, query: dict[str, str]) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the member's ledger, newest first; `query`: limit and after (the last `next`)."""
        raw_limit = query.get("limit", str(DEFAULT_PAGE))
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= self.ledger.PAGE_LIMIT:
            raise errors.Invalid({"limit": f"must be a whole number from 1 to {self.ledger.PAGE_LIMIT}"})
        try:
            return self.ledger.page(member_id, int(raw_limit), query.get("after") or None)
        except ValueError as exc:
            problem = {"after": "is not a cursor of this list; start again without it"}
            raise errors.Invalid(problem) from exc
