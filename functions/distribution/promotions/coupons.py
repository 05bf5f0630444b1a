"""Coupons: a member claims one from a running campaign (within its quota and the per-member limit),
and sees the coupons they hold. They are spent at checkout (promotions.discounts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Coupons:
    store: Any  # promotions.repository.campaigns: claim, claims
    logger: logging.Logger

    def claim(self, member_id: str, campaign_id: str, coupon_id: str) -> dict[str, Any]:
        """The member's new claim; NotFound, or a Conflict (sold out, limit reached, not running)."""
        claimed = self.store.claim(member_id, campaign_id, coupon_id)
        self.logger.info("coupon claimed", extra={"campaign_id": campaign_id, "coupon_id": coupon_id})
        return claimed

    def held_by(self, member_id: str) -> list[dict[str, Any]]:
        """The member's coupons, newest first."""
        return self.store.claims(member_id)
