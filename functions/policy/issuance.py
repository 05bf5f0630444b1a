"""Issuing a policy for the purchase saga's accepted, paid order: once per order (a retry answers the
policy already issued)."""

from __future__ import annotations

import logging
from typing import Any

from insuremall.clock import Clock, china_day, utc_now
from policy.domain.issuance import issue_policy_record


def issue(
    order_id: str,
    application: dict[str, Any],
    payment: dict[str, Any],
    *,
    store: Any,
    logger: logging.Logger,
    now: Clock = utc_now,
) -> str:
    """The policy number of the order's policy, issued now if it has none yet."""
    existing = store.policy_for_order(order_id)
    if existing:
        return existing
    issued_at = now()
    day = china_day(issued_at)
    sequence = store.next_policy_sequence(day.strftime("%Y%m%d"), order_id)
    policy, event = issue_policy_record(application, payment, issued_at, day, sequence)
    policy_no = store.issue(policy, event)
    logger.info("policy issued", extra={"order_id": order_id, "policy_no": policy_no})
    return policy_no
