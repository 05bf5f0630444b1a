"""Commission rates on RewardsTable (distribution): per product and a default per category, each
with the day it takes effect.

Keys:
  RATE#PRODUCT#<product_id>  / <effective_from yyyy-mm-dd>    a product's rate from that day
  RATE#CATEGORY#<category_id>/ <effective_from yyyy-mm-dd>    a category's default rate
     gsi2 byTime: COMMISSIONRATES / <scope>#<id>#<effective_from>  (the console's list of all rates)
The rate of a sale is one Query: sk <= issue day, newest first, limit 1.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from insuremall.models import meta
from insuremall.models.rewards import ByTime

ALL_RATES_PK = "COMMISSIONRATES"


def rate_pk(scope: str, scope_id: str) -> str:
    return f"RATE#{scope.upper()}#{scope_id}"


class CommissionRateRecord(Model):
    Meta = meta("rewards_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # effective_from
    scope = UnicodeAttribute()  # product | category
    scope_id = UnicodeAttribute()
    effective_from = UnicodeAttribute()
    level1_bp = NumberAttribute()
    level2_bp = NumberAttribute()
    renewal_level1_bp = NumberAttribute()
    renewal_level2_bp = NumberAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    gsi2pk = UnicodeAttribute(default=ALL_RATES_PK)
    gsi2sk = UnicodeAttribute()

    by_time = ByTime()
