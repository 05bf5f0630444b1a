"""The promotion-fee ledger: the only code that writes ledger entries and the balances and dashboard
counters derived from them, always in one transaction with the entries they sum.

An entry's key is its idempotency key (subject + kind, e.g. "P<policy>#L1" + "earn"), so an event
delivered twice, or two workers racing, write it once: `post` then answers False and writes nothing.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

# KINDS is read here too: the API contract's entry kinds are checked against it.
from distribution.referrals.domain.ledger_entries import BALANCES, KINDS, Entry, entry_sk  # noqa: F401
from insuremall.clock import now_iso
from insuremall.models import transaction_connection
from insuremall.models.rewards import (
    BALANCE_SK,
    BalanceRecord,
    LedgerEntryRecord,
    StatRecord,
    member_pk,
)
from insuremall.sharding import every_shard, sharded

PAGE_LIMIT = 100


class InsufficientBalance(Exception):
    """A `minimum` condition on the balance was not met (e.g. a withdrawal above what is available)."""


class PreconditionFailed(Exception):
    """An entry named in `require_absent` exists, or one in `require_present` does not."""


def post(
    member_id: str,
    entries: list[Entry],
    *,
    day: date,
    require_absent: tuple[str, ...] = (),
    require_present: tuple[str, ...] = (),
    minimum: dict[str, int] | None = None,
    points_delta: int = 0,
    extra_writes: Any = None,
) -> bool:
    """Write `entries` and move the balances they name, in one transaction.

    Returns False when one of the entries already exists (a replay; nothing is written). Raises
    InsufficientBalance when a `minimum` ({"available": cents}) is not met before the move, and
    PreconditionFailed when `require_absent` / `require_present` (entry sort keys of the same member)
    are not as required. `extra_writes(transaction)` adds more items to the same transaction.
    `day` (China time) is the day the earned amounts count toward in the dashboard counters.
    """
    at = now_iso()
    pk = member_pk(member_id)
    deltas = {name: 0 for name in BALANCES}
    earned = 0
    for entry in entries:
        if entry.balance not in BALANCES:
            raise ValueError(f"unknown balance {entry.balance!r}")
        deltas[entry.balance] += entry.amount_cents
        if entry.earned:
            earned += entry.amount_cents if entry.earned_cents is None else entry.earned_cents
    actions = [getattr(BalanceRecord, f"{name}_cents").add(delta) for name, delta in deltas.items() if delta]
    if earned:
        actions.append(BalanceRecord.earned_cents.add(earned))
    if points_delta:
        actions.append(BalanceRecord.points.add(points_delta))
    actions.append(BalanceRecord.updated_at.set(at))
    condition = None
    for name, cents in (minimum or {}).items():
        check = getattr(BalanceRecord, f"{name}_cents") >= cents
        condition = check if condition is None else condition & check
    extra = _Counted()
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for entry in entries:
                transaction.save(
                    _record(member_id, pk, entry, at), condition=LedgerEntryRecord.sk.does_not_exist()
                )
            transaction.update(BalanceRecord(pk=pk, sk=BALANCE_SK), actions=actions, condition=condition)
            if earned:
                for sk in (f"STAT#D#{day.isoformat()}", f"STAT#M#{day.isoformat()[:7]}"):
                    transaction.update(
                        StatRecord(pk=pk, sk=sk), actions=[StatRecord.earned_cents.add(earned)]
                    )
            for sk in require_absent:
                transaction.condition_check(
                    LedgerEntryRecord, pk, sk, condition=LedgerEntryRecord.sk.does_not_exist()
                )
            for sk in require_present:
                transaction.condition_check(
                    LedgerEntryRecord, pk, sk, condition=LedgerEntryRecord.sk.exists()
                )
            if extra_writes is not None:
                extra_writes(extra.around(transaction))
    except TransactWriteError as exc:
        reasons = list(getattr(exc, "cancellation_reasons", None) or [])
        failed = [i for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"]
        if not failed:
            raise
        # PynamoDB sends condition checks first, then deletes, puts and updates (each in call order),
        # whatever order they were added in; a reason's index is its position in that list.
        first_entry = (
            len(require_absent) + len(require_present) + extra.counts["check"] + extra.counts["delete"]
        )
        entry_positions = range(first_entry, first_entry + len(entries))
        balance_position = first_entry + len(entries) + extra.counts["put"]
        if any(i in entry_positions for i in failed):
            return False  # already written: a replay
        if balance_position in failed and minimum:
            raise InsufficientBalance(minimum) from exc
        raise PreconditionFailed([reasons[i].message if reasons[i] else "" for i in failed]) from exc
    return True


class _Counted:
    """Counts the kinds of items `extra_writes` adds, to find a failed item's position."""

    def __init__(self) -> None:
        from collections import Counter

        self.counts: Counter[str] = Counter()
        self._transaction: Any = None

    def around(self, transaction: Any) -> _Counted:
        self._transaction = transaction
        return self

    def condition_check(self, *args: Any, **kwargs: Any) -> Any:
        self.counts["check"] += 1
        return self._transaction.condition_check(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self.counts["delete"] += 1
        return self._transaction.delete(*args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> Any:
        self.counts["put"] += 1
        return self._transaction.save(*args, **kwargs)

    def update(self, *args: Any, **kwargs: Any) -> Any:
        self.counts["update"] += 1
        return self._transaction.update(*args, **kwargs)


def _record(member_id: str, pk: str, entry: Entry, at: str) -> LedgerEntryRecord:
    return LedgerEntryRecord(
        pk=pk,
        sk=entry.sk,
        member_id=member_id,
        kind=entry.kind,
        amount_cents=entry.amount_cents,
        balance=entry.balance,
        at=at,
        policy_no=entry.policy_no,
        level=entry.level,
        withdrawal_id=entry.withdrawal_id,
        detail=entry.detail or None,
        gsi1pk=sharded(f"RELEASE#{entry.release_on}", member_id) if entry.release_on else None,
        gsi1sk=f"{member_id}#{entry.sk}" if entry.release_on else None,
        gsi2pk=f"LEDGER#{member_id}",
        gsi2sk=f"{at}#{entry.sk}",
    )


def entry_view(r: LedgerEntryRecord) -> dict[str, Any]:
    return {
        "key": r.sk.removeprefix("LEDGER#"),
        "kind": r.kind,
        "amount_cents": int(r.amount_cents),
        "balance": r.balance,
        "at": r.at,
        "policy_no": r.policy_no,
        "level": int(r.level) if r.level is not None else None,
        "withdrawal_id": r.withdrawal_id,
        "detail": r.detail or {},
    }


def get_entry(member_id: str, subject: str, kind: str) -> dict[str, Any] | None:
    try:
        return entry_view(
            LedgerEntryRecord.get(member_pk(member_id), entry_sk(subject, kind), consistent_read=True)
        )
    except LedgerEntryRecord.DoesNotExist:
        return None


def entries_for_subject(member_id: str, subject: str) -> list[dict[str, Any]]:
    """All entries about one subject (e.g. one policy at one level): one query on the member's partition."""
    return [
        entry_view(r)
        for r in LedgerEntryRecord.query(
            member_pk(member_id), LedgerEntryRecord.sk.startswith(f"LEDGER#{subject}#"), consistent_read=True
        )
    ]


def balance(member_id: str, consistent: bool = False) -> dict[str, int]:
    try:
        r = BalanceRecord.get(member_pk(member_id), BALANCE_SK, consistent_read=consistent)
    except BalanceRecord.DoesNotExist:
        return {f"{name}_cents": 0 for name in BALANCES} | {"earned_cents": 0, "points": 0}
    return {f"{name}_cents": int(getattr(r, f"{name}_cents") or 0) for name in BALANCES} | {
        "earned_cents": int(r.earned_cents or 0),
        "points": int(r.points or 0),
    }


def earned_in(member_id: str, day: date) -> dict[str, int]:
    """Promotion fees earned on `day` and in its month: two items, however long the ledger."""
    keys = [
        (member_pk(member_id), f"STAT#D#{day.isoformat()}"),
        (member_pk(member_id), f"STAT#M#{day.isoformat()[:7]}"),
    ]
    found = {r.sk: int(r.earned_cents or 0) for r in StatRecord.batch_get(keys)}
    return {"today_cents": found.get(keys[0][1], 0), "month_cents": found.get(keys[1][1], 0)}


def page(
    member_id: str, limit: int = 20, after: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a member's entries, newest first (one Query); `after` is the previous page's
    cursor. The cursor encodes "<at>~<n>": the time of the page's last entry and how many entries of
    that time were already shown (the entries of one post share it). It names no entry key, so it
    gives away no policy number. Raises ValueError for a cursor this function did not make."""
    limit = max(1, min(limit, PAGE_LIMIT))
    skip, condition, at = 0, None, None
    if after:
        at, skip = _read_cursor(after)
        # gsi2sk = "<at>#<sk>": every entry at that time or earlier sorts below "<at>$".
        condition = LedgerEntryRecord.gsi2sk < f"{at}$"
    records = list(
        LedgerEntryRecord.by_time.query(
            f"LEDGER#{member_id}", condition, scan_index_forward=False, limit=skip + limit + 1
        )
    )
    shown = records[skip : skip + limit]  # the skipped ones are the cursor's time, shown before
    items = [entry_view(r) for r in shown]
    if len(records) <= skip + limit or not shown:
        return items, None
    last = shown[-1].at
    same_time = sum(1 for r in records[: skip + limit] if r.at == last)
    return items, _cursor(last, same_time)


def _cursor(at: str, count: int) -> str:
    # URL-safe (it travels in a query string; the time's "+" would not)
    return base64.urlsafe_b64encode(f"{at}~{count}".encode()).decode().rstrip("=")


def _read_cursor(cursor: str) -> tuple[str, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor of this list") from exc
    at, sep, count = text.rpartition("~")
    if not sep or not at or len(at) > 40 or not count.isdigit() or int(count) > PAGE_LIMIT:
        raise ValueError("not a cursor of this list")
    return at, int(count)


def existing(keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of (member_id, entry sort key) exist: BatchGetItem, 100 keys per request."""
    found: set[tuple[str, str]] = set()
    wanted = [(member_pk(member_id), sk) for member_id, sk in dict.fromkeys(keys)]
    for r in LedgerEntryRecord.batch_get(wanted, attributes_to_get=["pk", "sk", "member_id"]):
        found.add((r.member_id, r.sk))
    return found


def due_for_release(day: date) -> list[dict[str, Any]]:
    """Earn entries whose cooling-off ends on `day` (the day's index shards: every attributed sale of a day
    would otherwise take one partition)."""
    return [
        entry_view(r) | {"member_id": r.member_id}
        for key in every_shard(f"RELEASE#{day.isoformat()}")
        for r in LedgerEntryRecord.by_due.query(key)
    ]
