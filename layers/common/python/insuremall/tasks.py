"""Dispatch for task functions: the state machine and the schedules name the task in the event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run(
    tasks: dict[str, Callable[[dict[str, Any]], dict[str, Any]]], event: dict[str, Any], logger
) -> dict[str, Any]:
    task = tasks.get(event.get("task", ""))
    if task is None:
        raise ValueError(f"unknown task {event.get('task')!r}")
    logger.info("task", extra={"task": event["task"], "order_id": event.get("order_id")})
    return task(event)
