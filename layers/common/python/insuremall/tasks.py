"""Dispatch for task functions: the state machine and the schedules name the task in the event, and other
capabilities call the function's interface tasks through insuremall.invocation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run(
    tasks: dict[str, Callable[[dict[str, Any]], dict[str, Any]]],
    event: dict[str, Any],
    logger,
    interface: dict[str, Callable[..., Any]] | None = None,
) -> dict[str, Any]:
    """`tasks` take the event; `interface` tasks (invocation.call) take keyword arguments and answer
    {"result"} or {"failure"}."""
    name = event.get("task", "")
    if interface and name in interface:
        from insuremall import invocation

        logger.info("interface task", extra={"task": name})
        return invocation.answer(interface[name], event.get("arguments") or {})
    task = tasks.get(name)
    if task is None:
        raise ValueError(f"unknown task {name!r}")
    logger.info("task", extra={"task": name, "order_id": event.get("order_id")})
    return task(event)
