"""Reports store: reads the sales counters; writes exports to the reports bucket."""

from __future__ import annotations

from typing import Any

from insuremall.config import get_settings
from insuremall.models.reports import SalesCounter

_s3 = None


def sales_counters(day: str) -> list[dict[str, Any]]:
    return [
        {
            "region": c.region,
            "insurer_id": c.insurer_id,
            "product_id": c.product_id,
            "channel": c.channel,
            "policies": int(c.policies),
            "premium_cents": int(c.premium_cents),
        }
        for c in SalesCounter.query(f"SALES#{day}")
    ]


def put_export(key: str, body: str, content_type: str) -> None:
    global _s3
    if _s3 is None:
        import boto3

        _s3 = boto3.client("s3", region_name=get_settings().region)
    _s3.put_object(
        Bucket=get_settings().reports_bucket, Key=key, Body=body.encode(), ContentType=content_type
    )
