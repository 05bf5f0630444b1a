"""Campaigns: the operators' list, creating and changing a campaign (its coupons keep what members
claimed), and the campaigns running now that the storefront shows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from distribution.promotions.domain import coupons as rules
from insuremall import errors
from insuremall.clock import now_iso


@dataclass(frozen=True)
class Campaigns:
    store: Any  # promotions.repository.campaigns
    logger: logging.Logger
    now: Callable[[], str] = now_iso

    def all(self) -> list[dict[str, Any]]:
        """Every campaign, latest ending first (operators)."""
        return self.store.list_all()

    def running(self) -> list[dict[str, Any]]:
        return self.store.active()

    def create(self, operator: Any, body: dict[str, Any]) -> dict[str, Any]:
        campaign, problems = rules.parse_campaign(body, self.now())
        errors.check(problems)
        created = self.store.create(campaign, operator)
        self.logger.info("campaign created", extra={"campaign_id": created["campaign_id"]})
        return created

    def update(self, operator: Any, campaign_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Replace a campaign; a claimed coupon cannot go, nor its quota below what was claimed."""
        current = self.store.get(campaign_id, consistent=True)
        if current is None:
            raise errors.NotFound("No such campaign")
        campaign, problems = rules.parse_campaign(body, self.now(), current)
        errors.check(problems)

        def refuse(claimed: dict[str, int]) -> None:
            errors.check(rules.quota_problems(campaign["coupons"], claimed))

        updated = self.store.update(campaign_id, campaign, operator, refuse)
        self.logger.info("campaign updated", extra={"campaign_id": campaign_id})
        return updated
