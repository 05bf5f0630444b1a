"""CatalogTable: categories, insurers, products and rate-table versions.

Keys: pk=PRODUCT sk=<product_id> (and CATEGORY, INSURER); pk=RATES#<product_id> sk=v<version>.
GSI byCategory: gsi1pk=CATEGORY#<category_id>, gsi1sk=<product_id> (products only).
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta


class ByCategory(GlobalSecondaryIndex):
    class Meta:
        index_name = "byCategory"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class CatalogRecord(Model):
    Meta = meta("catalog_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    doc = JSONAttribute()
    updated_at = UTCDateTimeAttribute(null=True)

    by_category = ByCategory()
