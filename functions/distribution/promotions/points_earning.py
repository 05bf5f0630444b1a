"""Points from domain events and the daily expiry schedule (registered in distribution.tasks): a
purchase earns its buyer points, an invitation its inviter, a cancelled policy's unspent purchase
points are taken back, and lots expire. Each write is keyed by what caused it, so a redelivered event
or a re-run day writes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from distribution import consumed_events
from distribution.promotions.domain import points_arithmetic as rules
from insuremall.clock import Clock, utc_now
from insuremall.events import MemberInvited, PolicyCancelled, PolicyIssued


@dataclass(frozen=True)
class PointsEarning:
    ledger: Any  # promotions.repository.points_ledger
    settings: Callable[[], dict[str, Any]]  # the programme settings in force
    campaign_multiplier: Callable[[str, str | None], Any]  # (product id, at) -> the campaigns' best
    logger: logging.Logger
    now: Clock = utc_now

    def for_purchase(self, event: PolicyIssued) -> bool:
        """The buyer earns points on what they paid, times the product's and the campaigns' multipliers."""
        if not event.customer_id:
            return False
        settings = self.settings()
        premium, per_cny = int(event.premium_cents or 0), int(settings["purchase_points_per_cny"])
        product_x = rules.product_multiplier(settings, event.product_id)
        campaign_x = rules.multiplier(self.campaign_multiplier(event.product_id, event.issued_at))
        earned = rules.purchase_points(premium, per_cny, product_x, campaign_x)
        new = self.ledger.credit(
            event.customer_id,
            f"PURCHASE#{event.policy_no}",
            earned,
            "policy purchase",
            rules.china_day(event.issued_at) if event.issued_at else None,
            policy_no=event.policy_no,
            unless=f"REVERSE#{event.policy_no}",  # cancelled before its points were earned
            detail={
                "premium_cents": premium,
                "points_per_cny": per_cny,
                "product_multiplier": str(product_x),
                "campaign_multiplier": str(campaign_x),
            },
        )
        if new:
            self.logger.info("purchase points earned", extra={"policy_no": event.policy_no, "points": earned})
        return new

    def for_invitation(self, event: MemberInvited) -> bool:
        if not event.inviter_id or not event.invitee_id:
            return False
        award = int(self.settings()["invitation_points"])
        day = rules.china_day(event.bound_at) if event.bound_at else None
        return self.ledger.credit(
            event.inviter_id, f"INVITE#{event.invitee_id}", award, "member invited", day
        )

    def reverse(self, event: PolicyCancelled) -> bool:
        if not event.customer_id:
            return False
        return self.ledger.reverse_purchase(event.customer_id, event.policy_no)

    def expire(self, day: date | None = None) -> dict[str, Any]:
        """Expire the lots due on `day` (today in China) and the catch-up days before it."""
        return self.ledger.expire_due(day or rules.china_day(self.now()))


# ---------- the consumers and the schedule task distribution.tasks names ----------
def _use_case() -> PointsEarning:
    from distribution import wiring

    return wiring.points_earning()


def earn_for_purchase(payload: dict[str, Any], event_type: str = "PolicyIssued") -> bool:
    return _use_case().for_purchase(consumed_events.read(PolicyIssued, payload))


def earn_for_invitation(payload: dict[str, Any], event_type: str = "MemberInvited") -> bool:
    return _use_case().for_invitation(consumed_events.read(MemberInvited, payload))


def reverse_for_cancellation(payload: dict[str, Any], event_type: str = "PolicyCancelled") -> bool:
    return _use_case().reverse(consumed_events.read(PolicyCancelled, payload))


def expire_points(event: dict[str, Any]) -> dict[str, Any]:
    """Schedule task: expire the lots due today (China time; or {"date"}) and the catch-up days."""
    return _use_case().expire(date.fromisoformat(event["date"]) if event.get("date") else None)
