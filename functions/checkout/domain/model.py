"""Checkout's records as the code sees them: built once in checkout.store, frozen, plain (no I/O).

The application stays the saga's document (a dict): it is the state machine's input and what the
policy capability issues from, so it crosses processes as JSON (docs/decisions.md, 2026-12-03).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


class _ReadsByName:
    """`record["field"]` and `record.get("field")` as well as attributes: the tests over moto and
    distribution's member view (not yet behind checkout.api) read the stored fields by name."""

    def __getitem__(self, name: str) -> Any:
        if name not in {f.name for f in fields(self)}:  # type: ignore[arg-type]
            raise KeyError(name)
        value = getattr(self, name)
        if name == "history":
            return [asdict(h) for h in value]
        return value

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default


@dataclass(frozen=True)
class Quote(_ReadsByName):
    """A premium locked for a time: what an order confirms (re-rated on the same rate-table version)."""

    quote_id: str
    product_id: str
    rate_table_version: int
    inputs: dict[str, Any]  # plan, age, gender, term, options, occupation_class, start_date
    premium_cents: int
    valid_until: int | None = None  # epoch seconds; None for a renewal offer (its window is policy's rule)
    premium: dict[str, Any] | None = None
    created_at: str | None = None

    def expired(self, now: float) -> bool:
        return self.valid_until is not None and now >= self.valid_until

    def rating_factors(self) -> dict[str, Any]:
        """Keyword arguments of catalog.api.RatingRequest."""
        i = self.inputs
        return {
            "plan": i["plan"],
            "age": i["age"],
            "gender": i["gender"],
            "term": i["term"],
            "options": tuple(i.get("options") or ()),
            "occupation_class": i.get("occupation_class"),
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StatusChange(_ReadsByName):
    status: str
    at: str
    note: str | None = None


@dataclass(frozen=True)
class PolicyCancellation:
    """What policy told checkout when the order's policy was cancelled (checkout.api.refund_cancelled_policy):
    when, and the refund: {status: pending|none|refunded, amount_cents, refund_id?, refunded_at?}."""

    cancelled_at: str
    refund: dict[str, Any]


@dataclass(frozen=True)
class Order(_ReadsByName):
    order_id: str
    customer_id: str
    status: str
    product_id: str
    product_name: str
    quote_id: str
    premium_cents: int
    channel: str
    application: dict[str, Any]  # the saga's document (see the module's docstring)
    created_at: str
    updated_at: str
    currency: str = "CNY"
    status_reason: str | None = None
    payment_intent_id: str | None = None
    payment_task_token: str | None = None
    payment_client_secret: str | None = None
    paid_at: str | None = None
    policy_no: str | None = None
    refund: dict[str, Any] | None = None
    history: tuple[StatusChange, ...] = field(default_factory=tuple)
    policy_cancellation: PolicyCancellation | None = None

    @property
    def discounts(self) -> list[dict[str, Any]]:
        return (self.application or {}).get("premium", {}).get("discounts") or []

    def as_dict(self) -> dict[str, Any]:
        """The order as data (it crosses to other functions through checkout.api)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Order:
        cancellation = data.get("policy_cancellation")
        return cls(
            **{k: v for k, v in data.items() if k not in ("history", "policy_cancellation")},
            history=tuple(StatusChange(**h) for h in data.get("history") or ()),
            policy_cancellation=PolicyCancellation(**cancellation) if cancellation else None,
        )
