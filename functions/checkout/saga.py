"""The purchase saga from checkout's side: start it for a new order, and resume its payment wait when
the payment arrives (the state machine in infra/statemachines/purchase.asl.json does the rest)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from checkout.domain.model import Order
from insuremall import aws
from insuremall.config import get_settings
from insuremall.observability import get_logger

logger = get_logger("checkout")


def start(order: Order) -> None:
    """Start the saga named after the order; a repeat start (a retried request) is harmless."""
    client = aws.client("stepfunctions")
    with contextlib.suppress(client.exceptions.ExecutionAlreadyExists):
        client.start_execution(
            stateMachineArn=get_settings().purchase_state_machine_arn,
            name=order.order_id,
            input=json.dumps(
                {
                    "order_id": order.order_id,
                    "payment_timeout_seconds": get_settings().payment_timeout_seconds,
                    "application": order.application,
                }
            ),
        )


def resume(order: Order, payment: dict[str, Any]) -> None:
    """End the AwaitPayment wait with the payment; a wait already ended is left to CancelUnpaidOrder."""
    client = aws.client("stepfunctions")
    try:
        client.send_task_success(
            taskToken=order.payment_task_token,
            output=json.dumps(
                {
                    "intent_id": payment["intent_id"],
                    "amount_cents": payment["amount_cents"],
                    "paid_at": payment.get("paid_at"),
                }
            ),
        )
    except (
        client.exceptions.TaskTimedOut,
        client.exceptions.InvalidToken,
        client.exceptions.TaskDoesNotExist,
    ):
        # The wait already ended (timed out); CancelUnpaidOrder sees the payment and refunds it.
        logger.warning("payment arrived after the wait ended", extra={"order_id": order.order_id})
