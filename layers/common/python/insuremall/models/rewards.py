"""RewardsTable: the promotion-fee ledger, balances, dashboard counters and programme settings
(distribution). Withdrawals, points, commission rates and campaigns keep their own models on the
same table (models/withdrawals.py, points.py, commission_rates.py, campaigns.py).

Keys of this module:
  MEMBER#<id>/BALANCE                     a member's balances: promotion fees pending / available /
                                          reserved (withdrawals not yet paid) / withdrawn, and points
  MEMBER#<id>/STAT#D#<yyyy-mm-dd>         promotion fees earned that day (China time) } so the dashboard
  MEMBER#<id>/STAT#M#<yyyy-mm>            promotion fees earned that month            } reads 3 items
  MEMBER#<id>/LEDGER#<subject>#<kind>     one ledger entry; the key is the idempotency key, e.g.
                                          LEDGER#P<policy_no>#L1#earn, LEDGER#W<withdrawal_id>#reserve
     gsi2 byTime: LEDGER#<id> / <at>#<sk>  (a member's entries newest first, one page per request)
     gsi1 byDue (earn entries only): RELEASE#<yyyy-mm-dd>#<shard> / <member>#<sk> (the day cooling-off ends)
  SETTINGS/PROGRAM                        programme settings (distribution.promotions.domain.program_settings)
The ledger is append-only: entries are never updated or deleted; balances are sums of entries kept
in the same transaction that writes each entry.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta


def member_pk(member_id: str) -> str:
    return f"MEMBER#{member_id}"


BALANCE_SK = "BALANCE"
SETTINGS_PK, SETTINGS_SK = "SETTINGS", "PROGRAM"


class ByDue(GlobalSecondaryIndex):
    class Meta:
        index_name = "byDue"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByTime(GlobalSecondaryIndex):
    class Meta:
        index_name = "byTime"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class LedgerEntryRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    member_id = UnicodeAttribute()
    # distribution.referrals.domain.ledger_entries.KINDS
    kind = UnicodeAttribute()
    amount_cents = NumberAttribute()  # signed: what this entry adds to the balance it names
    balance = UnicodeAttribute()  # pending | available | reserved | withdrawn (the balance it moves)
    at = UnicodeAttribute()
    policy_no = UnicodeAttribute(null=True)
    level = NumberAttribute(null=True)
    withdrawal_id = UnicodeAttribute(null=True)
    # The rule that decided the entry: e.g. {"rate_bp": 1500, "base_cents": 36000, "settlement": "cash",
    # "licence_rule": "not_required"}; a clawback names the refund share.
    detail = JSONAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()

    by_due = ByDue()
    by_time = ByTime()


class BalanceRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=BALANCE_SK)
    pending_cents = NumberAttribute(default=0)
    available_cents = NumberAttribute(default=0)
    reserved_cents = NumberAttribute(default=0)
    withdrawn_cents = NumberAttribute(default=0)
    earned_cents = NumberAttribute(default=0)  # all promotion fees ever earned, net of voids and clawbacks
    points = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)


class StatRecord(Model):
    """Promotion fees earned in one day or month (net of voids and clawbacks booked in it)."""

    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    earned_cents = NumberAttribute(default=0)


class ProgramSettingsRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True, default=SETTINGS_PK)
    sk = UnicodeAttribute(range_key=True, default=SETTINGS_SK)
    settings = JSONAttribute()
    revision = NumberAttribute(default=1)
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()
