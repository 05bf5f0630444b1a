"""A capability's door run in the function that owns it: a synchronous Lambda invoke of its tasks function.

When checkout must use a member's coupon, or policy must refund a cancelled policy's payment, the
caller does not write the other capability's table (it holds no grant for it): the owner's api.py
calls `call(...)`, and the owner's tasks function runs the named interface task (insuremall.tasks.run)
and answers its result, or the failure it raised, which is raised again here with its class, code,
message and fields, so the caller sees what it would have seen in-process.

Locally and in the integration tests the embedded AWS answers the invoke with the real handler
(local/lambda_runtime.py), so this is the same path as in AWS.
"""

from __future__ import annotations

import json
import os
from typing import Any

from insuremall import errors

_FAILURES: dict[str, type[errors.Failure]] = {
    cls.__name__: cls
    for cls in (
        errors.Failure,
        errors.Malformed,
        errors.Unauthenticated,
        errors.Forbidden,
        errors.NotFound,
        errors.Conflict,
        errors.Expired,
        errors.Invalid,
    )
}


class InvocationFailed(errors.TransientError):
    """The owner's function failed unexpectedly (or could not be reached): worth a retry."""


def call(function_env: str, task: str, **arguments: Any) -> Any:
    """Run `task` in the function named by environment variable `function_env`; its result, or its failure."""
    from insuremall import aws

    response = aws.client("lambda").invoke(
        FunctionName=os.environ[function_env],
        Payload=json.dumps({"task": task, "arguments": arguments}, default=str).encode(),
    )
    answer = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        raise InvocationFailed(f"{task} failed in {os.environ[function_env]}: {answer}")
    if isinstance(answer, dict) and "failure" in answer:
        raise reraised(answer["failure"])
    return answer["result"]


def answer(handler, arguments: dict[str, Any]) -> dict[str, Any]:
    """The tasks function's side: run an interface task, answering its result or the failure it raised."""
    try:
        return {"result": handler(**arguments)}
    except errors.Failure as failure:
        kind = next(c.__name__ for c in type(failure).__mro__ if c.__name__ in _FAILURES)
        return {
            "failure": {
                "kind": kind,
                "code": failure.code,
                "message": failure.message,
                "fields": failure.fields,
            }
        }


def reraised(failure: dict[str, Any]) -> errors.Failure:
    cls = _FAILURES.get(failure.get("kind", ""), errors.Failure)
    if cls is errors.Invalid:
        raised = errors.Invalid(
            failure.get("fields") or {}, failure.get("message") or "Some fields are not valid"
        )
    else:
        raised = cls(failure.get("message") or "", failure.get("fields") or None)
    raised.code = failure.get("code") or raised.code
    return raised


def start(function_env: str, task: str, **fields: Any) -> None:
    """Start `task` in the function named by environment variable `function_env` and return at once (an
    asynchronous invoke: Lambda queues the event, runs it outside this request and retries a failure
    twice). The event is `{"task": task, **fields}`, the shape the schedules use."""
    from insuremall import aws

    aws.client("lambda").invoke(
        FunctionName=os.environ[function_env],
        InvocationType="Event",
        Payload=json.dumps({"task": task, **fields}, default=str).encode(),
    )
