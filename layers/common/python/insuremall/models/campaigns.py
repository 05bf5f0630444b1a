"""RewardsTable: campaigns, their coupons' claim counters and members' claimed coupons (distribution).

Keys of this module:
  CAMPAIGN#<id>/CAMPAIGN                  a campaign (name, dates, products, points multiplier, coupons)
     gsi1 byDue: CAMPAIGNS / <ends_at>#<id>  "active now" = one query on ends_at >= now, then starts_at
  CAMPAIGN#<id>/COUPON#<coupon_id>        a coupon's counter: claimed so far and the quota; a claim
                                          adds 1 under the condition claimed < quota
  MEMBER#<id>/COUPON#<claim_id>           one claimed coupon (its terms as claimed): available | used
     gsi2 byTime: COUPONS#<member> / <claimed_at>#<claim_id>  (a member's coupons newest first)
  MEMBER#<id>/COUPONCOUNT#<campaign>#<coupon>  how many of that coupon the member claimed (per-member limit)
Times are UTC ISO 8601 with milliseconds (insuremall.clock.now_iso), so they compare as text.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta

CAMPAIGN_SK = "CAMPAIGN"
CAMPAIGNS_PK = "CAMPAIGNS"


def campaign_pk(campaign_id: str) -> str:
    return f"CAMPAIGN#{campaign_id}"


def coupon_sk(coupon_id: str) -> str:
    return f"COUPON#{coupon_id}"


def claim_count_sk(campaign_id: str, coupon_id: str) -> str:
    return f"COUPONCOUNT#{campaign_id}#{coupon_id}"


class CampaignsByDue(GlobalSecondaryIndex):
    class Meta:
        index_name = "byDue"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class CouponsByTime(GlobalSecondaryIndex):
    class Meta:
        index_name = "byTime"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class CampaignRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=CAMPAIGN_SK)
    campaign_id = UnicodeAttribute()
    # Top-level so a claim's transaction can check them: the campaign is running.
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    # name, description, product_ids, points_multiplier, coupons [{coupon_id, kind, ...}]
    doc = JSONAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(default=CAMPAIGNS_PK)
    gsi1sk = UnicodeAttribute()

    by_due = CampaignsByDue()


class CouponCounterRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    claimed = NumberAttribute(default=0)
    quota = NumberAttribute()


class MemberCouponCountRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    claimed = NumberAttribute(default=0)


class CouponClaimRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    claim_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    coupon_id = UnicodeAttribute()
    # The coupon's terms when claimed (kind, amount_cents | percent, min_premium_cents, product_ids,
    # campaign_name): a later edit of the campaign does not change a coupon already in a member's hands.
    terms = JSONAttribute()
    valid_from = UnicodeAttribute()
    valid_until = UnicodeAttribute()
    status = UnicodeAttribute(default="available")  # available | used
    order_id = UnicodeAttribute(null=True)
    claimed_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()

    by_time = CouponsByTime()
