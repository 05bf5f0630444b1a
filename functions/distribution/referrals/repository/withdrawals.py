"""Withdrawals store: payout accounts, withdrawal requests and decisions on RewardsTable.

Money only moves through the ledger (`ledger.post`), each time in one transaction with the status
change it belongs to:
  request  entries reserve (available -amount) + reserved (reserved +amount), the withdrawal (pending)
           and the Idempotency-Key item; conditional on available >= amount, so concurrent requests
           can never reserve more than is available.
  reject   entries unreserve (reserved -amount) + returned (available +amount); status pending ->
           rejected; refused if the payout entry exists.
  approve  status pending -> approved (conditional), then the payout provider (idempotent on the
           withdrawal id), then entries payout (reserved -amount) + withdrawn (withdrawn +amount) with
           status approved -> paid. A crash between the steps leaves it approved; deciding "approve"
           again finishes it, and the provider pays a withdrawal at most once.
"""

from __future__ import annotations

import base64
import random
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from distribution.referrals.domain import withdrawals as rules
from distribution.referrals.repository import fee_ledger as ledger
from insuremall import audit
from insuremall.clock import now_iso
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.rewards import member_pk
from insuremall.models.withdrawals import (
    IDEMPOTENCY_PREFIX,
    PAYOUT_ACCOUNT_SK,
    PAYOUT_SK,
    WITHDRAWAL_SK,
    PayoutAccountRecord,
    PayoutRecord,
    WithdrawalChange,
    WithdrawalKeyRecord,
    WithdrawalRecord,
    payout_pk,
    withdrawal_pk,
)
from insuremall.observability import get_logger

logger = get_logger("withdrawals")
PAGE_LIMIT = 50
# Concurrent transactions on one balance may be cancelled with TransactionConflict; retry a few times.
_CONFLICT_ATTEMPTS = 5
_DECISION_ATTEMPTS = 4


class NotEnoughAvailable(Exception):
    """The amount is above the member's available balance."""


class KeyReused(Exception):
    """The Idempotency-Key was already used by this member for a different amount."""


class PayoutFailed(Exception):
    """The payout provider did not pay; the withdrawal stays approved and can be approved again."""


def subject(withdrawal_id: str) -> str:
    return f"W{withdrawal_id}"


def _retrying(write: Callable[[], Any]) -> Any:
    for attempt in range(_CONFLICT_ATTEMPTS):
        try:
            return write()
        except TransactWriteError as exc:
            reasons = getattr(exc, "cancellation_reasons", None) or []
            conflict = any(r is not None and r.code == "TransactionConflict" for r in reasons)
            if not conflict or attempt == _CONFLICT_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))  # noqa: S311 - jitter, not security
    raise AssertionError("unreachable")


def _post(member_id: str, entries: list[ledger.Entry], **conditions: Any) -> bool:
    """ledger.post in one transaction; False when any of its conditions refused it (nothing written).
    Which condition it was is read back by the caller: the transaction's items are sent grouped by
    operation (condition checks, puts, updates), so the failed index does not name our entry."""
    try:
        return bool(_retrying(lambda: ledger.post(member_id, entries, day=rules.china_day(), **conditions)))
    except (ledger.InsufficientBalance, ledger.PreconditionFailed):
        return False


# ---------- payout accounts ----------


def _account(r: PayoutAccountRecord) -> dict[str, Any]:
    return {
        "holder_name": r.holder_name,
        "bank_name": r.bank_name,
        "account_no": r.account_no,
        "token": r.token,
        "updated_at": r.updated_at,
    }


def get_payout_account(member_id: str, token: str | None = None) -> dict[str, Any] | None:
    """The member's current account, or with `token` the account as saved under that token."""
    sk = f"{PAYOUT_ACCOUNT_SK}#{token}" if token else PAYOUT_ACCOUNT_SK
    try:
        return _account(PayoutAccountRecord.get(member_pk(member_id), sk, consistent_read=True))
    except PayoutAccountRecord.DoesNotExist:
        return None


def save_payout_account(member_id: str, account: dict[str, str]) -> dict[str, Any]:
    """Make `account` the member's payout account. A changed account gets a new token and its own
    unchangeable copy, so withdrawals requested before the change still pay the old account."""
    current = get_payout_account(member_id)
    fields = ("holder_name", "bank_name", "account_no")
    if current and all(current[k] == account[k] for k in fields):
        return current
    values = {k: account[k] for k in fields} | {"token": uuid.uuid4().hex, "updated_at": now_iso()}
    pk = member_pk(member_id)
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(PayoutAccountRecord(pk=pk, sk=PAYOUT_ACCOUNT_SK, **values))
        transaction.save(
            PayoutAccountRecord(pk=pk, sk=f"{PAYOUT_ACCOUNT_SK}#{values['token']}", **values),
            condition=PayoutAccountRecord.sk.does_not_exist(),
        )
    return values


# ---------- withdrawals ----------


def _withdrawal(r: WithdrawalRecord) -> dict[str, Any]:
    return {
        "withdrawal_id": r.withdrawal_id,
        "member_id": r.member_id,
        "amount_cents": int(r.amount_cents),
        "status": r.status,
        "payout_account": r.payout_account,
        "history": [{"status": h.status, "at": h.at, "by": h.by, "note": h.note} for h in r.history or []],
        "requested_at": r.requested_at,
        "updated_at": r.updated_at,
        "auto_approved": bool(r.auto_approved),
        "decided_by": r.decided_by,
        "decided_at": r.decided_at,
        "note": r.note,
        "payout": r.payout,
    }


def get(withdrawal_id: str) -> dict[str, Any] | None:
    try:
        return _withdrawal(
            WithdrawalRecord.get(withdrawal_pk(withdrawal_id), WITHDRAWAL_SK, consistent_read=True)
        )
    except WithdrawalRecord.DoesNotExist:
        return None


def _keyed(member_id: str, key: str, amount_cents: int) -> dict[str, Any] | None:
    """The withdrawal an earlier request with this key made (KeyReused for another amount)."""
    try:
        record = WithdrawalKeyRecord.get(member_pk(member_id), IDEMPOTENCY_PREFIX + key, consistent_read=True)
    except WithdrawalKeyRecord.DoesNotExist:
        return None
    if int(record.amount_cents) != amount_cents:
        raise KeyReused(key)
    return get(record.withdrawal_id)


def request(
    member_id: str,
    amount_cents: int,
    account: dict[str, Any],
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Reserve `amount_cents` of the available balance for a new pending withdrawal to `account`.
    Returns (withdrawal, created); a retry with the same Idempotency-Key returns the first one.
    Raises NotEnoughAvailable or KeyReused."""
    if idempotency_key:
        earlier = _keyed(member_id, idempotency_key, amount_cents)
        if earlier:
            return earlier, False
    withdrawal_id = uuid.uuid4().hex[:16]
    at = now_iso()
    record = WithdrawalRecord(
        pk=withdrawal_pk(withdrawal_id),
        sk=WITHDRAWAL_SK,
        withdrawal_id=withdrawal_id,
        member_id=member_id,
        amount_cents=amount_cents,
        status="pending",
        payout_account=rules.account_snapshot(account),
        history=[WithdrawalChange(status="pending", at=at)],
        requested_at=at,
        updated_at=at,
        gsi1pk="WITHDRAWALS#pending",
        gsi1sk=f"{at}#{withdrawal_id}",
        gsi2pk=f"WITHDRAWALS#{member_id}",
        gsi2sk=f"{at}#{withdrawal_id}",
    )
    marker = (
        WithdrawalKeyRecord(
            pk=member_pk(member_id),
            sk=IDEMPOTENCY_PREFIX + idempotency_key,
            withdrawal_id=withdrawal_id,
            amount_cents=amount_cents,
            created_at=at,
        )
        if idempotency_key
        else None
    )

    def extra(transaction) -> None:
        transaction.save(record, condition=WithdrawalRecord.pk.does_not_exist())
        if marker is not None:
            transaction.save(marker, condition=WithdrawalKeyRecord.sk.does_not_exist())

    entries = [
        ledger.Entry(
            subject(withdrawal_id), "reserve", -amount_cents, "available", withdrawal_id=withdrawal_id
        ),
        ledger.Entry(
            subject(withdrawal_id), "reserved", amount_cents, "reserved", withdrawal_id=withdrawal_id
        ),
    ]
    if _post(member_id, entries, minimum={"available": amount_cents}, extra_writes=extra):
        return _withdrawal(record), True
    # The withdrawal id is new, so only the key or the balance can have refused it: a concurrent
    # request with the same key may have won (and drawn the balance down).
    earlier = _keyed(member_id, idempotency_key, amount_cents) if idempotency_key else None
    if earlier:
        return earlier, False
    raise NotEnoughAvailable()


def _change(status: str, by: str | None, note: str | None, at: str) -> WithdrawalChange:
    return WithdrawalChange(status=status, at=at, by=by, note=note)


def _status_actions(withdrawal: dict[str, Any], status: str, at: str) -> list:
    return [
        WithdrawalRecord.status.set(status),
        WithdrawalRecord.updated_at.set(at),
        WithdrawalRecord.gsi1pk.set(f"WITHDRAWALS#{status}"),
        WithdrawalRecord.gsi1sk.set(f"{withdrawal['requested_at']}#{withdrawal['withdrawal_id']}"),
    ]


class _LostRace(Exception):
    """The withdrawal changed between reading and writing it: read it again and decide again."""


def _approve(withdrawal: dict[str, Any], note: str | None, operator=None) -> None:
    """pending -> approved, audited in the same transaction when an operator decides."""
    at = now_iso()
    by = operator.subject if operator is not None else "auto"
    actions = _status_actions(withdrawal, "approved", at) + [
        WithdrawalRecord.history.set(WithdrawalRecord.history.append([_change("approved", by, note, at)])),
        WithdrawalRecord.decided_by.set(by),
        WithdrawalRecord.decided_at.set(at),
        WithdrawalRecord.auto_approved.set(operator is None),
    ]
    if note:
        actions.append(WithdrawalRecord.note.set(note))
    record = WithdrawalRecord(pk=withdrawal_pk(withdrawal["withdrawal_id"]), sk=WITHDRAWAL_SK)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(record, actions=actions, condition=WithdrawalRecord.status == "pending")
            if operator is not None:
                audit.record(
                    operator,
                    "withdrawal.approved",
                    f"withdrawal:{withdrawal['withdrawal_id']}",
                    {"status": {"from": "pending", "to": "approved"}, "note": {"from": None, "to": note}},
                    transaction=transaction,
                )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise _LostRace() from exc
        raise


def _reject(withdrawal: dict[str, Any], note: str | None, operator) -> None:
    """pending -> rejected with the reserved money back to available, in one audited transaction."""
    withdrawal_id, amount = withdrawal["withdrawal_id"], withdrawal["amount_cents"]
    at = now_iso()
    actions = _status_actions(withdrawal, "rejected", at) + [
        WithdrawalRecord.history.set(
            WithdrawalRecord.history.append([_change("rejected", operator.subject, note, at)])
        ),
        WithdrawalRecord.decided_by.set(operator.subject),
        WithdrawalRecord.decided_at.set(at),
    ]
    if note:
        actions.append(WithdrawalRecord.note.set(note))

    def extra(transaction) -> None:
        transaction.update(
            WithdrawalRecord(pk=withdrawal_pk(withdrawal_id), sk=WITHDRAWAL_SK),
            actions=actions,
            condition=WithdrawalRecord.status == "pending",
        )
        audit.record(
            operator,
            "withdrawal.rejected",
            f"withdrawal:{withdrawal_id}",
            {"status": {"from": "pending", "to": "rejected"}, "note": {"from": None, "to": note}},
            transaction=transaction,
        )

    entries = [
        ledger.Entry(subject(withdrawal_id), "unreserve", -amount, "reserved", withdrawal_id=withdrawal_id),
        ledger.Entry(subject(withdrawal_id), "returned", amount, "available", withdrawal_id=withdrawal_id),
    ]
    if not _post(
        withdrawal["member_id"],
        entries,
        require_absent=(ledger.entry_sk(subject(withdrawal_id), "payout"),),
        extra_writes=extra,
    ):
        raise _LostRace()


def _pay(withdrawal: dict[str, Any], provider, operator=None) -> None:
    """approved -> paid: pay through the provider (at most once per withdrawal), then book it."""
    withdrawal_id, amount = withdrawal["withdrawal_id"], withdrawal["amount_cents"]
    account = get_payout_account(withdrawal["member_id"], withdrawal["payout_account"]["token"])
    if account is None:
        raise PayoutFailed("the payout account of this withdrawal is missing")
    try:
        payout = provider.payout(withdrawal_id, amount, account)
    except PayoutFailed:
        raise
    except Exception as exc:  # any provider failure leaves the withdrawal approved, to be retried
        logger.warning("payout failed", extra={"withdrawal_id": withdrawal_id, "error": type(exc).__name__})
        raise PayoutFailed(str(exc)) from exc
    at = now_iso()
    by = operator.subject if operator is not None else withdrawal.get("decided_by")
    paid = {"payout_id": payout["payout_id"], "paid_at": payout["paid_at"]}
    actions = _status_actions(withdrawal, "paid", at) + [
        WithdrawalRecord.history.set(WithdrawalRecord.history.append([_change("paid", by, None, at)])),
        WithdrawalRecord.payout.set(paid),
    ]

    def extra(transaction) -> None:
        transaction.update(
            WithdrawalRecord(pk=withdrawal_pk(withdrawal_id), sk=WITHDRAWAL_SK),
            actions=actions,
            condition=WithdrawalRecord.status == "approved",
        )
        if operator is not None:
            audit.record(
                operator,
                "withdrawal.paid",
                f"withdrawal:{withdrawal_id}",
                {
                    "status": {"from": "approved", "to": "paid"},
                    "payout_id": {"from": None, "to": paid["payout_id"]},
                },
                transaction=transaction,
            )

    entries = [
        ledger.Entry(
            subject(withdrawal_id), "payout", -amount, "reserved", withdrawal_id=withdrawal_id, detail=paid
        ),
        ledger.Entry(
            subject(withdrawal_id), "withdrawn", amount, "withdrawn", withdrawal_id=withdrawal_id, detail=paid
        ),
    ]
    if not _post(
        withdrawal["member_id"],
        entries,
        require_absent=(ledger.entry_sk(subject(withdrawal_id), "unreserve"),),
        extra_writes=extra,
    ):
        raise _LostRace()


def decide(withdrawal_id: str, decision: str, note: str | None, operator, provider) -> dict[str, Any] | None:
    """Carry out an operator's decision; repeating it finishes what a crash left undone and otherwise
    changes nothing. None when there is no such withdrawal; raises rules.InvalidDecision, PayoutFailed."""
    for _ in range(_DECISION_ATTEMPTS):
        current = get(withdrawal_id)
        if current is None:
            return None
        step = rules.next_step(current["status"], decision)
        try:
            if step == "reject":
                _reject(current, note, operator)
            elif step == "approve":
                _approve(current, note, operator)
                _pay(get(withdrawal_id) or current, provider, operator)
            elif step == "pay":
                _pay(current, provider, operator)
        except _LostRace:
            continue
        return get(withdrawal_id)
    return get(withdrawal_id)


def approve_automatically(withdrawal: dict[str, Any], provider) -> dict[str, Any]:
    """Below the auto-approval amount: approve and pay now. A failed payout leaves it approved for an
    operator to finish (the request itself has succeeded)."""
    try:
        _approve(withdrawal, "approved automatically below the auto-approval amount")
        _pay(get(withdrawal["withdrawal_id"]) or withdrawal, provider)
    except _LostRace:
        pass
    except PayoutFailed:
        logger.warning("automatic payout failed", extra={"withdrawal_id": withdrawal["withdrawal_id"]})
    return get(withdrawal["withdrawal_id"]) or withdrawal


# ---------- lists ----------

_SORT_KEY = re.compile(r"^[0-9T:.+-]{10,40}#[0-9a-f]{16}$")


def _cursor(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def sort_key_of(cursor: str) -> str:
    """The sort key a cursor names; ValueError for anything these lists did not make."""
    try:
        sort_key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor of this list") from exc
    if not _SORT_KEY.match(sort_key):
        raise ValueError("not a cursor of this list")
    return sort_key


def for_member(
    member_id: str, limit: int = 20, after: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """A member's withdrawals newest first; `after` is the previous page's cursor (<requested_at>#<id>)."""
    return _page(WithdrawalRecord.by_member, "gsi2", f"WITHDRAWALS#{member_id}", False, limit, after)


def by_status(
    status: str, limit: int = 20, after: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Withdrawals in one status: the queues (pending, approved) oldest first, the decided ones
    (paid, rejected) newest first."""
    oldest_first = status in ("pending", "approved")
    return _page(WithdrawalRecord.by_status, "gsi1", f"WITHDRAWALS#{status}", oldest_first, limit, after)


def _page(index, prefix: str, partition: str, forward: bool, limit: int, after: str | None):
    """One page of an index partition of withdrawals, with an opaque cursor for the next."""
    limit = max(1, min(limit, PAGE_LIMIT))
    last_key = None
    if after:
        after = sort_key_of(after)
        last_key = {
            "pk": {"S": withdrawal_pk(after.rpartition("#")[2])},
            "sk": {"S": WITHDRAWAL_SK},
            f"{prefix}pk": {"S": partition},
            f"{prefix}sk": {"S": after},
        }
    result = index.query(partition, scan_index_forward=forward, limit=limit, last_evaluated_key=last_key)
    items, cursor = [], None
    for r in result:
        items.append(_withdrawal(r))
        cursor = _cursor(getattr(r, f"{prefix}sk"))
        if len(items) >= limit:
            break
    more = result.last_evaluated_key is not None
    return items, cursor if (more and len(items) >= limit) else None


# ---------- the sandbox payout provider's records ----------


def record_payout(
    withdrawal_id: str, amount_cents: int, account_no_masked: str
) -> tuple[dict[str, Any], bool]:
    """Write the payout of a withdrawal once. Returns (payout, created); a repeat returns the first."""
    record = PayoutRecord(
        pk=payout_pk(withdrawal_id),
        sk=PAYOUT_SK,
        payout_id=f"po_{withdrawal_id}",
        withdrawal_id=withdrawal_id,
        amount_cents=amount_cents,
        account_no=account_no_masked,
        paid_at=now_iso(),
    )
    try:
        record.save(condition=PayoutRecord.pk.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
        return get_payout(withdrawal_id), False  # type: ignore[return-value]
    return _payout(record), True


def _payout(r: PayoutRecord) -> dict[str, Any]:
    return {
        "payout_id": r.payout_id,
        "withdrawal_id": r.withdrawal_id,
        "amount_cents": int(r.amount_cents),
        "account_no": r.account_no,
        "paid_at": r.paid_at,
    }


def get_payout(withdrawal_id: str) -> dict[str, Any] | None:
    try:
        return _payout(PayoutRecord.get(payout_pk(withdrawal_id), PAYOUT_SK, consistent_read=True))
    except PayoutRecord.DoesNotExist:
        return None
