"""Renewal offers: the daily schedule offers renewal to policies ending within the renewal window (at
the price the product's current rate table gives the insured's age then), tells the holder when a
policy cannot be renewed and why, and reminds holders of offers not taken; customers list their offers.
Taking an offer is policy.renewals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from insuremall.cover import cover_end
from policy.domain import renewal, renewal_window
from policy.domain.records import Policy, RenewalOffer


@dataclass(frozen=True)
class Listed:
    offer: RenewalOffer
    order_status: str | None  # of the renewal order, while the offer is open
    health_questions: list[dict[str, Any]] | None  # when the product re-underwrites renewals


@dataclass(frozen=True)
class RenewalOffers:
    store: Any  # policy.store
    catalog: Any  # catalog.api: product, on_sale, try_price, RatingRequest
    notify: Callable[..., bool]  # insuremall.notifications.notify
    order_status: Callable[[str], str | None]  # a checkout order's status
    window_days: int

    # ---------- the customer's offers ----------
    def of(self, customer_id: str) -> list[Listed]:
        return [self._listed(o) for o in self.store.renewal_offers_of(customer_id)]

    def _listed(self, offer: RenewalOffer) -> Listed:
        open_ = offer.status == "offered"
        status = self.order_status(offer.order_id) if offer.order_id and open_ else None
        questions = None
        if open_ and offer.offer.get("reunderwrite"):
            product = self.catalog.product(offer.offer["product_id"]) or {}
            questions = [{"code": q["code"], "text": q["text"]} for q in product.get("health_questions", [])]
        return Listed(offer, status, questions)

    # ---------- the daily schedule ----------
    def offer(self, day: date) -> dict[str, Any]:
        """Offer renewal to policies ending `window` days from the run day, and to those of the few days
        before it that a missed run would have left (one index query per end date; offers are
        conditional puts, so a day covered twice creates nothing new)."""
        ending_dates = renewal_window.renewal_end_dates(day, self.window_days)
        created = skipped = 0
        for ending in ending_dates:
            for policy_no in self.store.policy_numbers_ending_on(ending.isoformat()):
                policy = self.store.get_policy(policy_no)
                if policy is None or not policy.in_force:
                    continue
                status, terms = self.terms(policy)
                if self.store.create_renewal_offer(policy, status, terms):
                    created += 1
                else:
                    skipped += 1
                    existing = self.store.get_renewal_offer(policy_no)
                    if existing is None or existing.status != status:
                        continue  # the policy was cancelled meanwhile, or an earlier run decided otherwise
                    terms = existing.offer
                # Keyed per policy and kind, so a re-run (or a run after a crash here) sends it once.
                if status == "offered":
                    self._remind(policy.customer_id, policy_no, "renewal_offered", terms)
                else:
                    self._tell_not_renewable(policy, terms)
        return {
            "date": day.isoformat(),
            "ending": ending_dates[-1].isoformat(),
            "ending_from": ending_dates[0].isoformat(),
            "offers_created": created,
            "already_offered": skipped,
            "reminders_due_soon": self._remind_due_soon(day),
        }

    def terms(self, policy: Policy) -> tuple[str, dict[str, Any]]:
        """("offered", the terms) or ("not_renewable", the terms known and the reason)."""
        start = renewal_window.renewal_start_date(date.fromisoformat(policy.end_date))
        insured = policy.parties["insured"][0]
        snapshot = policy.product_snapshot
        offer: dict[str, Any] = {
            "policy_no": policy.policy_no,
            "product_id": policy.product_id,
            "plan": policy.plan,
            "term": policy.term,
            "start_date": start.isoformat(),
            "product_name": snapshot["name"],
        }
        product = self.catalog.product(policy.product_id)
        if not self.catalog.on_sale(product):
            return "not_renewable", offer | {"reason": renewal.off_shelf_reason(snapshot["name"])}
        birth = insured.get("birth_date")
        age = renewal_window.age_at_renewal(
            date.fromisoformat(birth) if birth else None,
            insured["age"],
            date.fromisoformat(policy.start_date),
            start,
        )
        offer["age"] = age
        too_old_or_young = renewal.age_reason(insured["name"], age, product.get("age_limits") or {})
        if too_old_or_young:
            return "not_renewable", offer | {"reason": too_old_or_young}
        version = int(product["rate_table_version"])
        priced, problems = self.catalog.try_price(
            product, version, self.catalog.RatingRequest(**renewal_window.renewal_rating_factors(policy, age))
        )
        if priced is None:
            term = snapshot.get("term") or {}
            label = term.get("label", policy.term) if isinstance(term, dict) else policy.term
            return "not_renewable", offer | {
                "reason": renewal.rating_reason(problems, snapshot["plan"]["name"], label)
            }
        term = next(t for t in product["terms"] if t["code"] == policy.term)
        plan = next(p for p in product["plans"] if p["code"] == policy.plan)
        return "offered", offer | {
            "age": age,
            "rate_table_version": version,
            "premium": priced.premium.to_dict(),
            "product_name": product["name"],
            "plan_name": plan["name"],
            "term_label": term.get("label", term["code"]),
            "end_date": cover_end(start, term, age).isoformat(),
            "reunderwrite": bool(product.get("reunderwrite_on_renewal")),
        }

    def _remind_due_soon(self, day: date) -> int:
        """Remind the holders of offers not yet taken a few days before their policy ends."""
        sent = 0
        for ending in renewal_window.renewal_end_dates(day, renewal_window.REMINDER_DAYS_BEFORE_END):
            for policy_no in self.store.policy_numbers_ending_on(ending.isoformat()):
                offer = self.store.get_renewal_offer(policy_no)
                if offer is None or offer.status != "offered":
                    continue
                # An offer left open by a cancellation that did not finish withdrawing it: no reminder.
                policy = self.store.get_policy(policy_no, consistent=True)
                if policy is None or not policy.in_force:
                    continue
                sent += self._remind(offer.customer_id, policy_no, "renewal_due_soon", offer.offer)
        return sent

    def _tell_not_renewable(self, policy: Policy, offer: dict[str, Any]) -> bool:
        """The message of a renewal that cannot be offered, sent when the offer would have been: the
        reason in words and the day cover ends, in time to choose other cover."""
        title, body = renewal.not_renewable_message(
            policy.policy_no,
            policy.product_snapshot["name"],
            policy.end_date,
            offer.get("reason") or "the product no longer offers it",
        )
        return self.notify(
            policy.customer_id,
            f"RENEWAL#{policy.policy_no}#not_renewable",
            "renewal_not_possible",
            title,
            body,
            "/account.html#renewals",
        )

    def _remind(self, customer_id: str, policy_no: str, kind: str, offer: dict[str, Any]) -> bool:
        product = offer.get("product_name", "Your policy")
        total = offer["premium"]["total"]
        last_day = (date.fromisoformat(offer["start_date"]) - timedelta(days=1)).isoformat()
        if kind == "renewal_offered":
            title = f"Renew {product}"
            body = (
                f"Policy {policy_no} ends on {last_day}. Renew it from {offer['start_date']} "
                f"for CNY {total} before then to stay covered."
            )
        else:
            title = f"{product} ends on {last_day}"
            body = f"Policy {policy_no} has not been renewed yet. Renew it for CNY {total} before {last_day}."
        return self.notify(
            customer_id, f"RENEWAL#{policy_no}#{kind}", kind, title, body, "/account.html#renewals"
        )


def expire(day: date, *, store: Any) -> dict[str, Any]:
    """Expire in-force policies whose last day of cover was in the days before the run day."""
    expired = 0
    for ended in renewal_window.expiry_end_dates(day):
        for policy_no in store.policy_numbers_ending_on(ended.isoformat()):
            if store.expire_policy(policy_no):
                expired += 1
                for insured in store.get_policy(policy_no).parties["insured"]:
                    store.expire_exposure(insured["insured_key"], policy_no)
    return {"date": day.isoformat(), "expired": expired}
