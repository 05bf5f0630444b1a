"""Runs the real Lambda handlers in-process when the embedded AWS invokes a function.

moto has no Lambda runtime without Docker, so the functions are registered in moto (they list,
and carry the template's environment) and a botocore `before-call.lambda.Invoke` hook answers each
invoke by calling the handler named in the template. Whoever invokes - the state machine's
executor, a function, a test - goes through botocore, so all of them reach the real code.
"""

from __future__ import annotations

import importlib
import io
import json
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str
    invoked_function_arn: str
    _deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"


@dataclass
class Fault:
    """Make the next `times` invocations of a task fail, before or after the handler runs."""

    function: str
    task: str | None
    times: int
    when: str = "before"  # "after" = the handler's writes happen, then the invocation fails
    error_type: str = "TransientError"


class LambdaRuntime:
    def __init__(self) -> None:
        self._handlers: dict[str, Callable[[dict, Any], Any]] = {}
        self._specs: dict[str, Any] = {}
        self._names: dict[str, str] = {}  # physical name -> logical id
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.invocations: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    # ----- registry -----
    def register(self, logical_id: str, physical_name: str, spec: Any) -> None:
        self._specs[logical_id] = spec
        self._names[physical_name] = logical_id

    def handler(self, logical_id: str) -> Callable[[dict, Any], Any]:
        if logical_id not in self._handlers:
            module_name, _, attribute = self._specs[logical_id].handler.rpartition(".")
            target = getattr(importlib.import_module(module_name), attribute)
            _give_chalice_a_request_per_thread(target)
            self._handlers[logical_id] = target
        return self._handlers[logical_id]

    def logical_id(self, function_name: str) -> str:
        name = unquote(function_name)
        if ":function:" in name:
            name = name.split(":function:", 1)[1].split(":", 1)[0]
        if name in self._names:
            return self._names[name]
        if name in self._specs:
            return name
        raise KeyError(f"no local function {function_name}")

    # ----- faults (tests only) -----
    def inject_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, logical_id: str, event: Any) -> Fault | None:
        task = event.get("task") if isinstance(event, dict) else None
        with self._lock:
            for fault in self._faults:
                if fault.function == logical_id and fault.task in (None, task) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    # ----- invoking -----
    def invoke(self, function_name: str, event: Any) -> tuple[Any, str | None]:
        """Run the handler; returns (result, function_error) the way Lambda reports them."""
        logical_id = self.logical_id(function_name)
        spec = self._specs[logical_id]
        context = LambdaContext(
            function_name=logical_id,
            memory_limit_in_mb=spec.memory,
            timeout_seconds=spec.timeout,
            aws_request_id=str(uuid.uuid4()),
            invoked_function_arn=function_name,
            _deadline=time.monotonic() + spec.timeout,
        )
        self.invocations[logical_id] += 1
        fault = self._take_fault(logical_id, event)
        try:
            if fault and fault.when == "before":
                raise _InjectedFault(fault.error_type)
            result = self.handler(logical_id)(event, context)
            if fault and fault.when == "after":
                raise _InjectedFault(fault.error_type)
            return result, None
        except Exception as exc:  # a function error is data for the caller, as in Lambda
            self.errors[logical_id] += 1
            error_type = exc.error_type if isinstance(exc, _InjectedFault) else type(exc).__name__
            return {
                "errorType": error_type,
                "errorMessage": str(exc),
                "stackTrace": traceback.format_exception(exc)[-3:],
            }, "Unhandled"

    def botocore_hook(self, params: dict, **_: Any):
        """before-call.lambda.Invoke: answer the call from the in-process handler."""
        path = params.get("url_path", "")
        function_name = path.split("/functions/", 1)[1].split("/", 1)[0]
        body = params.get("body") or b"{}"
        event = json.loads(body.decode() if isinstance(body, bytes) else body)
        invocation_type = (params.get("headers") or {}).get("X-Amz-Invocation-Type", "RequestResponse")
        if invocation_type == "Event":
            threading.Thread(target=self.invoke, args=(function_name, event), daemon=True).start()
            return AWSResponse("", 202, {}, None), {"StatusCode": 202, "Payload": _stream(b"")}
        result, function_error = self.invoke(function_name, event)
        payload = json.dumps(result).encode()
        parsed: dict[str, Any] = {
            "StatusCode": 200,
            "Payload": _stream(payload),
            "ExecutedVersion": "$LATEST",
            "ResponseMetadata": {"HTTPStatusCode": 200, "RequestId": str(uuid.uuid4())},
        }
        if function_error:
            parsed["FunctionError"] = function_error
        return AWSResponse("", 200, {}, None), parsed


class _InjectedFault(Exception):
    def __init__(self, error_type: str):
        super().__init__(f"injected {error_type}")
        self.error_type = error_type


def _stream(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


class _RequestPerThread:
    """In Lambda each concurrent request gets its own container; here they share one process, so
    Chalice's per-invocation attributes are made per-thread."""

    @property
    def current_request(self):
        return getattr(self._local_invocation, "current_request", None)

    @current_request.setter
    def current_request(self, value):
        self._local_invocation.current_request = value

    @property
    def lambda_context(self):
        return getattr(self._local_invocation, "lambda_context", None)

    @lambda_context.setter
    def lambda_context(self, value):
        self._local_invocation.lambda_context = value


def _give_chalice_a_request_per_thread(target: Any) -> None:
    from chalice import Chalice

    if isinstance(target, Chalice) and not isinstance(target, _RequestPerThread):
        target._local_invocation = threading.local()
        target.__class__ = type(f"Local{type(target).__name__}", (_RequestPerThread, type(target)), {})
