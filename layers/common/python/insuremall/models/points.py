"""RewardsTable: the points ledger (distribution.promotions.repository.points_ledger). Append-only
entries, a per-member state with the cumulative totals that make FIFO expiry exact
(distribution.promotions.domain.points_arithmetic), and a lot index in line order.
`BalanceRecord.points` (models/rewards.py) is the spendable total, moved in the
same transaction as every entry.

Keys of this module:
  MEMBER#<id>/POINTS#<key>          one entry; the key is the idempotency key:
                                      PURCHASE#<policy_no>, INVITE#<invitee>, SIGNIN#<yyyy-mm-dd>,
                                      FEE#... (earn lots), SPEND#<order>, RELEASE#<order> (spend_reversal),
                                      CONFIRM#<order> (marker), EXPIRE#<lot key>, EXPIRE#RELEASE#<order>,
                                      REVERSE#<policy_no>, <fee key>#clawback (debit)
     gsi2 byTime: POINTS#<member> / <at>#<key>        (history newest first; not on markers)
     gsi1 byDue (earn lots): POINTSEXPIRY#<yyyy-mm-dd>#<shard> / <member>#<key>   (the day the lot expires)
  MEMBER#<id>/POINTSTATE            earned / spent / expired / reversed / debited totals, the expiry frontier,
                                    the last lot's expiry day and a version for optimistic writes
  MEMBER#<id>/POINTSLOT#<end:012d>  a lot's place on the line (points, expiry): "expiring soon" reads
                                    the few lots after the consumed front in one query
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from insuremall.models import meta
from insuremall.models.rewards import ByDue, ByTime

STATE_SK = "POINTSTATE"
ENTRY_PREFIX = "POINTS#"
LOT_PREFIX = "POINTSLOT#"


def entry_sk(key: str) -> str:
    return f"{ENTRY_PREFIX}{key}"


def lot_sk(lot_end: int) -> str:
    return f"{LOT_PREFIX}{lot_end:012d}"


class PointsEntryRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    member_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # earn | spend | spend_reversal | expire | reverse | confirm
    points = NumberAttribute()  # signed: what the entry adds to the spendable points
    reason = UnicodeAttribute()
    at = UnicodeAttribute()
    expires_on = UnicodeAttribute(null=True)  # earn lots
    lot_end = NumberAttribute(null=True)  # earn lots and reversals: the lot's end on the line
    order_id = UnicodeAttribute(null=True)
    policy_no = UnicodeAttribute(null=True)
    detail = JSONAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)

    by_due = ByDue()
    by_time = ByTime()


class PointsStateRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=STATE_SK)
    earned_total = NumberAttribute(default=0)  # all lots ever earned: the line's length
    spent_total = NumberAttribute(default=0)  # spends net of spend reversals
    expired_total = NumberAttribute(default=0)
    reversed_total = NumberAttribute(default=0)
    debited_total = NumberAttribute(default=0)  # taken back from the front, e.g. a fee clawed back
    expired_through = NumberAttribute(default=0)  # supply position up to which lots have expired
    last_expires_on = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)


class PointsLotRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    key = UnicodeAttribute()
    points = NumberAttribute()
    expires_on = UnicodeAttribute()
