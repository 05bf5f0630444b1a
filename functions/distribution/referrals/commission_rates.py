"""Commission rates: the operators add a product's or a category's rates from a day (today or later,
China time; a rate never changes fees of days already sold) and list them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from distribution.referrals.domain import promotion_fees as rules
from insuremall import errors
from insuremall.clock import Clock, china_today, utc_now


@dataclass(frozen=True)
class CommissionRates:
    store: Any  # referrals.repository.commission_rates
    logger: logging.Logger
    now: Clock = utc_now

    def list(self, query: dict[str, str]) -> list[dict[str, Any]]:
        """Every rate, or one product's or category's history (query product_id or category_id)."""
        product_id, category_id = query.get("product_id"), query.get("category_id")
        if product_id and category_id:
            raise errors.Invalid({"category_id": "give product_id or category_id, not both"})
        if not product_id and not category_id:
            return self.store.all_rates()
        scope, scope_id = ("product", product_id) if product_id else ("category", category_id)
        if not rules.is_scope_id(scope_id):
            raise errors.Invalid({f"{scope}_id": "is not a product or category id"})
        return self.store.history(scope, scope_id)

    def add(self, operator: Any, body: dict[str, Any]) -> dict[str, Any]:
        today = china_today(self.now)
        rate, problems = rules.parse_rate(body, today)
        errors.check(problems)
        try:
            saved = self.store.add(rate, operator, today)
        except self.store.RateAlreadyInEffect as exc:
            raise errors.Conflict(
                f"A rate from {rate['effective_from']} is already in effect and may have paid fees; "
                "add a rate from a later day",
                {"effective_from": "a rate from this day is in effect"},
            ) from exc
        self.logger.info(
            "commission rate saved", extra={k: rate[k] for k in ("scope", "scope_id", "effective_from")}
        )
        return saved
