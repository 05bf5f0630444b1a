"""PynamoDB models, one module per table. Table names come from the template via settings."""

from __future__ import annotations

from insuremall.config import get_settings


def meta(table_setting: str) -> type:
    settings = get_settings()

    class Meta:
        table_name = getattr(settings, table_setting)
        region = settings.region
        # Lambda gives up before API Gateway's 29 s; keep DynamoDB retries short.
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3

    return Meta
