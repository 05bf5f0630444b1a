"""The daily check-in: once per China day, for the programme's signin_points."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class CheckedIn:
    new: bool  # False when the member had checked in today already (or check-ins earn nothing)
    awarded: int
    day: date
    balance: int


@dataclass(frozen=True)
class CheckIn:
    ledger: Any  # promotions.repository.points_ledger
    logger: logging.Logger

    def today(self, member_id: str) -> CheckedIn:
        new, awarded, day = self.ledger.check_in(member_id)
        if new:
            self.logger.info("member checked in", extra={"member_id": member_id, "points": awarded})
        return CheckedIn(new, awarded, day, self.ledger.balance(member_id))
