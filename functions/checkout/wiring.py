"""The real collaborators of checkout's use cases, built in one place (tests pass fakes instead)."""

from __future__ import annotations

import time
from typing import Any

from catalog import api as catalog
from checkout import incentives, payments, saga, store
from insuremall.config import get_settings


def now() -> float:
    return time.time()


def quoting() -> dict[str, Any]:
    return {"quotes": store, "pricing": catalog}


def ordering() -> dict[str, Any]:
    """For ordering.place (and place_from_form, which also takes `quotes`)."""
    return {"orders": store, "pricing": catalog, "incentives": incentives, "saga": saga}


def payment() -> dict[str, Any]:
    """For payment_webhook.receive."""
    return {"orders": store, "provider": payments.provider(), "saga": saga}


def refunding() -> dict[str, Any]:
    return {"orders": store, "provider": payments.provider()}


def quote_ttl_seconds() -> int:
    return get_settings().quote_ttl_seconds
