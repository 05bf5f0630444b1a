"""The EventsTable stream reaches DistributionTasksFunction as Lambda's event source mapping would:
filtered by the template's FilterCriteria, in batches, retried from the first reported failure,
bisected on a function error, and given up to the OnFailure queue after MaximumRetryAttempts.

Each test builds its own poller over the session's embedded AWS, starting at LATEST (events other
tests wrote earlier are not delivered), and waits for delivery with `drain()`. The consumers are
replaced by a recorder, so the real ones never see these made-up events."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest

from local.lambda_runtime import Fault
from local.streams import StreamPoller, UnsupportedFilter, check_pattern, matches
from local.template import StreamSubscription

FUNCTION = "DistributionTasksFunction"

# Recorder state: what the consumer saw, and how often it should still fail per policy.
consumed: list[tuple[str, str]] = []
failures_left: dict[str, int] = {}


def record_consumer(payload: dict, event_type: str) -> None:
    key = payload["policy_no"]
    consumed.append((event_type, key))
    if failures_left.get(key, 0) > 0:
        failures_left[key] -= 1
        raise RuntimeError(f"consumer fails on {key}")


@pytest.fixture
def streams(aws, monkeypatch):
    from distribution import tasks

    consumed.clear()
    failures_left.clear()
    target = f"{__name__}:record_consumer"
    monkeypatch.setattr(
        tasks,
        "CONSUMERS",
        {
            "PolicyIssued": [target],
            "PolicyCancelled": [target],
            "MemberInvited": [],
            "PolicyRenewed": [target],
        },
    )
    # Only the distribution subscription: the made-up events are no real sales for the reports' one.
    mine = [s for s in aws.template.stream_subscriptions() if s.function == FUNCTION]
    return StreamPoller(aws, subscriptions=mine, starting_position="LATEST", retry_delay=0)


def _spec(poller: StreamPoller):
    (mapping,) = [m for m in poller.mappings if m.spec.function == FUNCTION]
    return mapping


def _write(event_type: str, policy_no: str | None = None) -> str:
    from insuremall.models.events import DomainEventRecord

    policy_no = policy_no or f"P{uuid.uuid4().hex[:10].upper()}"
    DomainEventRecord(
        pk=f"POLICY#{policy_no}",
        sk=event_type,
        event_type=event_type,
        occurred_at="2026-11-25T10:00:00+08:00",
        payload={"policy_no": policy_no},
        gsi1pk=f"{event_type}#2026-11-25",
        gsi1sk=f"2026-11-25T10:00:00+08:00#{policy_no}",
    ).save()
    return policy_no


def _dead_letters(aws) -> list[dict]:
    sqs = aws.client("sqs")
    url = aws.refs["RewardsEventsDeadLetterQueue"]
    messages = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            messages.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def test_given_the_template_then_the_subscription_has_its_mapping_settings(streams, aws):
    mapping = _spec(streams)
    assert mapping.stream_arn == aws.refs["EventsTable.StreamArn"]
    assert mapping.on_failure == aws.refs["RewardsEventsDeadLetterQueue.Arn"]
    assert mapping.spec.batch_size == 25
    assert mapping.spec.maximum_retry_attempts == 10
    assert mapping.spec.report_batch_item_failures and mapping.spec.bisect_on_function_error


def test_given_a_policy_issued_event_then_the_function_receives_it_once(streams):
    policy_no = _write("PolicyIssued")
    invocations_before = _spec(streams).counts["invocations"]

    streams.drain()
    streams.drain()

    assert consumed == [("PolicyIssued", policy_no)]
    assert _spec(streams).counts["invocations"] == invocations_before + 1
    assert streams.status()["subscriptions"][f"{FUNCTION}.DomainEvents"]["delivered"] == 1


def test_given_a_record_then_the_event_has_lambdas_dynamodb_shape(streams, aws, monkeypatch):
    events = []
    invoke = aws.runtime.invoke
    monkeypatch.setattr(aws.runtime, "invoke", lambda fn, event: (events.append(event), invoke(fn, event))[1])
    policy_no = _write("PolicyCancelled")

    streams.drain()

    (record,) = events[0]["Records"]
    assert record["eventName"] == "INSERT" and record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == aws.refs["EventsTable.StreamArn"]
    assert record["awsRegion"] and record["eventID"]
    assert record["dynamodb"]["Keys"] == {"pk": {"S": f"POLICY#{policy_no}"}, "sk": {"S": "PolicyCancelled"}}
    assert record["dynamodb"]["NewImage"]["event_type"] == {"S": "PolicyCancelled"}
    assert record["dynamodb"]["StreamViewType"] == "NEW_IMAGE"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert consumed == [("PolicyCancelled", policy_no)]


def test_given_an_event_type_outside_the_filter_then_it_is_not_delivered(streams):
    from insuremall.models.events import DomainEventRecord

    other = _write("PolicyRenewed")
    issued = _write("PolicyIssued")
    # A MODIFY of a matching event is not an INSERT: filtered out too.
    DomainEventRecord.get(f"POLICY#{issued}", "PolicyIssued").update(
        actions=[DomainEventRecord.occurred_at.set("2026-11-25T11:00:00+08:00")]
    )

    streams.drain()

    assert consumed == [("PolicyIssued", issued)]
    assert ("PolicyRenewed", other) not in consumed
    assert _spec(streams).counts["filtered_out"] == 2


def test_given_a_consumer_failing_on_one_record_then_the_batch_is_retried_from_that_record(streams):
    first, failing, last = _write("PolicyIssued"), _write("PolicyIssued"), _write("PolicyIssued")
    failures_left[failing] = 1

    streams.drain()

    assert consumed == [
        ("PolicyIssued", first),
        ("PolicyIssued", failing),  # reported as the batch's first failure
        ("PolicyIssued", failing),  # the retry starts at it; `first` is not redelivered
        ("PolicyIssued", last),
    ]
    counts = _spec(streams).counts
    assert (counts["invocations"], counts["failed"], counts["delivered"], counts["sent_to_dlq"]) == (
        2,
        1,
        3,
        0,
    )


def test_given_a_record_failing_past_the_retry_limit_then_it_goes_to_the_dead_letter_queue(streams, aws):
    _dead_letters(aws)
    poison = _write("PolicyIssued")
    after = _write("PolicyIssued")
    failures_left[poison] = 1000
    retries = _spec(streams).spec.maximum_retry_attempts

    streams.drain()

    seen = Counter(key for _, key in consumed)
    assert seen[poison] == 1 + retries
    # As in Lambda, the whole remaining batch (from the failed record on) is given up together.
    assert seen[after] == 0
    (letter,) = _dead_letters(aws)
    info = letter["DDBStreamBatchInfo"]
    assert info["batchSize"] == 2
    assert info["streamArn"] == aws.refs["EventsTable.StreamArn"]
    assert letter["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert letter["requestContext"]["approximateInvokeCount"] == 1 + retries
    assert _spec(streams).counts["sent_to_dlq"] == 2

    later = _write("PolicyIssued")
    streams.drain()
    assert consumed[-1] == ("PolicyIssued", later)  # the stream moved on


def test_given_a_function_error_then_the_batch_is_bisected_and_every_record_delivered(streams, aws):
    keys = [_write("PolicyIssued") for _ in range(4)]
    aws.runtime.inject_fault(Fault(FUNCTION, None, times=1))

    streams.drain()

    assert [key for _, key in consumed] == keys  # each once, in order
    counts = _spec(streams).counts
    assert (counts["invocations"], counts["failed"], counts["delivered"]) == (3, 1, 4)


def test_given_a_started_poller_then_drain_waits_for_delivery(aws, streams):
    policy_no = _write("PolicyIssued")
    streams.start()
    try:
        streams.drain(timeout=5)
    finally:
        streams.stop()
    assert consumed == [("PolicyIssued", policy_no)]


def test_given_an_unknown_filter_operator_then_the_poller_refuses_to_start(aws):
    spec = StreamSubscription(
        name="Numeric",
        function=FUNCTION,
        stream=aws.refs["EventsTable.StreamArn"],
        starting_position="LATEST",
        filter_patterns=[{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}}],
    )
    with pytest.raises(UnsupportedFilter, match="numeric"):
        StreamPoller(aws, subscriptions=[spec])


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"eventName": ["INSERT"]}, {"eventName": "INSERT"}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "MODIFY"}, False),
        ({"a": {"b": {"S": ["x", "y"]}}}, {"a": {"b": {"S": "y"}}}, True),
        ({"a": {"b": {"S": ["x"]}}}, {"a": {}}, False),
        ({"a": [{"prefix": "Pol"}]}, {"a": "PolicyIssued"}, True),
        ({"a": [{"exists": False}]}, {"b": 1}, True),
        ({"a": [{"exists": True}]}, {"b": 1}, False),
        ({"a": [{"anything-but": ["x"]}]}, {"a": "y"}, True),
        ({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
        ({"a": [1]}, {"a": True}, False),
        ({"a": ["x"]}, {"a": ["w", "x"]}, True),
    ],
)
def test_given_a_filter_pattern_then_records_match_as_lambda_filters_them(pattern, event, expected):
    check_pattern(pattern)
    assert matches(pattern, event) is expected
