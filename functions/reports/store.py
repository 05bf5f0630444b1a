"""Reports store: reads the sales counters; writes exports to the reports bucket."""

from __future__ import annotations

from typing import Any

from insuremall import aws
from insuremall.config import get_settings
from insuremall.models.reports import SalesCounter


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
    aws.client("s3").put_object(
        Bucket=get_settings().reports_bucket, Key=key, Body=body.encode(), ContentType=content_type
    )
