"""Use case: renew a policy in one step - an order at the offer's price, placed through checkout's one
order placement (checkout.api), so it passes the same order rules and purchase saga as a first sale
(pay -> underwrite -> issue); the issued policy names the one it renews. One live order per offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from insuremall import errors
from insuremall.money import to_cents
from insuremall.observability import get_logger
from policy.domain import renewal

logger = get_logger("policy")

WORDING = {
    "changed": "The product changed since this offer; it cannot be renewed as offered",
    "mismatch": "The renewal premium could not be confirmed; contact customer service",
}


@dataclass(frozen=True)
class Renewed:
    order: Any  # checkout.api.Order
    created: bool  # False: a repeat while the renewal is under way (or a concurrent twin started it)


def _draft(policy: dict, offer: dict, form: dict, product: dict, first_sale, checkout):
    terms = offer["offer"]
    policy_no = policy["policy_no"]
    quoted = renewal.renewal_quote(
        policy_no, terms, policy, None, to_cents(Decimal(terms["premium"]["total"]))
    )
    attribution = first_sale.application.get("attribution") if first_sale else None
    return checkout.OrderDraft(
        customer_id=policy["customer_id"],
        quote=checkout.Quote(
            quote_id=quoted["quote_id"],
            product_id=terms["product_id"],
            rate_table_version=int(quoted["rate_table_version"]),
            inputs=quoted["inputs"],
            premium_cents=quoted["premium_cents"],
        ),
        form=renewal.renewal_order_form(policy, form.get("health_answers")),
        channel=policy["channel"],
        product=renewal.product_for_renewal(product),
        # A renewal pays the original sale's promoters (at the renewal rates): its attribution snapshot.
        attribution=attribution or {},
        renewal_of=policy_no,
        discounts_allowed=False,  # a renewal takes no coupon or points: what is paid is the rated premium
        wording=checkout.Wording(**WORDING),
    )


def _checked(draft, policy_no: str, checkout) -> None:
    """The order rules, before the offer is claimed: a health answer is the customer's to fix, the rest
    is ours."""
    try:
        checkout.check_order(draft)
    except errors.Invalid as exc:
        health = {k: v for k, v in exc.fields.items() if k.startswith("health_answers")}
        if health:
            raise errors.Invalid(health) from exc
        logger.warning(
            "renewal application invalid", extra={"policy_no": policy_no, "fields": sorted(exc.fields)}
        )
        raise errors.Conflict(
            "The policy's details no longer pass the order rules; contact customer service"
        ) from exc


def renew(
    policy: dict, form: dict[str, Any], *, offers, checkout, catalog, today: date, window_days: int
) -> Renewed:
    """`offers` is policy.store (renewal offers), `checkout` is checkout.api, `catalog` is catalog.api."""
    policy_no = policy["policy_no"]
    offer = offers.get_renewal_offer(policy_no)
    if offer is None:
        raise errors.NotFound(
            f"This policy has no renewal offer yet; offers open {window_days} days before it ends"
        )
    try:
        renewal.check_renewable(offer, policy, today)
    except renewal.NotRenewable as exc:
        raise errors.Conflict(exc.reason) from exc
    if offer["order_id"]:
        earlier = checkout.order(offer["order_id"])
        if earlier is not None and earlier.status not in renewal.FINISHED_WITHOUT_POLICY:
            return Renewed(earlier, created=False)  # a repeat while the renewal is under way
        # Otherwise it failed, or was claimed but never written (a crash): it is replaced below.
    if form.get("accept_terms") is not True:
        raise errors.Invalid({"accept_terms": "read and accept the policy terms to continue"})
    product = catalog.product(offer["offer"]["product_id"])
    if not catalog.on_sale(product):
        raise errors.Conflict("This product is no longer on sale, so the policy cannot be renewed")
    draft = _draft(policy, offer, form, product, checkout.order(policy["order_id"]), checkout)
    _checked(draft, policy_no, checkout)
    order_id = checkout.new_order_id()
    if not offers.claim_renewal_order(policy_no, order_id, replacing=offer["order_id"]):
        latest = offers.get_renewal_offer(policy_no) or {}
        won = latest.get("order_id") and checkout.order(latest["order_id"])
        if won:
            return Renewed(won, created=False)  # a concurrent request started it
        raise errors.Conflict("This renewal changed meanwhile; reload and try again")
    order = checkout.place_order(draft, order_id=order_id)
    logger.info("renewal order started", extra={"policy_no": policy_no, "order_id": order_id})
    return Renewed(order, created=True)
