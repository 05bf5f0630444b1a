"""ReportsTable: sales counters written in the same transaction that issues a policy.

Keys: pk=SALES#<yyyy-mm-dd>, sk=<region>#<insurer>#<product>#<channel>; a day's report is one query.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from insuremall.models import meta


class SalesCounter(Model):
    Meta = meta("reports_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    region = UnicodeAttribute()
    insurer_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    policies = NumberAttribute(default=0)
    premium_cents = NumberAttribute(default=0)
