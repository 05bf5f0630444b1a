"""The real collaborators of the policy use cases: PolicyTable (policy.store), the PDF renderer,
catalog's door, notifications, the purchase state machine and checkout's orders. Cheap to build, so
built per call (nothing stale between tests or settings)."""

from __future__ import annotations

import json
import os
from typing import Any

from insuremall.observability import get_logger
from policy import store
from policy.cancellations import Cancellations
from policy.documents import Documents
from policy.endorsements import Endorsements
from policy.referrals import Referrals
from policy.renewal_offers import RenewalOffers

logger = get_logger("policy")


def _render(policy, verify_url: str) -> bytes:
    from policy.domain import policy_document  # reportlab is imported only when a PDF is drawn

    return policy_document.render(policy.record(), verify_url)


def _insurer_hotline(insurer_id: str) -> str | None:
    from catalog import api as catalog

    return catalog.insurer(insurer_id).get("hotline")


def _storefront_url() -> str:
    return os.environ.get("STOREFRONT_URL") or "https://localhost"


def _resume_saga(task_token: str, output: dict[str, Any]) -> None:
    from insuremall import aws

    aws.client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(output))


def _order_status(order_id: str) -> str | None:
    # issue 14 in progress: read through checkout's door once it has one.
    from checkout import store as checkout_store

    order = checkout_store.get_order(order_id)
    return order["status"] if order else None


def documents() -> Documents:
    return Documents(
        store=store,
        render=_render,
        insurer_hotline=_insurer_hotline,
        storefront_url=_storefront_url,
        logger=logger,
    )


def cancellations() -> Cancellations:
    from policy import refunds

    return Cancellations(store=store, refunds=refunds, rerender=documents().rerender, logger=logger)


def endorsements() -> Endorsements:
    return Endorsements(store=store, rerender=documents().rerender, logger=logger)


def referrals() -> Referrals:
    return Referrals(store=store, resume=_resume_saga, logger=logger)


def renewal_offers() -> RenewalOffers:
    from catalog import api as catalog
    from insuremall import notifications
    from insuremall.config import get_settings

    return RenewalOffers(
        store=store,
        catalog=catalog,
        notify=notifications.notify,
        order_status=_order_status,
        window_days=get_settings().renewal_window_days,
    )
