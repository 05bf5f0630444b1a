"""The embedded AWS: moto in-process, with every table, bucket, topic, user pool, function and state
machine created from infra/template.yaml, and Lambda invokes answered by the real handlers."""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from collections import Counter
from typing import Any

import botocore.handlers

from local.lambda_runtime import LambdaRuntime
from local.template import REGION, Template

LOCAL_PARAMETERS = {
    "Stage": "local",
    "DeletionProtection": "false",
    "PaymentWebhookSecret": "local-sandbox-webhook-secret-0123456789abcdef",
}


class AwsRequestMeter:
    """Counts AWS API calls by service and operation (for the cost-per-policy benchmark)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, event_name: str, **_: Any) -> None:
        # event_name is before-call.<service>.<Operation>
        _, service, operation = event_name.split(".", 2)
        self.calls[f"{service}.{operation}"] += 1

    def count(self, service: str) -> int:
        return sum(n for key, n in self.calls.items() if key.startswith(service + "."))

    def reset(self) -> None:
        self.calls.clear()


_DYNAMODB_LOCK = threading.RLock()


def _make_dynamodb_requests_atomic() -> None:
    """DynamoDB applies each request atomically (a condition and its write, a whole transaction);
    moto's backend does not lock, so concurrent requests from the gateway's threads could both pass
    a condition. One lock around moto's DynamoDB request handling restores the guarantee."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "_atomic", False):
        return
    original = DynamoHandler.call_action

    def call_action(self):
        with _DYNAMODB_LOCK:
            return original(self)

    call_action._atomic = True
    DynamoHandler.call_action = call_action


def _make_transactions_item_scoped() -> None:
    """moto backs up every table a transaction touches (a deep copy of the whole table) before each
    TransactWriteItems, so a transaction costs time in proportion to the table's size (about 0.1 ms
    per item here: 230 ms at 2,000 items). DynamoDB's outcome is the same if all conditions are checked
    first and the writes applied after, undoing only the items written when a write fails; requests
    are serialised by the lock above, so nothing runs in between."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend.transact_write_items, "_item_scoped", False):
        return

    def transact_write_items(self, transact_items):
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        targets: set[tuple[str, str]] = set()
        operations, errors = [], []
        for index, entry in enumerate(transact_items):
            if len(entry) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(entry.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                errors.append(("ValueError", "Unsupported transaction operation", None))
                continue
            table = self.get_table(op["TableName"])
            if op_type == "Put":
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            target = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)
            current = self.get_item(op["TableName"], key)
            old = None
            condition = op.get("ConditionExpression")
            if condition is not None:
                check = get_filter_expression(
                    condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not check.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        old = current.to_json()["Attributes"]
                    errors.append(
                        ("ConditionalCheckFailed", str(ConditionalCheckFailed(item=old).message), old)
                    )
                    continue
            errors.append((None, None, None))
            operations.append((index, op_type, op, key, current))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)

        undo, failing = [], 0
        try:
            for index, op_type, op, key, current in operations:
                failing = index
                names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                if op_type == "ConditionCheck":
                    continue
                undo.append((op["TableName"], key, current.to_json()["Attributes"] if current else None))
                if op_type == "Put":
                    self.put_item(op["TableName"], op["Item"])
                elif op_type == "Delete":
                    self.delete_item(op["TableName"], key)
                else:
                    self.update_item(
                        op["TableName"],
                        key,
                        update_expression=op["UpdateExpression"],
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
        except Exception as exc:
            for table_name, key, before in reversed(undo):
                if before is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before)
            if isinstance(exc, MultipleTransactionsException | MockValidationException):
                raise
            failed = [(None, None, None)] * len(transact_items)
            failed[failing] = (type(exc).__name__, str(exc), None)
            raise TransactionCanceledException(failed) from exc

    transact_write_items._item_scoped = True
    DynamoDBBackend.transact_write_items = transact_write_items


class EmbeddedAws:
    def __init__(self, parameter_overrides: dict[str, str] | None = None):
        self.template = Template({**LOCAL_PARAMETERS, **(parameter_overrides or {})})
        self.runtime = LambdaRuntime()
        self.meter = AwsRequestMeter()
        self.refs: dict[str, str] = {}
        self.environment: dict[str, str] = {}
        self._mock = None

    # ----- lifecycle -----
    def start(self) -> EmbeddedAws:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }.items():
            os.environ[key] = value
        # Hooks go into botocore's built-in handlers so every session made from now on - boto3's
        # default one (used by the state machine executor), PynamoDB's - carries them.
        botocore.handlers.BUILTIN_HANDLERS.append(("before-call.lambda.Invoke", self.runtime.botocore_hook))
        botocore.handlers.BUILTIN_HANDLERS.append(("before-call", self.meter))
        import boto3

        boto3.DEFAULT_SESSION = None
        from moto import mock_aws

        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        _make_dynamodb_requests_atomic()
        _make_transactions_item_scoped()
        self._create_resources()
        return self

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        for handler in (
            ("before-call.lambda.Invoke", self.runtime.botocore_hook),
            ("before-call", self.meter),
        ):
            if handler in botocore.handlers.BUILTIN_HANDLERS:
                botocore.handlers.BUILTIN_HANDLERS.remove(handler)

    def client(self, service: str):
        import boto3

        return boto3.client(service, region_name=REGION)

    # ----- resources, all read from the template -----
    def _create_resources(self) -> None:
        t = self.template
        for name, resource in t.of_type("AWS::DynamoDB::Table").items():
            stream_arn = self._create_table(t.physical_name(name), t.resolve(resource["Properties"]))
            if stream_arn:
                self.refs[f"{name}.StreamArn"] = stream_arn
        for name, resource in t.of_type("AWS::SQS::Queue").items():
            self._create_queue(name, t.resolve(resource.get("Properties", {}), self.refs))
        for name, resource in t.of_type("AWS::S3::Bucket").items():
            self._create_bucket(t.physical_name(name), resource.get("Properties", {}))
        for name, resource in t.of_type("AWS::SNS::Topic").items():
            self.refs[name] = self._create_topic(
                t.physical_name(name), t.resolve(resource.get("Properties", {}))
            )
        for name, resource in t.of_type("AWS::SSM::Parameter").items():
            self._create_parameter(name, t.resolve(resource["Properties"]))
        self._create_user_pools()
        role_arn = self.client("iam").create_role(
            RoleName="insuremall-local-function-role",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        self._create_functions(role_arn)
        self._create_state_machines(role_arn)

    def _create_table(self, name: str, props: dict[str, Any]) -> str | None:
        """Creates the table; returns its stream's ARN if it streams."""
        ddb = self.client("dynamodb")
        args: dict[str, Any] = {
            k: props[k]
            for k in ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
            if k in props
        }
        if "StreamSpecification" in props:
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        if "SSESpecification" in props:
            args["SSESpecification"] = {"Enabled": props["SSESpecification"].get("SSEEnabled", False)}
        args["DeletionProtectionEnabled"] = bool(props.get("DeletionProtectionEnabled", False))
        table = ddb.create_table(TableName=name, **args)["TableDescription"]
        if props.get("TimeToLiveSpecification", {}).get("Enabled"):
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"])
        if props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
            ddb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        return table.get("LatestStreamArn")

    def _create_queue(self, logical_id: str, props: dict[str, Any]) -> None:
        name = props.get("QueueName") or self.template.physical_name(logical_id)
        attributes = {
            key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
            for key in (
                "DelaySeconds",
                "MaximumMessageSize",
                "MessageRetentionPeriod",
                "ReceiveMessageWaitTimeSeconds",
                "VisibilityTimeout",
                "SqsManagedSseEnabled",
                "FifoQueue",
                "ContentBasedDeduplication",
            )
            if key in props
        }
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # Ref of a queue is its URL; GetAtt gives Arn and QueueName.
        self.refs.update({logical_id: url, f"{logical_id}.Arn": arn, f"{logical_id}.QueueName": name})

    def _create_bucket(self, name: str, props: dict[str, Any]) -> None:
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name)
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )

    def _create_parameter(self, logical_id: str, props: dict[str, Any]) -> None:
        name = props.get("Name") or self.template.physical_name(logical_id)
        self.client("ssm").put_parameter(
            Name=name,
            Value=str(props["Value"]),
            Type=props.get("Type", "String"),
            Description=props.get("Description", ""),
        )
        self.refs[logical_id] = name  # Ref of a parameter is its name

    def put_parameter(self, logical_id: str, value: str) -> None:
        """Overwrite a template parameter's value with a local one (e.g. the platform's own URL)."""
        self.client("ssm").put_parameter(Name=self.refs[logical_id], Value=value, Overwrite=True)

    def _create_topic(self, name: str, props: dict[str, Any]) -> str:
        attributes = {k: str(props[k]) for k in ("DisplayName", "KmsMasterKeyId") if k in props}
        return self.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]

    def _create_user_pools(self) -> None:
        t, idp = self.template, self.client("cognito-idp")
        for name, resource in t.of_type("AWS::Cognito::UserPool").items():
            props = t.resolve(resource["Properties"])
            pool = idp.create_user_pool(
                PoolName=props.get("UserPoolName", name),
                **{
                    k: props[k]
                    for k in (
                        "UsernameAttributes",
                        "AutoVerifiedAttributes",
                        "Policies",
                        "Schema",
                        "MfaConfiguration",
                    )
                    if k in props
                },
            )["UserPool"]
            self.refs[name] = pool["Id"]
        for name, resource in t.of_type("AWS::Cognito::UserPoolClient").items():
            props = t.resolve(resource["Properties"], self.refs)
            client = idp.create_user_pool_client(
                UserPoolId=props["UserPoolId"],
                ClientName=props.get("ClientName", name),
                **{
                    k: props[k]
                    for k in (
                        "GenerateSecret",
                        "ExplicitAuthFlows",
                        "ReadAttributes",
                        "PreventUserExistenceErrors",
                    )
                    if k in props
                },
            )["UserPoolClient"]
            self.refs[name] = client["ClientId"]
        for resource in t.of_type("AWS::Cognito::UserPoolGroup").values():
            props = t.resolve(resource["Properties"], self.refs)
            idp.create_group(
                GroupName=props["GroupName"],
                UserPoolId=props["UserPoolId"],
                Description=props.get("Description", ""),
            )

    def _create_functions(self, role_arn: str) -> None:
        t, lam = self.template, self.client("lambda")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("README.txt", "Code runs in-process from functions/ (local/lambda_runtime.py).")
        for name, spec in t.functions(self.refs).items():
            physical = t.physical_name(name)
            for key, value in spec.environment.items():
                if self.environment.get(key, value) != value:
                    raise RuntimeError(
                        f"{key} differs between functions; the local platform shares one process"
                    )
                self.environment[key] = value
            lam.create_function(
                FunctionName=physical,
                Runtime="python3.12",
                Role=role_arn,
                Handler=spec.handler,
                Code={"ZipFile": buffer.getvalue()},
                Timeout=spec.timeout,
                MemorySize=spec.memory,
                Architectures=["arm64"],
                Environment={"Variables": spec.environment},
            )
            self.runtime.register(name, physical, spec)
        os.environ.update(self.environment)

    def _create_state_machines(self, role_arn: str) -> None:
        t, sfn = self.template, self.client("stepfunctions")
        for name, machine in t.state_machines().items():
            arn = sfn.create_state_machine(
                name=t.physical_name(name),
                definition=machine["definition"],
                roleArn=role_arn,
                type=machine["type"],
            )["stateMachineArn"]
            self.refs[name] = arn

    # ----- helpers for tests and benchmarks -----
    def state_transitions(self, execution_arn: str) -> int:
        sfn = self.client("stepfunctions")
        events, token = [], None
        while True:
            page = sfn.get_execution_history(
                executionArn=execution_arn, maxResults=1000, **({"nextToken": token} if token else {})
            )
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                break
        # Step Functions bills a state transition per state entered.
        return sum(1 for e in events if e["type"].endswith("StateEntered"))
