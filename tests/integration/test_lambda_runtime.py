"""The local Lambda runtime: a botocore invoke reaches the real handler, errors come back as Lambda
reports them, and Chalice apps get one request per thread."""

from __future__ import annotations

import json
import threading

from local.lambda_runtime import Fault


def _invoke(aws, function: str, payload: dict) -> dict:
    response = aws.client("lambda").invoke(
        FunctionName=aws.template.physical_name(function), Payload=json.dumps(payload).encode()
    )
    return {"error": response.get("FunctionError"), "payload": json.loads(response["Payload"].read())}


def test_given_a_boto3_invoke_then_the_real_handler_runs(aws):
    before = aws.runtime.invocations["PolicyTasksFunction"]
    result = _invoke(aws, "PolicyTasksFunction", {"task": "expire_policies", "date": "2030-01-01"})
    assert result == {"error": None, "payload": {"date": "2030-01-01", "expired": 0}}
    assert aws.runtime.invocations["PolicyTasksFunction"] == before + 1


def test_given_a_handler_that_raises_then_the_invoke_reports_a_function_error(aws):
    result = _invoke(aws, "PolicyTasksFunction", {"task": "no-such-task"})
    assert result["error"] == "Unhandled"
    assert result["payload"]["errorType"] == "ValueError"
    assert "no-such-task" in result["payload"]["errorMessage"]


def test_given_an_injected_fault_then_the_next_invocations_fail_and_later_ones_succeed(aws):
    aws.runtime.inject_fault(Fault("ReportsTasksFunction", "export_daily_sales", times=2))
    outcomes = [
        _invoke(aws, "ReportsTasksFunction", {"task": "export_daily_sales", "date": "2030-01-02"})
        for _ in range(3)
    ]
    assert [o["error"] for o in outcomes] == ["Unhandled", "Unhandled", None]
    assert outcomes[0]["payload"]["errorType"] == "TransientError"


def test_given_concurrent_api_requests_then_each_sees_its_own_request(aws):
    from local.gateway import build_event
    from local.template import Template

    route = next(r for r in Template().routes() if r.path == "/products/{product_id}" and r.method == "GET")
    results: dict[str, str] = {}

    def fetch(product_id: str) -> None:
        event = build_event(
            route, "GET", f"/products/{product_id}", "", {}, b"", {"product_id": product_id}, "x"
        )
        result, error = aws.runtime.invoke(route.function, event)
        results[product_id] = error if error else json.loads(result["body"])["product_id"]

    ids = ["accident-guardian", "travel-asia-explorer", "medical-million", "home-family-shield"] * 3
    threads = [threading.Thread(target=fetch, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {i: i for i in ids}
