"""Distribution's door: the only names other capabilities import (.importlinter checks it).

Reads run in the caller's process (quoting discounts reads the member's coupons, points and the
programme settings; attribution reads the referral tree). Writes to distribution's tables - an
order's coupon used, its points reserved, given back or confirmed - run in DistributionTasksFunction
through insuremall.invocation, so no other capability's function holds a write grant on RewardsTable.
"""

from __future__ import annotations

from typing import Any

from insuremall import invocation

# The interface tasks DistributionTasksFunction runs for other capabilities (distribution.tasks).
_TASKS = "DISTRIBUTION_TASKS_FUNCTION"


def quote_discounts(
    member_id: str, product_id: str, gross_cents: int, choice: dict[str, Any], *, with_choices: bool = False
) -> dict[str, Any]:
    """The discounts `choice` ({"coupon_claim_id"?, "points"?}, e.g. the order's body) asks for on a
    gross premium: {"gross_cents", "discounts", "payable_cents", ...}; with_choices adds the
    member's points balance and usable coupons. Invalid names what cannot be applied."""
    from distribution.promotions import discounts

    return discounts.derive(member_id, product_id, gross_cents, choice, with_choices=with_choices)


def priced(premium: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The quote's premium shape with the discounts of quote_discounts (total = what is charged)."""
    from distribution.promotions import discounts

    return discounts.priced(premium, result)


def discounts_of(order: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The discounts an order's application records."""
    from distribution.promotions import discounts

    return discounts.of_order(order)


def use_discounts(member_id: str, order_id: str, discounts: list[dict[str, Any]]) -> None:
    """Use the coupon and reserve the points for `order_id`; Conflict (nothing left applied) when
    another order got them first."""
    invocation.call(_TASKS, "use_discounts", member_id=member_id, order_id=order_id, discounts=discounts)


def give_back_discounts(
    member_id: str, order_id: str, discounts: list[dict[str, Any]] | None, *, policy_cancelled: bool = False
) -> dict[str, Any]:
    """The order ended without a policy (or a cancelled policy was refunded in full): its coupon and
    points come back, once. {"coupon": claim_id | None, "points": n} given back now."""
    return invocation.call(
        _TASKS,
        "give_back_discounts",
        member_id=member_id,
        order_id=order_id,
        discounts=discounts,
        policy_cancelled=policy_cancelled,
    )


def confirm_discounts(member_id: str, order_id: str, discounts: list[dict[str, Any]] | None) -> None:
    """The order's policy was issued: its reserved points are spent for good."""
    invocation.call(_TASKS, "confirm_discounts", member_id=member_id, order_id=order_id, discounts=discounts)


def attribution_for(member_id: str, ref: Any = None) -> dict[str, Any]:
    """Who a purchase by `member_id` (arriving with invite code `ref`, if any) is attributed to:
    {"level1", "level2", "source"}. Invalid when `ref` is not text."""
    from distribution.referrals import attribution

    return attribution.attribution_for(member_id, ref)
