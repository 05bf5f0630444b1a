"""Delivers DynamoDB stream records to the functions the template subscribes (Events of Type DynamoDB),
the way Lambda's event source mapping does: a background poller reads each shard in order, applies the
mapping's FilterCriteria, batches up to BatchSize (waiting up to MaximumBatchingWindowInSeconds for a
full batch), invokes the function with {"Records": [...]} in Lambda's DynamoDB event shape, honours
`batchItemFailures` (ReportBatchItemFailures), bisects a failing batch (BisectBatchOnFunctionError),
retries up to MaximumRetryAttempts and then sends the batch's metadata to the OnFailure destination.

moto's own event source mapping is not used: it invokes synchronously inside put_item (while the
embedded AWS holds its DynamoDB lock) and only through a private moto hook. Here the function runs on
the poller's thread through `LambdaRuntime.invoke`, like every other local invocation.

    poller = StreamPoller(aws)      # reads the subscriptions from the template
    poller.start()                  # polls every 200 ms in a daemon thread
    poller.drain(timeout=10)        # returns once every record written so far is delivered (or given up)
    poller.stop()

Without start(), drain() runs the polling cycles in the calling thread (tests).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from local.template import ACCOUNT, REGION, StreamSubscription

if TYPE_CHECKING:
    from local.embedded_aws import EmbeddedAws

logger = logging.getLogger("local.streams")

POLL_INTERVAL = 0.2
RETRY_DELAY = 0.2  # Lambda backs off between retries; locally a fixed short pause
_READ_LIMIT = 1000

# ---------------------------------------------------------------------------------------------
# Filter criteria: the part of EventBridge-style content filtering Lambda applies to stream
# records that this platform needs. An operator outside it is refused when the poller is built,
# so a pattern is never silently read as "matches nothing" (or everything).
# ---------------------------------------------------------------------------------------------
SUPPORTED_OPERATORS = ("exists", "prefix", "anything-but")


class UnsupportedFilter(ValueError):
    pass


def check_pattern(pattern: Any, where: str = "") -> None:
    """Raises UnsupportedFilter unless the pattern uses only what `matches` implements."""
    if not isinstance(pattern, dict) or not pattern:
        raise UnsupportedFilter(f"{where or 'pattern'}: a pattern is a non-empty JSON object")
    for key, rule in pattern.items():
        path = f"{where}.{key}" if where else key
        if isinstance(rule, dict):
            check_pattern(rule, path)
            continue
        if not isinstance(rule, list) or not rule:
            raise UnsupportedFilter(f"{path}: a rule is a non-empty list of values or operators")
        for matcher in rule:
            if isinstance(matcher, dict):
                if len(matcher) != 1:
                    raise UnsupportedFilter(f"{path}: one operator per object, got {matcher}")
                ((operator, operand),) = matcher.items()
                if operator not in SUPPORTED_OPERATORS:
                    raise UnsupportedFilter(
                        f"{path}: filter operator {operator!r} is not supported locally "
                        f"(supported: exact values, {', '.join(SUPPORTED_OPERATORS)})"
                    )
                if operator == "exists" and not isinstance(operand, bool):
                    raise UnsupportedFilter(f"{path}: exists takes true or false")
                if operator == "prefix" and not isinstance(operand, str):
                    raise UnsupportedFilter(f"{path}: prefix takes a string")
                if operator == "anything-but" and not (
                    _is_scalar(operand) or (isinstance(operand, list) and all(map(_is_scalar, operand)))
                ):
                    raise UnsupportedFilter(f"{path}: anything-but takes a value or a list of values")
            elif not _is_scalar(matcher):
                raise UnsupportedFilter(f"{path}: cannot match {matcher!r}")


def matches(pattern: dict[str, Any], event: Any) -> bool:
    """Every key of the pattern must match: nested objects recurse, lists match any of their values."""
    for key, rule in pattern.items():
        present = isinstance(event, dict) and key in event
        value = event.get(key) if present else None
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not matches(rule, value):
                return False
        elif not any(_matches_one(matcher, present, value) for matcher in rule):
            return False
    return True


def _matches_one(matcher: Any, present: bool, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if isinstance(matcher, dict):
        ((operator, operand),) = matcher.items()
        if operator == "exists":
            return present == operand and not isinstance(value, dict)
        if not present or isinstance(value, dict):
            return False
        if operator == "prefix":
            return any(isinstance(v, str) and v.startswith(operand) for v in values)
        excluded = operand if isinstance(operand, list) else [operand]
        return all(not any(_same(v, x) for x in excluded) for v in values)
    return present and any(_same(v, matcher) for v in values)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


# ---------------------------------------------------------------------------------------------
# The event Lambda gives the function
# ---------------------------------------------------------------------------------------------
def lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda passes it: JSON only (times in epoch seconds, binary in
    base64), with the stream's ARN as eventSourceARN."""
    record = _plain(raw)
    record["eventSourceARN"] = stream_arn
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


# ---------------------------------------------------------------------------------------------
# The poller
# ---------------------------------------------------------------------------------------------
@dataclass
class _Batch:
    records: list[dict[str, Any]]
    attempts: int = 0  # failed invocations so far
    not_before: float = 0.0


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    pending: deque = field(default_factory=deque)  # filtered records not yet in a batch
    pending_since: float = 0.0
    batches: deque = field(default_factory=deque)  # batches being retried (bisected halves in order)
    at_end: bool = False  # the last read returned nothing: caught up with the stream


class _Mapping:
    """One subscription: a function on a stream, with its counters."""

    def __init__(self, spec: StreamSubscription, stream_arn: str, function_arn: str, on_failure: str | None):
        self.spec, self.stream_arn = spec, stream_arn
        self.function_arn, self.on_failure = function_arn, on_failure
        for i, pattern in enumerate(spec.filter_patterns):
            check_pattern(pattern, f"{spec.function}.{spec.name} filter {i}")
        self.position, self.opened = spec.starting_position, False
        self.shards: dict[str, _Shard] = {}
        self.counts: Counter[str] = Counter()

    @property
    def key(self) -> str:
        return f"{self.spec.function}.{self.spec.name}"

    def accepts(self, record: dict[str, Any]) -> bool:
        patterns = self.spec.filter_patterns
        return not patterns or any(matches(p, record) for p in patterns)


class StreamPoller:
    """Counters per subscription (in `status()`): delivered = records the function processed
    successfully; failed = failed invocations (a function error or reported batch item failures);
    sent_to_dlq = records given up after MaximumRetryAttempts and reported to OnFailure;
    filtered_out = records the FilterCriteria dropped; invocations."""

    def __init__(
        self,
        aws: EmbeddedAws,
        subscriptions: list[StreamSubscription] | None = None,
        starting_position: str | None = None,
        poll_interval: float = POLL_INTERVAL,
        retry_delay: float = RETRY_DELAY,
    ):
        """starting_position overrides the template's (tests start at LATEST to skip what other
        tests wrote earlier)."""
        self.aws = aws
        self.poll_interval, self.retry_delay = poll_interval, retry_delay
        template = aws.template
        specs = template.stream_subscriptions() if subscriptions is None else subscriptions
        self._client = None
        self.mappings: list[_Mapping] = []
        for spec in specs:
            if not spec.enabled:
                continue
            position = starting_position or spec.starting_position
            if position not in ("TRIM_HORIZON", "LATEST"):
                raise ValueError(f"{spec.function}.{spec.name}: StartingPosition {position} is not supported")
            on_failure = template.resolve(spec.on_failure, aws.refs) if spec.on_failure else None
            if on_failure and not on_failure.startswith(("arn:aws:sqs:", "arn:aws:sns:")):
                raise ValueError(f"{spec.function}.{spec.name}: OnFailure {on_failure} is not SQS or SNS")
            mapping = _Mapping(
                spec,
                stream_arn=template.resolve(spec.stream, aws.refs),
                function_arn=template.arn(spec.function),
                on_failure=on_failure,
            )
            mapping.position = position
            if position == "LATEST":  # "from now": the iterator is taken now, not when first polled
                self._open(mapping)
            self.mappings.append(mapping)
        self._cycle_lock = threading.Lock()
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._drain_requested = self._drained = 0
        self._thread: threading.Thread | None = None

    # ----- lifecycle -----
    def start(self) -> StreamPoller:
        if self.mappings and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def drain(self, timeout: float = 10.0) -> None:
        """Blocks until every record written to the subscribed streams before this call has been
        delivered (or sent to its OnFailure destination); TimeoutError otherwise. The batching
        window is cut short, retries keep their pauses."""
        deadline = time.monotonic() + timeout
        if self._thread is None:
            self._stop.clear()  # a stopped poller can still be drained in this thread
            while not self._cycle(flush=True):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"stream records still undelivered: {self.status()}")
                time.sleep(min(self.retry_delay, 0.05))
            return
        with self._cond:
            self._drain_requested += 1
            ticket = self._drain_requested
            self._wake.set()
            while self._drained < ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread:
                    raise TimeoutError(f"stream records still undelivered: {self.status()}")
                self._cond.wait(remaining)

    def status(self) -> dict[str, Any]:
        subscriptions = {
            m.key: {
                "function": m.spec.function,
                "stream": m.stream_arn,
                **{
                    k: m.counts[k]
                    for k in ("delivered", "failed", "sent_to_dlq", "filtered_out", "invocations")
                },
                "waiting": sum(
                    len(s.pending) + sum(len(b.records) for b in s.batches) for s in m.shards.values()
                ),
            }
            for m in self.mappings
        }
        totals = Counter()
        for counts in subscriptions.values():
            for k in ("delivered", "failed", "sent_to_dlq", "filtered_out"):
                totals[k] += counts[k]
        return {
            **{k: totals[k] for k in ("delivered", "failed", "sent_to_dlq", "filtered_out")},
            "subscriptions": subscriptions,
        }

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                ticket = self._drain_requested
            flush = ticket > self._drained
            try:
                idle = self._cycle(flush)
            except Exception:  # keep polling; a broken read must not end delivery for good
                logger.exception("stream poll failed")
                idle = False
            if idle and flush:
                with self._cond:
                    self._drained = ticket
                    self._cond.notify_all()
            self._wake.wait(
                self.poll_interval if idle else min(self.poll_interval, max(self.retry_delay, 0.01))
            )
            self._wake.clear()

    # ----- reading -----
    @property
    def _streams(self):
        if self._client is None:  # made on first use: building a client costs startup time
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled")
            )
            # Lambda's reads of the stream are not the application's requests (and not billed):
            # keep them out of the platform's AWS request meter.
            client.meta.events.unregister("before-call", self.aws.meter)
            self._client = client
        return self._client

    def _open(self, mapping: _Mapping) -> None:
        mapping.opened = True
        shards = self._streams.describe_stream(StreamArn=mapping.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            iterator = self._streams.get_shard_iterator(
                StreamArn=mapping.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=mapping.position
            )["ShardIterator"]
            mapping.shards[shard["ShardId"]] = _Shard(shard["ShardId"], iterator)

    def _read(self, mapping: _Mapping, shard: _Shard) -> None:
        shard.at_end = shard.iterator is None
        while shard.iterator is not None:
            page = self._streams.get_records(ShardIterator=shard.iterator, Limit=_READ_LIMIT)
            _forget_iterator(shard.iterator)
            shard.iterator = page.get("NextShardIterator")
            records = page.get("Records", [])
            for raw in records:
                record = lambda_record(raw, mapping.stream_arn)
                if not mapping.accepts(record):
                    mapping.counts["filtered_out"] += 1
                    continue
                if not shard.pending:
                    shard.pending_since = time.monotonic()
                shard.pending.append(record)
            if not records:
                shard.at_end = True
                break

    # ----- delivering -----
    def _cycle(self, flush: bool) -> bool:
        """Reads and delivers what is due; True when everything read so far is delivered."""
        with self._cycle_lock:
            idle = True
            for mapping in self.mappings:
                if not mapping.opened:
                    self._open(mapping)
                for shard in mapping.shards.values():
                    self._read(mapping, shard)
                    self._deliver(mapping, shard, flush)
                    if shard.pending or shard.batches or not shard.at_end:
                        idle = False
            return idle

    def _deliver(self, mapping: _Mapping, shard: _Shard, flush: bool) -> None:
        spec = mapping.spec
        while not self._stop.is_set():
            if not shard.batches:
                if not shard.pending:
                    return
                full = len(shard.pending) >= spec.batch_size
                window_over = time.monotonic() - shard.pending_since >= spec.maximum_batching_window
                if not (full or window_over or flush):
                    return
                take = min(spec.batch_size, len(shard.pending))
                shard.batches.append(_Batch([shard.pending.popleft() for _ in range(take)]))
                shard.pending_since = time.monotonic()
            batch = shard.batches[0]
            if batch.not_before > time.monotonic():
                return  # a retry waits for its pause
            self._attempt(mapping, shard, batch)

    def _attempt(self, mapping: _Mapping, shard: _Shard, batch: _Batch) -> None:
        spec = mapping.spec
        event = json.loads(json.dumps({"Records": batch.records}))  # the function gets its own copy
        mapping.counts["invocations"] += 1
        result, function_error = self.aws.runtime.invoke(mapping.function_arn, event)
        failed_from = 0 if function_error else self._first_failure(spec, batch.records, result)
        if failed_from is None:
            mapping.counts["delivered"] += len(batch.records)
            shard.batches.popleft()
            return
        mapping.counts["failed"] += 1
        # Records before the first reported failure are checkpointed: never sent again.
        mapping.counts["delivered"] += failed_from
        remaining = batch.records[failed_from:]
        batch.attempts += 1
        if spec.maximum_retry_attempts >= 0 and batch.attempts > spec.maximum_retry_attempts:
            shard.batches.popleft()
            self._give_up(mapping, shard, remaining, batch.attempts, function_error)
            return
        not_before = time.monotonic() + self.retry_delay
        if function_error and spec.bisect_on_function_error and len(remaining) > 1:
            half = len(remaining) // 2
            shard.batches.popleft()
            shard.batches.extendleft(
                [
                    _Batch(remaining[half:], batch.attempts, not_before),
                    _Batch(remaining[:half], batch.attempts, not_before),
                ]
            )
        else:
            batch.records, batch.not_before = remaining, not_before

    @staticmethod
    def _first_failure(spec: StreamSubscription, records: list[dict[str, Any]], result: Any) -> int | None:
        """Index of the record to retry from, None for success (Lambda's partial batch response rules)."""
        if not spec.report_batch_item_failures or not isinstance(result, dict):
            return None
        failures = result.get("batchItemFailures")
        if not failures:
            return None
        positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(records)}
        indexes = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not identifier or identifier not in positions:
                return 0  # an empty, null or unknown identifier fails the whole batch
            indexes.append(positions[identifier])
        return min(indexes)

    def _give_up(
        self,
        mapping: _Mapping,
        shard: _Shard,
        records: list[dict[str, Any]],
        attempts: int,
        function_error: str | None,
    ) -> None:
        mapping.counts["sent_to_dlq"] += len(records)
        logger.warning(
            "%s: %d stream record(s) failed %d times; reported to %s",
            mapping.key,
            len(records),
            attempts,
            mapping.on_failure or "nowhere (no OnFailure destination)",
        )
        if not mapping.on_failure:
            return
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": mapping.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                **({"functionError": function_error} if function_error else {}),
            },
            "version": "1.0",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": shard.shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
                "batchSize": len(records),
                "streamArn": mapping.stream_arn,
            },
        }
        body = json.dumps(message)
        if mapping.on_failure.startswith("arn:aws:sqs:"):
            sqs = self.aws.client("sqs")
            name = mapping.on_failure.rsplit(":", 1)[1]
            sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"], MessageBody=body)
        else:
            self.aws.client("sns").publish(TopicArn=mapping.on_failure, Message=body)


def _iso(epoch: Any) -> str | None:
    if epoch is None:
        return None
    return (
        dt.datetime.fromtimestamp(float(epoch), dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _forget_iterator(iterator: str) -> None:
    """moto keeps every shard iterator it hands out; polling every 200 ms would grow that forever."""
    try:
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        dynamodbstreams_backends[ACCOUNT][REGION].shard_iterators.pop(iterator, None)
    except Exception:  # noqa: S110 - only a memory saving
        pass
