"""In-memory stand-ins for the policy use cases' collaborators (no moto, no tables)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from policy.domain.records import Policy, RenewalOffer

LOGGER = logging.getLogger("policy-unit")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 China time on 3 December 2026
TODAY = date(2026, 12, 3)


def clock() -> datetime:
    return NOW


def a_policy(**changes: Any) -> Policy:
    start = TODAY + timedelta(days=1)
    policy = Policy(
        policy_no="HML2026120300000011",
        order_id="ORD1",
        customer_id="customer-1",
        status="in_force",
        product_id="accident-guardian",
        product_snapshot={
            "name": "Accident Guardian",
            "insurer_name": "Harmony Life",
            "insurer_code": "HML",
            "insurer_id": "harmony",
            "kind": "accident",
            "plan": {"code": "basic", "name": "Basic", "coverages": []},
            "term": {"code": "1y", "label": "1 year"},
            "options": [],
            "cooling_off_days": 15,
            "cancellation": {"after_cooling_off": "pro_rata"},
        },
        plan="basic",
        term="1y",
        sum_insured=100000,
        premium_cents=12000,
        premium={
            "total": "120.00",
            "discounts": [{"kind": "points", "points": 500}],
            "payment_intent_id": "pi",
        },
        parties={
            "policyholder": {"name": "Li Lei", "phone": "13812345678"},
            "insured": [
                {"insured_key": "k1", "name": "Li Lei", "age": 30, "gender": "M", "birth_date": "1996-05-01"}
            ],
            "beneficiaries": [],
        },
        start_date=start.isoformat(),
        end_date=(start + timedelta(days=364)).isoformat(),
        issued_at="2026-12-03T02:00:00.000+00:00",
        channel="web",
        cooling_off_until=(TODAY + timedelta(days=15)).isoformat(),
    )
    return replace(policy, **changes)


class FakeStore:
    """The parts of policy.store the use cases under test call, over dicts."""

    def __init__(self, *policies: Policy):
        self.policies = {p.policy_no: p for p in policies}
        self.events: list[dict[str, Any]] = []
        self.offers: dict[str, RenewalOffer] = {}
        self.pending: list[str] = []

    # policies
    def get_policy(self, policy_no: str, consistent: bool = False) -> Policy | None:
        return self.policies.get(policy_no)

    def policy_numbers_ending_on(self, day: str) -> list[str]:
        return [no for no, p in self.policies.items() if p.end_date == day]

    # cancelling
    def cancel(self, policy: Policy, cancellation: dict, event: dict, audit_entry=None) -> bool:
        if self.policies[policy.policy_no].status != "in_force":
            return False
        self.policies[policy.policy_no] = replace(
            policy, status="cancelled", cancellation=cancellation, version=policy.version + 1
        )
        self.events.append(event)
        if cancellation["refund"]["status"] == "pending":
            self.pending.append(policy.policy_no)
        return True

    def record_refund(self, policy_no: str, cancellation: dict) -> None:
        self.policies[policy_no] = replace(self.policies[policy_no], cancellation=cancellation)
        self.pending.remove(policy_no)

    def pending_refunds(self) -> list[str]:
        return list(self.pending)

    # renewal offers
    def create_renewal_offer(self, policy: Policy, status: str, offer: dict) -> bool:
        if policy.policy_no in self.offers or self.policies[policy.policy_no].status != "in_force":
            return False
        self.offers[policy.policy_no] = RenewalOffer(policy.policy_no, policy.customer_id, status, offer)
        return True

    def renewal_offers_of(self, customer_id: str) -> list[RenewalOffer]:
        return [o for o in self.offers.values() if o.customer_id == customer_id]

    def get_renewal_offer(self, policy_no: str) -> RenewalOffer | None:
        return self.offers.get(policy_no)

    def withdraw_renewal_offer(self, policy_no: str, reason: str) -> bool:
        offer = self.offers.get(policy_no)
        if offer is None or offer.status != "offered":
            return False
        self.offers[policy_no] = replace(offer, status="withdrawn", withdrawn_reason=reason)
        return True


class FakeRefunds:
    """policy.refunds over the fake store: pays what is pending, once."""

    class NothingToRefund(Exception):
        pass

    def __init__(self, store: FakeStore):
        self.store, self.paid = store, []

    def complete(self, policy: dict) -> dict:
        done = policy["cancellation"]
        if done["refund"]["status"] != "pending":
            return policy
        self.paid.append((policy["policy_no"], done["refund_cents"]))
        done = done | {"refund": {"status": "refunded", "amount_cents": done["refund_cents"]}}
        self.store.record_refund(policy["policy_no"], done)
        return policy | {"cancellation": done}


@dataclass
class FakePremium:
    total: str

    def to_dict(self) -> dict:
        return {"total": self.total}


class FakeCatalog:
    """catalog.api's product, on_sale, try_price and RatingRequest over one product."""

    def __init__(self, product: dict | None, premium: str = "130.00", problems: dict | None = None):
        self._product, self._premium, self._problems = product, premium, problems or {}
        self.RatingRequest = lambda **factors: factors

    def product(self, product_id: str) -> dict | None:
        return self._product

    def on_sale(self, product: dict | None, channel: str | None = None) -> bool:
        return product is not None and product.get("status") == "on_shelf"

    def try_price(self, product: dict, version: int, request: dict):
        if self._problems:
            return None, self._problems
        return SimpleNamespace(premium=FakePremium(self._premium)), {}
