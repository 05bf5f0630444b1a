"""The policy capability's records as the store returns them: frozen, built once from the stored item.

The stored format is unchanged (PolicyTable items); `record()` gives the stored shape back. Item access
(`policy["status"]`) reads the same fields: the pure rules are written over the stored shape and tested
over plain dicts, and tests over moto read stored policies that way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


class _Fields:
    """Read-only item access to the dataclass fields (the stored shape's keys)."""

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default) if key in self.__dataclass_fields__ else default  # type: ignore[attr-defined]

    def __contains__(self, key: str) -> bool:
        return key in self.__dataclass_fields__  # type: ignore[attr-defined]

    def record(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class Policy(_Fields):
    policy_no: str
    order_id: str
    customer_id: str
    status: str  # in_force, cancelled or expired
    product_id: str
    product_snapshot: dict[str, Any]  # the product as sold (plan, term, options, insurer, ...)
    plan: str
    term: str
    sum_insured: int
    premium_cents: int
    premium: dict[str, Any]  # total, breakdown, discounts, paid_at, payment_intent_id
    parties: dict[str, Any]  # policyholder, insured, beneficiaries
    start_date: str
    end_date: str
    issued_at: str
    channel: str
    cooling_off_until: str | None = None
    cancellation: dict[str, Any] | None = None
    renewal_of: str | None = None
    renewed_by: str | None = None
    version: int = 1

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"

    def owned_by(self, customer_id: str) -> bool:
        return self.customer_id == customer_id

    @classmethod
    def from_record(cls, stored: dict[str, Any]) -> Policy:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in known})


@dataclass(frozen=True)
class RenewalOffer(_Fields):
    policy_no: str
    customer_id: str
    status: str  # offered, not_renewable, renewed, withdrawn (policy.domain.renewal.STATUSES)
    offer: dict[str, Any]  # the terms offered (or the reason it is not renewable)
    created_at: str | None = None
    order_id: str | None = None
    renewed_by: str | None = None
    withdrawn_reason: str | None = None


@dataclass(frozen=True)
class Referral(_Fields):
    order_id: str
    status: str  # pending, accepted, declined
    reasons: list[str]
    summary: dict[str, Any]
    created_at: str
    task_token: str
    decided_by: str | None = None
    decided_at: str | None = None
    note: str | None = None
