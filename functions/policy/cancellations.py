"""Cancelling a policy: the refund quote, the customer's and the operator's cancellation, and finishing
refunds left pending. Collaborators come in (policy.wiring builds the real ones)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from insuremall import audit, errors
from insuremall.clock import Clock, china_today, now_iso, utc_now
from insuremall.events import PolicyCancelled
from policy.domain import cancellation
from policy.domain.issuance import region_of
from policy.domain.records import Policy

REASON_CODES = ("changed_mind", "cover_elsewhere", "too_expensive", "no_longer_needed", "other")


def reason_problems(reason: Any) -> dict[str, str]:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        return {
            "reason": f"give a reason: one of {', '.join(REASON_CODES)}, or a text of at most 500 characters"
        }
    return {}


def refund_problems(expected: Any) -> dict[str, str]:
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        return {"refund_cents": "the refund amount in fen from the cancellation quote, to confirm it"}
    return {}


@dataclass(frozen=True)
class Cancellations:
    store: Any  # policy.store
    refunds: Any  # policy.refunds: complete(stored policy) -> stored policy; NothingToRefund
    rerender: Any  # Callable[[str], Any]: a new document version for the policy
    logger: logging.Logger
    now: Clock = utc_now

    def policy(self, policy_no: str, customer_id: str | None = None) -> Policy:
        """The policy (the customer's own when `customer_id` is given), read after our own writes."""
        policy = self.store.get_policy(policy_no, consistent=True)
        if policy is None or (customer_id is not None and not policy.owned_by(customer_id)):
            raise errors.NotFound("No such policy")
        return policy

    def quote(self, policy: Policy) -> cancellation.RefundQuote:
        return cancellation.quote(policy, china_today(self.now), now_iso(self.now()))

    def terms(self, policy: Policy) -> list[dict[str, Any]]:
        return cancellation.terms(policy, china_today(self.now)) if policy.in_force else []

    def cancel(self, policy: Policy, caller: Any, reason: str, expected_cents: int | None, by: str) -> Policy:
        """Cancel once: the first request writes the cancellation, the same request again (or a
        concurrent twin) gets the same result; a different amount or a cancelled policy is a Conflict."""
        reason = reason.strip()
        if policy.in_force:
            self._write(policy, caller, reason, expected_cents, by)
            policy = self.policy(policy.policy_no)
        done = policy.cancellation
        if policy.status != "cancelled" or not done:
            raise errors.Conflict(f"This policy is {policy.status} and cannot be cancelled")
        # Every request (a repeat too) withdraws an open renewal offer, so a crash in between is mended.
        if self.store.withdraw_renewal_offer(
            policy.policy_no, f"The policy was cancelled on {done['cancelled_on']}, so it is not renewed"
        ):
            self.logger.info("renewal offer withdrawn", extra={"policy_no": policy.policy_no})
        if done["reason"] != reason or (
            expected_cents is not None and expected_cents != done["refund_cents"]
        ):
            raise errors.Conflict(f"This policy was already cancelled on {done['cancelled_on']}")
        try:
            policy = Policy.from_record(self.refunds.complete(policy.record()))
        except self.refunds.NothingToRefund as exc:
            raise errors.Conflict(str(exc)) from exc
        self._rerender(policy.policy_no)
        return policy

    def _write(self, policy: Policy, caller: Any, reason: str, expected_cents: int | None, by: str) -> None:
        quote = self.quote(policy)
        if expected_cents is not None and expected_cents != quote.refund_cents:
            raise errors.Conflict(
                f"The refund is now {quote.refund_cents} fen, not {expected_cents}; "
                "get the cancellation quote again and confirm that amount"
            )
        reason_code = reason if reason in REASON_CODES else "other"
        done = quote.to_dict() | {
            "reason": reason,
            "reason_code": reason_code,
            "cancelled_at": now_iso(self.now()),
            "cancelled_by": by,
            "refund": {
                "status": "pending" if quote.refund_cents else "none",
                "amount_cents": quote.refund_cents,
            },
        }
        event = PolicyCancelled(
            policy_no=policy.policy_no,
            order_id=policy.order_id,
            customer_id=policy.customer_id,
            product_id=policy.product_id,
            insurer_id=policy.product_snapshot.get("insurer_id"),
            cancelled_on=quote.cancelled_on,
            within_cooling_off=quote.within_cooling_off,
            rule=quote.rule,
            refund_cents=quote.refund_cents,
            premium_cents=policy.premium_cents,
            # A full refund gives these back (distribution's PolicyCancelled consumer, once).
            discounts=[
                {k: d[k] for k in ("kind", "claim_id", "points") if k in d}
                for d in policy.premium.get("discounts") or []
            ],
            reason_code=reason_code,
            cancelled_by=by,
            region=region_of(policy.parties["policyholder"]),
            channel=policy.channel,
            category_id=policy.product_snapshot.get("category_id"),
            product_name=policy.product_snapshot.get("name"),
            insurer_name=policy.product_snapshot.get("insurer_name"),
        )
        changes = {
            "status": {"from": "in_force", "to": "cancelled"},
            "reason": {"from": None, "to": reason},
            "refund_cents": {"from": None, "to": quote.refund_cents},
        }
        entry = audit.entry(caller, "policy.cancelled", f"policy:{policy.policy_no}", changes)
        if self.store.cancel(policy, done, event.payload(), entry):
            self.logger.info(
                "policy cancelled",
                extra={"policy_no": policy.policy_no, "by": by, "refund_cents": quote.refund_cents},
            )

    def _rerender(self, policy_no: str) -> None:
        """A failure leaves the cancellation standing; the same request again renders it."""
        try:
            self.rerender(policy_no)
        except Exception:
            self.logger.exception("policy document not re-rendered", extra={"policy_no": policy_no})

    def finish_refunds(self) -> dict[str, Any]:
        """Finish cancellation refunds left pending (the provider was down, or the request died after
        the cancellation was written). Each refund is keyed by policy at the provider, so a refund the
        API is finishing at the same moment is paid once."""
        refunded, waiting = 0, []
        for policy_no in self.store.pending_refunds():
            policy = self.store.get_policy(policy_no, consistent=True)
            if policy is None or policy.status != "cancelled":
                continue
            try:
                self.refunds.complete(policy.record())
            except self.refunds.NothingToRefund:
                waiting.append(policy_no)  # no payment on file: an operator arranges it
                continue
            except Exception:
                self.logger.exception("refund retry failed", extra={"policy_no": policy_no})
                waiting.append(policy_no)
                continue
            refunded += 1
            self.rerender(policy_no)
        return {"refunded": refunded, "still_pending": waiting}
