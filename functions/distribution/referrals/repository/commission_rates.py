"""Commission rates on RewardsTable: operators add rates with the day they take effect; a sale reads
the one in effect on its issue day with one Query per scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from distribution.referrals.domain.promotion_fees import RATE_FIELDS
from insuremall import audit
from insuremall.clock import now_iso
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.commission_rates import ALL_RATES_PK, CommissionRateRecord, rate_pk

LIST_LIMIT = 200


class RateAlreadyInEffect(Exception):
    """A rate from that day exists and that day has come: fees may have been earned at it."""


def _view(r: CommissionRateRecord) -> dict[str, Any]:
    return {
        "scope": r.scope,
        "scope_id": r.scope_id,
        "effective_from": r.effective_from,
        **{name: int(getattr(r, name)) for name in RATE_FIELDS},
        "created_at": r.created_at,
        "created_by": r.created_by,
    }


def in_effect(scope: str, scope_id: str, day: date) -> dict[str, Any] | None:
    """The newest rate of a product or category effective on `day`: one Query, one item."""
    for r in CommissionRateRecord.query(
        rate_pk(scope, scope_id),
        CommissionRateRecord.sk <= day.isoformat(),
        scan_index_forward=False,
        limit=1,
    ):
        return _view(r)
    return None


def history(scope: str, scope_id: str) -> list[dict[str, Any]]:
    """One product's or category's rates, newest effective day first."""
    return [
        _view(r)
        for r in CommissionRateRecord.query(
            rate_pk(scope, scope_id), scan_index_forward=False, limit=LIST_LIMIT
        )
    ]


def all_rates() -> list[dict[str, Any]]:
    """Every rate (by scope, id and day), from the index: rates are few, a console list."""
    return [_view(r) for r in CommissionRateRecord.by_time.query(ALL_RATES_PK, limit=LIST_LIMIT)]


def add(rate: dict[str, Any], actor, today: date) -> dict[str, Any]:
    """Store a rate and its audit entry in one transaction. A rate from a future day may be replaced;
    one from today or earlier may not (RateAlreadyInEffect)."""
    pk = rate_pk(rate["scope"], rate["scope_id"])
    try:
        before = _view(CommissionRateRecord.get(pk, rate["effective_from"], consistent_read=True))
    except CommissionRateRecord.DoesNotExist:
        before = None
    record = CommissionRateRecord(
        pk=pk,
        sk=rate["effective_from"],
        **{k: rate[k] for k in ("scope", "scope_id", "effective_from", *RATE_FIELDS)},
        created_at=now_iso(),
        created_by=actor.subject,
        gsi2sk=f"{rate['scope']}#{rate['scope_id']}#{rate['effective_from']}",
    )
    condition = CommissionRateRecord.pk.does_not_exist() | (
        CommissionRateRecord.effective_from > today.isoformat()
    )
    after = _view(record)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(record, condition=condition)
            audit.record(
                actor,
                "commission-rate.replaced" if before else "commission-rate.added",
                f"commission-rates:{rate['scope']}:{rate['scope_id']}",
                audit.field_changes(before, after, ignore=frozenset({"created_at", "created_by"})),
                transaction=transaction,
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise RateAlreadyInEffect() from exc
        raise
    return after
