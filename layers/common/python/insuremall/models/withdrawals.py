"""RewardsTable: withdrawals of promotion fees, members' payout accounts and the sandbox payout
provider's own records (distribution). The money itself moves in the ledger (models/rewards.py):
entries LEDGER#W<withdrawal_id>#<kind> written in the same transactions as the status changes here.

Keys of this module:
  WITHDRAWAL#<id>/WITHDRAWAL                  one withdrawal request and its status history
     gsi1 byDue:  WITHDRAWALS#<status> / <requested_at>#<id>   (operators' queue by status)
     gsi2 byTime: WITHDRAWALS#<member> / <requested_at>#<id>   (a member's withdrawals newest first)
  MEMBER#<id>/WITHDRAWALKEY#<Idempotency-Key> a member's request key -> the withdrawal it made
  MEMBER#<id>/PAYOUTACCOUNT                   the member's current payout account
  MEMBER#<id>/PAYOUTACCOUNT#<token>           an account as it was when saved (never changed), so a
                                              withdrawal pays the account it was requested to
  PAYOUT#<withdrawal_id>/PAYOUT               the sandbox provider's payout (one per withdrawal)
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta

WITHDRAWAL_SK = "WITHDRAWAL"
PAYOUT_ACCOUNT_SK = "PAYOUTACCOUNT"
IDEMPOTENCY_PREFIX = "WITHDRAWALKEY#"
PAYOUT_SK = "PAYOUT"


def withdrawal_pk(withdrawal_id: str) -> str:
    return f"WITHDRAWAL#{withdrawal_id}"


def payout_pk(withdrawal_id: str) -> str:
    return f"PAYOUT#{withdrawal_id}"


# Index classes of their own: PynamoDB binds an index class to the model that declares it.
class WithdrawalsByStatus(GlobalSecondaryIndex):
    class Meta:
        index_name = "byDue"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class WithdrawalsByMember(GlobalSecondaryIndex):
    class Meta:
        index_name = "byTime"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class WithdrawalChange(MapAttribute):
    status = UnicodeAttribute()
    at = UnicodeAttribute()
    by = UnicodeAttribute(null=True)  # operator id, "auto" (below the auto-approval amount) or none
    note = UnicodeAttribute(null=True)


class WithdrawalRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=WITHDRAWAL_SK)
    withdrawal_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    status = UnicodeAttribute()  # pending | approved | paid | rejected
    # Snapshot when requested: {holder_name, bank_name, account_no (masked), token}
    payout_account = JSONAttribute()
    history = ListAttribute(of=WithdrawalChange)
    requested_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    auto_approved = BooleanAttribute(default=False)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    payout = JSONAttribute(null=True)  # {payout_id, paid_at}
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()

    by_status = WithdrawalsByStatus()
    by_member = WithdrawalsByMember()


class WithdrawalKeyRecord(Model):
    """An Idempotency-Key a member sent with a withdrawal request: a retry answers the first request."""

    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    withdrawal_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    created_at = UnicodeAttribute()


class PayoutAccountRecord(Model):
    """A member's payout account. The account number is stored as given and only ever shown masked."""

    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    holder_name = UnicodeAttribute()
    bank_name = UnicodeAttribute()
    account_no = UnicodeAttribute()
    token = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class PayoutRecord(Model):
    """The sandbox payout provider's record of money sent: at most one per withdrawal."""

    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=PAYOUT_SK)
    payout_id = UnicodeAttribute()
    withdrawal_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    account_no = UnicodeAttribute()  # masked: the sandbox keeps no account numbers
    paid_at = UnicodeAttribute()
