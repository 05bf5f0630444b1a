"""A member's points as the rewards page shows them: the balance, today's check-in, what expires soon
and a page of history; and the operators' view of a member's points with the ledger's totals. One
request reads the balance item, the points state, a few lots and one index page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from insuremall import errors

DEFAULT_PAGE = 20


@dataclass(frozen=True)
class PointsPage:
    balance: int
    check_in: dict[str, Any]
    expiring_soon: dict[str, Any] | None
    history: list[dict[str, Any]]
    next: str | None
    totals: dict[str, int] | None = None  # operators only


@dataclass(frozen=True)
class Points:
    ledger: Any  # promotions.repository.points_ledger
    member_exists: Callable[[str], bool]  # members' profiles

    def page(self, member_id: str, query: dict[str, str]) -> PointsPage:
        """`query`: the request's limit and after (the previous page's next)."""
        raw_limit = query.get("limit", str(DEFAULT_PAGE))
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= self.ledger.PAGE_LIMIT:
            raise errors.Invalid({"limit": f"must be a whole number from 1 to {self.ledger.PAGE_LIMIT}"})
        try:
            history, cursor = self.ledger.history(member_id, int(raw_limit), query.get("after") or None)
        except ValueError as exc:
            raise errors.Invalid({"after": "is not a cursor of this list; start again without it"}) from exc
        return PointsPage(
            balance=self.ledger.balance(member_id),
            check_in=self.ledger.check_in_today(member_id),
            expiring_soon=self.ledger.expiring_soon(member_id),
            history=history,
            next=cursor,
        )

    def of_member(self, member_id: str, query: dict[str, str]) -> PointsPage:
        """For operators: NotFound unless the member has a profile."""
        if not self.member_exists(member_id):
            raise errors.NotFound("No such member")
        return replace(self.page(member_id, query), totals=self.ledger.totals(member_id))
