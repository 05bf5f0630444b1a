"""PynamoDB models, one module per table. Table names come from the template via settings."""

from __future__ import annotations

from functools import lru_cache

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


def condition_failed(exc: Exception) -> bool:
    """True when a write (or one item of a transaction) was refused by its condition."""
    if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
        return True
    return any(
        r is not None and r.code == "ConditionalCheckFailed"
        for r in getattr(exc, "cancellation_reasons", None) or []
    )


@lru_cache(maxsize=1)
def transaction_connection():
    from pynamodb.connection import Connection

    return Connection(region=get_settings().region)
