"""The local platform for the end-to-end benchmarks, started quietly and instrumented.

* start(): the whole platform (embedded AWS, gateway, demo data) on a free port, schedules off.
  Every handler is imported up front, then the functions' JSON logs are sent to a log file under
  bench/results/logs/ instead of this terminal (they are still written, so their cost stays in).
* Instruments: wraps `aws.runtime.invoke` to time every Lambda invocation and label it by route or
  task, and adds a botocore `before-call` handler that files every AWS API call under the
  invocation that made it (thread-local), with the request body for DynamoDB capacity estimates.
  The platform's own counters (aws.meter, runtime.invocations, gateway.api_requests) are untouched.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._common import LOG_DIR

OUTSIDE = "(outside any invocation)"


@dataclass
class Invocation:
    function: str
    label: str  # "POST /orders", "task issue", ...
    seconds: float
    nested_in: str | None  # the invocation running in the same thread when this one started


@dataclass
class AwsCall:
    operation: str  # "dynamodb.GetItem"
    function: str
    label: str
    body: dict[str, Any] = field(default_factory=dict)  # DynamoDB request (JSON protocol) only


class Instruments:
    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.invocations: list[Invocation] = []
        self.calls: list[AwsCall] = []
        self.recording = True

    def reset(self) -> None:
        with self._lock:
            self.invocations.clear()
            self.calls.clear()

    # botocore before-call.<service>.<Operation>
    def before_call(self, event_name: str, params: dict | None = None, **_: Any) -> None:
        if not self.recording:
            return
        _, service, operation = event_name.split(".", 2)
        stack = getattr(self._local, "stack", None)
        function, label = stack[-1] if stack else (OUTSIDE, OUTSIDE)
        body: dict[str, Any] = {}
        if service == "dynamodb" and params and params.get("body"):
            raw = params["body"]
            try:
                body = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
            except ValueError:
                body = {}
        with self._lock:
            self.calls.append(AwsCall(f"{service}.{operation}", function, label, body))

    def wrap_runtime(self, runtime: Any) -> None:
        """Time each invocation (the handler's wall time in this process) and label it."""
        original = runtime.invoke
        instruments = self

        def invoke(function_name: str, event: Any):
            function = runtime.logical_id(function_name)
            label = _label(event)
            stack = instruments._local.__dict__.setdefault("stack", [])
            nested_in = f"{stack[-1][0]} {stack[-1][1]}" if stack else None
            stack.append((function, label))
            started = time.perf_counter()
            try:
                return original(function_name, event)
            finally:
                seconds = time.perf_counter() - started
                stack.pop()
                if instruments.recording:
                    with instruments._lock:
                        instruments.invocations.append(Invocation(function, label, seconds, nested_in))

        runtime.invoke = invoke


def _label(event: Any) -> str:
    if isinstance(event, dict):
        if "httpMethod" in event:
            return f"{event['httpMethod']} {event.get('resource', event.get('path'))}"
        if "task" in event:
            return f"task {event['task']}"
    return "(event)"


def _quiet_function_logs(log_file: Path) -> None:
    """Point every logging handler that writes to this terminal's stdout at the log file."""
    import sys

    stream = log_file.open("a")
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stdout, sys.__stdout__):
                handler.setStream(stream)


def start(name: str, instruments: Instruments | None = None):
    """Start the platform (and install the instruments before any AWS client exists)."""
    import botocore.handlers

    from local.platform import LocalPlatform

    if instruments is not None:
        # Before start(): botocore copies BUILTIN_HANDLERS into each new session, and the platform,
        # boto3's default session and every function's client are all created after this point.
        botocore.handlers.BUILTIN_HANDLERS.append(("before-call", instruments.before_call))
    started = time.monotonic()
    platform = LocalPlatform(port=0, schedules=False).start()
    if instruments is not None:
        instruments.wrap_runtime(platform.aws.runtime)
    for function in platform.aws.template.functions():
        platform.aws.runtime.handler(function)  # import every handler now (Lambda would, per container)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_file = LOG_DIR / f"{name}.log"
    log_file.write_text("")
    _quiet_function_logs(log_file)
    print(
        f"local platform up at {platform.api_url} in {time.monotonic() - started:.1f} s "
        f"(function logs: {log_file.relative_to(LOG_DIR.parent.parent.parent)})",
        flush=True,
    )
    return platform


def stop(platform: Any, instruments: Instruments | None = None) -> None:
    import botocore.handlers

    platform.stop()
    if (
        instruments is not None
        and ("before-call", instruments.before_call) in botocore.handlers.BUILTIN_HANDLERS
    ):
        botocore.handlers.BUILTIN_HANDLERS.remove(("before-call", instruments.before_call))


def execution_arn(platform: Any, order_id: str) -> str:
    machine = platform.aws.refs["PurchaseStateMachine"]
    return machine.replace(":stateMachine:", ":execution:") + f":{order_id}"


def calls_by(calls: list[AwsCall], key) -> Counter:
    return Counter(key(c) for c in calls)
