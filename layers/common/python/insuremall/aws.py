"""AWS clients, made on first use and kept for the container's life (boto3 is imported lazily so
routes that need no client do not pay for it at cold start)."""

from __future__ import annotations

from functools import cache

from insuremall.config import get_settings


@cache
def client(service: str):
    import boto3

    return boto3.client(service, region_name=get_settings().region)
