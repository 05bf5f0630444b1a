"""Programme settings on RewardsTable: one item, changed with optimistic concurrency. Promotions own
them (points and discounts); referrals read the fee settlement and withdrawal limits here too."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from distribution.promotions.domain import program_settings
from insuremall.clock import now_iso
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.rewards import ProgramSettingsRecord


class StaleRevision(Exception):
    pass


def current() -> dict[str, Any]:
    """The settings with their revision (0 before an operator first saved them)."""
    try:
        record = ProgramSettingsRecord.get("SETTINGS", "PROGRAM")
    except ProgramSettingsRecord.DoesNotExist:
        return program_settings.merged(None) | {"revision": 0}
    return program_settings.merged(record.settings) | {"revision": int(record.revision)}


def save(settings: dict[str, Any], revision: int, operator_id: str, extra_writes=None) -> dict[str, Any]:
    """Store the settings if `revision` is still current (0 = never saved); StaleRevision otherwise.
    `extra_writes(transaction)` (e.g. the audit entry) is written in the same transaction."""
    stored = {k: v for k, v in settings.items() if k != "revision"}
    record = ProgramSettingsRecord(
        settings=stored, revision=revision + 1, updated_at=now_iso(), updated_by=operator_id
    )
    condition = (
        ProgramSettingsRecord.pk.does_not_exist()
        if revision == 0
        else ProgramSettingsRecord.revision == revision
    )
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(record, condition=condition)
            if extra_writes is not None:
                extra_writes(transaction)
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise StaleRevision() from exc
        raise
    return program_settings.merged(stored) | {"revision": revision + 1}
