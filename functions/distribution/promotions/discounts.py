"""An order's discounts: a member's claimed coupon and points, re-derived from the quote's gross
premium (the client names a coupon and a number of points, never amounts).

They are applied before the order is written (the coupon marked used by the order, the points
reserved for it) and undone if the write fails; they are given back when the order ends without a
policy (unpaid, declined, failed) and the points confirmed when it is issued. Every step is keyed by
the order id, so a retried task changes nothing twice. distribution.api exposes these to checkout:
the reads run in its process, the writes in DistributionTasksFunction (distribution.tasks.INTERFACE).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from distribution import consumed_events
from distribution.promotions.domain import coupons as rules
from distribution.promotions.domain import program_settings
from insuremall import errors
from insuremall.clock import now_iso
from insuremall.events import PolicyCancelled
from insuremall.money import fen_to_text

FULL_REFUND_RULES = ("cooling_off", "not_started")


@dataclass(frozen=True)
class Discounts:
    coupons: Any  # promotions.repository.campaigns: get_claim, claims, use, unuse
    points: Callable[[], Any]  # the points ledger, loaded only when points are involved
    settings: Callable[[], dict[str, Any]]  # the programme settings in force
    logger: logging.Logger
    now: Callable[[], str] = now_iso

    def derive(
        self,
        member_id: str,
        product_id: str,
        gross_cents: int,
        body: dict[str, Any],
        with_choices: bool = False,
    ) -> dict[str, Any]:
        """The discounts the request asks for, checked against the member's coupon and points and the
        programme's limits; Invalid names what cannot be applied."""
        claim_id, points, problems = rules.parse_request(body)
        at = self.now()
        claim = None
        if claim_id:
            claim = self.coupons.get_claim(member_id, claim_id)
            why = rules.coupon_problem(claim, at)
            if why:
                problems["coupon_claim_id"] = why
                claim = None
        wants_points = bool(points or with_choices)
        balance = self.points().balance(member_id) if wants_points else 0
        result, more = rules.breakdown(
            gross_cents=gross_cents,
            product_id=product_id,
            coupon=claim,
            points=points,
            balance_points=balance,
            # A plain order reads no programme settings (they only limit points).
            settings=self.settings() if wants_points else program_settings.DEFAULTS,
        )
        problems |= {k: v for k, v in more.items() if k not in problems}
        if problems:
            raise errors.Invalid(problems, "These discounts cannot be applied")
        if with_choices:
            result["points_balance"] = balance
            result["coupons"] = [
                {
                    "claim_id": c["claim_id"],
                    "label": rules.coupon_label(c["terms"]),
                    "valid_until": c["valid_until"],
                    "applies": why is None,
                    "reason": why,
                }
                for c in self.coupons.claims(member_id)
                if rules.coupon_problem(c, at) is None
                for why in [rules.coupon_discount(c["terms"], gross_cents, product_id)[1]]
            ]
        return result

    def apply(self, member_id: str, order_id: str, discounts: list[dict[str, Any]]) -> None:
        """Use the coupon and reserve the points for `order_id`; Conflict (with nothing left applied)
        when another order got them first."""
        coupon = next((d for d in discounts if d["kind"] == "coupon"), None)
        spend = next((d for d in discounts if d["kind"] == "points"), None)
        if coupon and not self.coupons.use(member_id, coupon["claim_id"], order_id):
            raise errors.Conflict(
                "This coupon was just used or has expired", {"coupon_claim_id": "not available"}
            )
        if spend:
            ledger = self.points()
            try:
                ledger.reserve(member_id, order_id, int(spend["points"]))
            except ledger.InsufficientPoints as exc:
                if coupon:
                    self.coupons.unuse(member_id, coupon["claim_id"], order_id)
                raise errors.Conflict(
                    "You no longer have these points", {"points": "not enough points"}
                ) from exc

    def give_back(
        self,
        member_id: str,
        order_id: str,
        discounts: list[dict[str, Any]] | None,
        *,
        policy_cancelled: bool = False,
    ) -> dict[str, Any]:
        """The order ended without a policy (or was never written), or its policy was cancelled with a
        full refund: the coupon is available again (after a cancellation only while it is still valid)
        and the points return. Keyed by the order, so a repeat or a concurrent twin gives back nothing
        more. Returns what came back now: {"coupon": claim_id | None, "points": n}."""
        back: dict[str, Any] = {"coupon": None, "points": 0}
        for d in discounts or []:
            if d["kind"] == "coupon":
                returned = self.coupons.unuse(
                    member_id, d["claim_id"], order_id, only_while_valid=policy_cancelled
                )
                back["coupon"] = d["claim_id"] if returned else None
            elif d["kind"] == "points":
                reason = "policy cancelled with a full refund" if policy_cancelled else "order closed"
                returned = self.points().release(
                    member_id, order_id, reason=reason, confirmed_too=policy_cancelled
                )
                back["points"] = int(d.get("points") or 0) if returned else 0
            else:
                continue
            if returned:
                self.logger.info("discount given back", extra={"order_id": order_id, "kind": d["kind"]})
        return back

    def give_back_for_cancellation(self, event: PolicyCancelled) -> dict[str, Any]:
        """A full refund (cooling-off, or cover not started) gives the order's coupon and points back,
        as a declined or unpaid order does; a partial refund or none keeps them spent (the refund is a
        share of what was paid)."""
        if event.rule not in FULL_REFUND_RULES or not event.customer_id:
            return {"coupon": None, "points": 0}
        return self.give_back(event.customer_id, event.order_id, event.discounts, policy_cancelled=True)

    def confirm(self, member_id: str, order_id: str, discounts: list[dict[str, Any]] | None) -> None:
        """The policy was issued: the reserved points are spent for good."""
        if any(d["kind"] == "points" for d in discounts or []):
            self.points().confirm(member_id, order_id)


def _use_case() -> Discounts:
    from distribution import wiring

    return wiring.discounts()


# ---------- what distribution.api and distribution.tasks call ----------
def derive(
    member_id: str, product_id: str, gross_cents: int, body: dict[str, Any], with_choices: bool = False
) -> dict[str, Any]:
    return _use_case().derive(member_id, product_id, gross_cents, body, with_choices)


def apply(member_id: str, order_id: str, discounts: list[dict[str, Any]]) -> None:
    _use_case().apply(member_id, order_id, discounts)


def give_back(
    member_id: str, order_id: str, discounts: list[dict[str, Any]] | None, *, policy_cancelled: bool = False
) -> dict[str, Any]:
    return _use_case().give_back(member_id, order_id, discounts, policy_cancelled=policy_cancelled)


def give_back_for_cancellation(
    payload: dict[str, Any], event_type: str = "PolicyCancelled"
) -> dict[str, Any]:
    """PolicyCancelled consumer."""
    return _use_case().give_back_for_cancellation(consumed_events.read(PolicyCancelled, payload))


def confirm(member_id: str, order_id: str, discounts: list[dict[str, Any]] | None) -> None:
    _use_case().confirm(member_id, order_id, discounts)


def priced(premium: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The quote's premium with the discounts: `total` becomes what is charged (every view of an
    order or policy shows what was paid) and `gross` what the rating gave."""
    return premium | {
        "gross": premium["total"],
        "gross_cents": result["gross_cents"],
        "discounts": result["discounts"],
        "total": fen_to_text(result["payable_cents"]),
        "payable_cents": result["payable_cents"],
    }


def of_order(order: dict[str, Any] | None) -> list[dict[str, Any]]:
    return ((order or {}).get("application") or {}).get("premium", {}).get("discounts") or []
