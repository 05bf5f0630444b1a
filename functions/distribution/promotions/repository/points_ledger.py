"""The points ledger: the only code that writes points entries and `BalanceRecord.points`, always in
one transaction with the member's points state (cumulative totals) that makes FIFO expiry exact
(the arithmetic is in distribution.promotions.domain.points_arithmetic).

Each entry's key is its idempotency key, so a redelivered event, a second tap or a re-run day writes
nothing (the call answers False). Writes that compute from the totals (a lot's place on the line,
expiry, reversal, release) are conditioned on what they read and retried when another write got in
between; spending only needs `points >= amount`, so concurrent spends never overspend.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from distribution.promotions.domain import points_arithmetic as rules
from distribution.promotions.repository import program_settings as program
from insuremall.clock import now_iso
from insuremall.models import transaction_connection
from insuremall.models.points import (
    ENTRY_PREFIX,
    LOT_PREFIX,
    STATE_SK,
    PointsEntryRecord,
    PointsLotRecord,
    PointsStateRecord,
    entry_sk,
    lot_sk,
)
from insuremall.models.rewards import BALANCE_SK, BalanceRecord, member_pk
from insuremall.observability import get_logger
from insuremall.sharding import every_shard, sharded

logger = get_logger("points")
PAGE_LIMIT = 100
ATTEMPTS = 12
LOT_END_MAX = 10**12 - 1


class InsufficientPoints(Exception):
    """The spendable points are fewer than a spend asks for."""


class PreconditionFailed(Exception):
    """An entry the write depends on is missing, or one that forbids it exists."""


class _Conflict(Exception):
    """Another write changed the totals this one computed from: read again and retry."""


@dataclass
class _Entry:
    key: str
    kind: str
    points: int
    reason: str
    visible: bool = True  # in the member's history (markers and zero entries are not)
    expires_on: str | None = None
    lot_end: int | None = None
    order_id: str | None = None
    policy_no: str | None = None
    detail: dict[str, Any] | None = None


@dataclass
class _Plan:
    entries: list[_Entry]
    state_add: dict[str, int] = field(default_factory=dict)
    state_set: dict[str, Any] = field(default_factory=dict)
    state_condition: Any = None
    bump_version: bool = True
    minimum: int | None = None  # BalanceRecord.points must be at least this before the move
    lot: PointsLotRecord | None = None
    require_absent: tuple[str, ...] = ()
    require_present: tuple[str, ...] = ()


@dataclass(frozen=True)
class _State:
    earned_total: int = 0
    spent_total: int = 0
    expired_total: int = 0
    reversed_total: int = 0
    debited_total: int = 0
    expired_through: int = 0
    last_expires_on: str | None = None
    version: int = 0

    @property
    def consumed(self) -> int:
        return self.spent_total + self.expired_total + self.debited_total


def _read_state(member_id: str) -> _State:
    try:
        r = PointsStateRecord.get(member_pk(member_id), STATE_SK, consistent_read=True)
    except PointsStateRecord.DoesNotExist:
        return _State()
    return _State(
        earned_total=int(r.earned_total or 0),
        spent_total=int(r.spent_total or 0),
        expired_total=int(r.expired_total or 0),
        reversed_total=int(r.reversed_total or 0),
        debited_total=int(r.debited_total or 0),
        expired_through=int(r.expired_through or 0),
        last_expires_on=r.last_expires_on,
        version=int(r.version or 0),
    )


def _version_is(state: _State):
    if state.version == 0:
        return PointsStateRecord.version.does_not_exist()
    return PointsStateRecord.version == state.version


def _reversals(member_id: str) -> list[rules.Reversal]:
    """The member's reversed lots: one query, bounded by their cancelled policies."""
    return [
        rules.Reversal(lot_end=int(r.lot_end), points=-int(r.points))
        for r in PointsEntryRecord.query(
            member_pk(member_id),
            PointsEntryRecord.sk.startswith(entry_sk("REVERSE#")),
            consistent_read=True,
        )
        if r.lot_end is not None
    ]


def _get_entry(member_id: str, key: str) -> PointsEntryRecord | None:
    try:
        return PointsEntryRecord.get(member_pk(member_id), entry_sk(key), consistent_read=True)
    except PointsEntryRecord.DoesNotExist:
        return None


def _record(member_id: str, entry: _Entry, at: str) -> PointsEntryRecord:
    sk = entry_sk(entry.key)
    lot = entry.kind == "earn"
    return PointsEntryRecord(
        pk=member_pk(member_id),
        sk=sk,
        member_id=member_id,
        kind=entry.kind,
        points=entry.points,
        reason=entry.reason,
        at=at,
        expires_on=entry.expires_on,
        lot_end=entry.lot_end,
        order_id=entry.order_id,
        policy_no=entry.policy_no,
        detail=entry.detail or None,
        gsi1pk=sharded(f"POINTSEXPIRY#{entry.expires_on}", member_id) if lot else None,
        gsi1sk=f"{member_id}#{entry.key}" if lot else None,
        gsi2pk=f"POINTS#{member_id}" if entry.visible else None,
        gsi2sk=f"{at}#{entry.key}" if entry.visible else None,
    )


def _apply(member_id: str, plan: _Plan) -> bool:
    """One transaction: entries (each absent), state, balance, lot index, preconditions."""
    at = now_iso()
    pk = member_pk(member_id)
    delta = sum(e.points for e in plan.entries)
    state_actions = [getattr(PointsStateRecord, n).add(v) for n, v in plan.state_add.items() if v]
    state_actions += [getattr(PointsStateRecord, n).set(v) for n, v in plan.state_set.items()]
    if plan.bump_version:
        state_actions.append(PointsStateRecord.version.add(1))
    state_actions.append(PointsStateRecord.updated_at.set(at))
    balance_actions = [BalanceRecord.updated_at.set(at)]
    if delta:
        balance_actions.append(BalanceRecord.points.add(delta))
    minimum = BalanceRecord.points >= plan.minimum if plan.minimum is not None else None
    # PynamoDB sends condition checks first, then puts, then updates: the order of the reasons.
    labels = ["check"] * (len(plan.require_absent) + len(plan.require_present))
    labels += ["entry"] * len(plan.entries) + ["lot"] * (plan.lot is not None) + ["state", "balance"]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for entry in plan.entries:
                transaction.save(
                    _record(member_id, entry, at), condition=PointsEntryRecord.sk.does_not_exist()
                )
            transaction.update(
                PointsStateRecord(pk=pk, sk=STATE_SK), actions=state_actions, condition=plan.state_condition
            )
            transaction.update(
                BalanceRecord(pk=pk, sk=BALANCE_SK), actions=balance_actions, condition=minimum
            )
            if plan.lot is not None:
                transaction.save(plan.lot)
            for key in plan.require_absent:
                transaction.condition_check(
                    PointsEntryRecord, pk, entry_sk(key), condition=PointsEntryRecord.sk.does_not_exist()
                )
            for key in plan.require_present:
                transaction.condition_check(
                    PointsEntryRecord, pk, entry_sk(key), condition=PointsEntryRecord.sk.exists()
                )
    except TransactWriteError as exc:
        reasons = list(getattr(exc, "cancellation_reasons", None) or [])
        failed = {
            labels[i] for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"
        }
        if not failed:
            if any(r is not None and r.code == "TransactionConflict" for r in reasons):
                raise _Conflict() from exc
            raise
        if "entry" in failed:
            return False  # an entry exists: a replay
        if "state" in failed:
            raise _Conflict() from exc
        if "balance" in failed:
            raise InsufficientPoints(plan.minimum) from exc
        raise PreconditionFailed(member_id) from exc
    return True


def _write(member_id: str, make_plan) -> bool:
    """Read the state, plan, write; again when another write changed what the plan was computed from."""
    for attempt in range(ATTEMPTS):
        plan = make_plan(_read_state(member_id))
        if plan is None:
            return False
        try:
            return _apply(member_id, plan)
        except _Conflict:
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))  # noqa: S311 - jitter
    raise RuntimeError(f"points of member {member_id} kept changing; gave up after {ATTEMPTS} attempts")


# ---------- Earning ----------


def credit(
    member_id: str,
    key: str,
    points: int,
    reason: str,
    day: date | None = None,
    *,
    policy_no: str | None = None,
    detail: dict[str, Any] | None = None,
    unless: str | None = None,
) -> bool:
    """Earn `points` as a lot keyed `key` (once: False if `key` was credited before, or for 0 points).

    The lot expires `points_expiry_days` after `day` (China time; today by default), and never before
    a lot earned earlier. With `unless` (an entry key), nothing is earned once that entry exists.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise ValueError("points must be a whole number, 0 or more")
    if points == 0 or _get_entry(member_id, key) is not None:
        return False
    day = day or rules.china_day(datetime.now(UTC))
    expiry_days = int(program.current()["points_expiry_days"])

    def plan(state: _State) -> _Plan:
        last = date.fromisoformat(state.last_expires_on) if state.last_expires_on else None
        expires_on = rules.lot_expiry(day, expiry_days, last).isoformat()
        lot_end = state.earned_total + points
        condition = (
            PointsStateRecord.earned_total.does_not_exist() | (PointsStateRecord.earned_total == 0)
            if state.earned_total == 0
            else PointsStateRecord.earned_total == state.earned_total
        )
        return _Plan(
            entries=[
                _Entry(
                    key,
                    "earn",
                    points,
                    reason,
                    expires_on=expires_on,
                    lot_end=lot_end,
                    policy_no=policy_no,
                    detail=detail,
                )
            ],
            state_add={"earned_total": points},
            state_set={"last_expires_on": expires_on},
            state_condition=condition,
            bump_version=False,  # expiry, reversal and release do not compute from earned_total
            lot=PointsLotRecord(
                pk=member_pk(member_id), sk=lot_sk(lot_end), key=key, points=points, expires_on=expires_on
            ),
            require_absent=(unless,) if unless else (),
        )

    try:
        return _write(member_id, plan)
    except PreconditionFailed:
        return False  # `unless` exists


def check_in_today(member_id: str, at: datetime | None = None) -> dict[str, Any]:
    """Today's check-in as the rewards page shows it: the China day, whether it is done, what it earns."""
    day = rules.china_day(at or datetime.now(UTC))
    done = _get_entry(member_id, f"SIGNIN#{day.isoformat()}")
    return {
        "day": day.isoformat(),
        "checked_in": done is not None,
        "points": int(done.points) if done is not None else int(program.current()["signin_points"]),
    }


def check_in(member_id: str, at: datetime | None = None) -> tuple[bool, int, date]:
    """The daily sign-in: (new today, points awarded, China day). Once per China day."""
    day = rules.china_day(at or datetime.now(UTC))
    award = int(program.current()["signin_points"])
    key = f"SIGNIN#{day.isoformat()}"
    if award == 0:
        return False, 0, day
    new = credit(member_id, key, award, "daily check-in", day)
    return new, award if new else 0, day


# ---------- Spending at checkout ----------


def reserve(member_id: str, order_id: str, points: int) -> bool:
    """Take `points` off the balance for an order (entry SPEND#<order>).

    True when reserved now; False when this order's spend was written before (a replay, nothing
    changes); raises InsufficientPoints when the balance is below `points`.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ValueError("points must be a whole number above 0")

    def plan(state: _State) -> _Plan:
        return _Plan(
            entries=[_Entry(f"SPEND#{order_id}", "spend", -points, "checkout discount", order_id=order_id)],
            state_add={"spent_total": points},
            minimum=points,  # the only condition: concurrent spends are serialised by DynamoDB
        )

    return _write(member_id, plan)


def release(member_id: str, order_id: str, reason: str = "order closed", confirmed_too: bool = False) -> bool:
    """Give an order's reserved points back (entry RELEASE#<order>), once.

    False when the order has no spend, it was released before, or it was confirmed (the policy was
    issued) unless `confirmed_too` (its policy was cancelled with a full refund). Points whose lots
    expired while they were reserved expire at once (EXPIRE#RELEASE#<order>).
    """
    spend = _get_entry(member_id, f"SPEND#{order_id}")
    if spend is None:
        return False
    returned = -int(spend.points)

    def plan(state: _State) -> _Plan:
        lapsed = rules.expire_on_return(returned, state.consumed, state.expired_through)
        entries = [_Entry(f"RELEASE#{order_id}", "spend_reversal", returned, reason, order_id=order_id)]
        if lapsed:
            entries.append(
                _Entry(
                    f"EXPIRE#RELEASE#{order_id}",
                    "expire",
                    -lapsed,
                    "returned points already expired",
                    order_id=order_id,
                )
            )
        return _Plan(
            entries=entries,
            state_add={"spent_total": -returned, "expired_total": lapsed},
            state_condition=_version_is(state),
            require_absent=() if confirmed_too else (f"CONFIRM#{order_id}",),
        )

    try:
        return _write(member_id, plan)
    except PreconditionFailed:
        return False


def confirm(member_id: str, order_id: str) -> bool:
    """Make an order's spend final (marker CONFIRM#<order>): a later release returns nothing.

    True when the spend stands (confirmed now or before); False when there is no spend for the order
    or it was released. Writes no points: they left the balance at `reserve`.
    """
    pk = member_pk(member_id)
    marker = _record(
        member_id,
        _Entry(f"CONFIRM#{order_id}", "confirm", 0, "policy issued", visible=False, order_id=order_id),
        now_iso(),
    )
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(marker, condition=PointsEntryRecord.sk.does_not_exist())
            transaction.condition_check(
                PointsEntryRecord, pk, entry_sk(f"SPEND#{order_id}"), condition=PointsEntryRecord.sk.exists()
            )
            transaction.condition_check(
                PointsEntryRecord,
                pk,
                entry_sk(f"RELEASE#{order_id}"),
                condition=PointsEntryRecord.sk.does_not_exist(),
            )
    except TransactWriteError as exc:
        reasons = list(getattr(exc, "cancellation_reasons", None) or [])
        failed = {i for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"}
        if not failed:
            raise
        return 2 in failed  # the marker (sent after the two condition checks) exists: confirmed before
    return True


def debit(member_id: str, key: str, points: int, reason: str) -> bool:
    """Take back up to `points` (e.g. promotion-fee points clawed back), oldest first, never below 0.

    Once per `key`: False when it was debited before. What the member already spent stays spent.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise ValueError("points must be a whole number, 0 or more")
    if _get_entry(member_id, key) is not None:
        return False
    for attempt in range(ATTEMPTS):
        amount = min(points, max(0, _balance(member_id, consistent=True)))
        plan = _Plan(
            entries=[_Entry(key, "reverse", -amount, reason, visible=amount > 0, detail={"asked": points})],
            state_add={"debited_total": amount},
            minimum=amount if amount else None,
        )
        try:
            return _apply(member_id, plan)
        except (InsufficientPoints, _Conflict):  # spent meanwhile: take what is left
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))  # noqa: S311 - jitter
    raise RuntimeError(f"points of member {member_id} kept changing; gave up after {ATTEMPTS} attempts")


# ---------- Reversal and expiry ----------


def reverse_purchase(member_id: str, policy_no: str) -> bool:
    """Take back what is still unspent of a cancelled policy's purchase points (REVERSE#<policy>), once.

    False when it was reversed before. A cancellation that arrives before the policy's points were
    earned leaves the reversal entry (0 points), so the late earn writes nothing.
    """
    for attempt in range(ATTEMPTS):
        lot = _get_entry(member_id, f"PURCHASE#{policy_no}")
        if lot is not None and lot.lot_end is not None:
            return _reverse_lot(member_id, policy_no, int(lot.points), int(lot.lot_end))
        marker = _Entry(
            f"REVERSE#{policy_no}", "reverse", 0, "policy cancelled", visible=False, policy_no=policy_no
        )
        try:
            return _apply(
                member_id,
                _Plan(entries=[marker], bump_version=False, require_absent=(f"PURCHASE#{policy_no}",)),
            )
        except (PreconditionFailed, _Conflict):  # the points were earned meanwhile: reverse them
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))  # noqa: S311 - jitter
    raise RuntimeError(f"points of member {member_id} kept changing; gave up after {ATTEMPTS} attempts")


def _reverse_lot(member_id: str, policy_no: str, lot_points: int, lot_end: int) -> bool:
    """Take the lot's unspent tail (FIFO: what was spent came from the front)."""

    def plan(state: _State) -> _Plan:
        taken = rules.unspent_in_lot(lot_points, lot_end, state.consumed, _reversals(member_id))
        return _Plan(
            entries=[
                _Entry(
                    f"REVERSE#{policy_no}",
                    "reverse",
                    -taken,
                    "policy cancelled",
                    visible=taken > 0,
                    lot_end=lot_end,
                    policy_no=policy_no,
                    detail={"lot_points": lot_points},
                )
            ],
            state_add={"reversed_total": taken},
            state_condition=_version_is(state),
        )

    return _write(member_id, plan)


def _expire_lot(member_id: str, key: str, lot_end: int) -> int | None:
    """Expire what is unspent up to a lot's end; the points expired, or None if done before."""
    if _get_entry(member_id, f"EXPIRE#{key}") is not None:
        return None
    expired: dict[str, int] = {}

    def plan(state: _State) -> _Plan:
        reversals = _reversals(member_id)
        amount = rules.to_expire(lot_end, state.consumed, reversals)
        through = lot_end - rules.holes_up_to(lot_end, reversals)
        expired["points"] = amount
        return _Plan(
            entries=[_Entry(f"EXPIRE#{key}", "expire", -amount, "points expired", visible=amount > 0)],
            state_add={"expired_total": amount},
            state_set={"expired_through": max(state.expired_through, through)},
            state_condition=_version_is(state),
        )

    return expired["points"] if _write(member_id, plan) else None


def expire_due(day: date) -> dict[str, Any]:
    """Expire the lots due on `day` and the catch-up days before it, each once, oldest first."""
    lots = expired_lots = expired_points = 0
    for due in rules.expiry_days_to_run(day):
        by_member: dict[str, list[tuple[int, str]]] = {}
        shards = every_shard(f"POINTSEXPIRY#{due.isoformat()}")  # a day's lots spread over the shards
        for r in (r for key in shards for r in PointsEntryRecord.by_due.query(key)):
            by_member.setdefault(r.member_id, []).append((int(r.lot_end), r.sk.removeprefix(ENTRY_PREFIX)))
        for member_id, member_lots in by_member.items():
            for lot_end, key in sorted(member_lots):  # line order
                lots += 1
                amount = _expire_lot(member_id, key, lot_end)
                if amount is not None:
                    expired_lots += 1
                    expired_points += amount
    logger.info(
        "points expired", extra={"date": day.isoformat(), "lots": expired_lots, "points": expired_points}
    )
    return {
        "date": day.isoformat(),
        "lots": lots,
        "expired_lots": expired_lots,
        "expired_points": expired_points,
    }


# ---------- Reading ----------


def balance(member_id: str) -> int:
    return _balance(member_id)


def _balance(member_id: str, consistent: bool = False) -> int:
    try:
        return int(
            BalanceRecord.get(member_pk(member_id), BALANCE_SK, consistent_read=consistent).points or 0
        )
    except BalanceRecord.DoesNotExist:
        return 0


def expiring_soon(member_id: str, today: date | None = None) -> dict[str, Any] | None:
    """The next day within EXPIRING_SOON_DAYS on which unspent points expire: {points, on} or None.

    Reads the state, the lots after the consumed front (line order = expiry order) and the reversals.
    """
    today = today or rules.china_day(datetime.now(UTC))
    state = _read_state(member_id)
    horizon = today + timedelta(days=rules.EXPIRING_SOON_DAYS)
    lots = []
    after_front = PointsLotRecord.sk.between(lot_sk(state.consumed + 1), lot_sk(LOT_END_MAX))
    for r in PointsLotRecord.query(member_pk(member_id), after_front, limit=50):
        if date.fromisoformat(r.expires_on) > horizon:
            break
        lots.append(
            rules.Lot(int(r.points), int(r.sk.removeprefix(LOT_PREFIX)), date.fromisoformat(r.expires_on))
        )
    if not lots:
        return None
    found = rules.expiring_next(lots, state.consumed, _reversals(member_id), today)
    return {"points": found[0], "on": found[1].isoformat()} if found else None


def entry_view(r: PointsEntryRecord) -> dict[str, Any]:
    view = {
        "key": r.sk.removeprefix(ENTRY_PREFIX),
        "kind": r.kind,
        "points": int(r.points),
        "at": r.at,
        "reason": r.reason,
    }
    if r.expires_on:
        view["expires_on"] = r.expires_on
    return view


def history(
    member_id: str, limit: int = 20, after: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a member's points entries, newest first; `after` is the previous page's cursor."""
    limit = max(1, min(limit, PAGE_LIMIT))
    last_key = None
    if after:
        gsi2sk, _, sk = after.partition("|")
        if not gsi2sk or not sk.startswith(ENTRY_PREFIX) or len(after) > 400:
            raise ValueError("not a cursor of this history")
        last_key = {
            "pk": {"S": member_pk(member_id)},
            "sk": {"S": sk},
            "gsi2pk": {"S": f"POINTS#{member_id}"},
            "gsi2sk": {"S": gsi2sk},
        }
    result = PointsEntryRecord.by_time.query(
        f"POINTS#{member_id}", scan_index_forward=False, limit=limit, last_evaluated_key=last_key
    )
    items, cursor = [], None
    for r in result:
        items.append(entry_view(r))
        cursor = f"{r.gsi2sk}|{r.sk}"
        if len(items) >= limit:
            break
    more = result.last_evaluated_key is not None
    return items, cursor if (more and len(items) >= limit) else None


def totals(member_id: str) -> dict[str, int]:
    """The member's cumulative points totals (for operators and checks): balance = earned - spent
    - expired - reversed - debited."""
    state = _read_state(member_id)
    return {
        "earned_total": state.earned_total,
        "spent_total": state.spent_total,
        "expired_total": state.expired_total,
        "reversed_total": state.reversed_total,
        "debited_total": state.debited_total,
    }
