"""Reads infra/template.yaml (the single source of truth) for the local platform.

Understands the CloudFormation short-form tags and resolves the intrinsic functions the template
uses (Ref, GetAtt, Sub, If, Equals, Not, And, Or, Condition) against local names, so the platform
never repeats a list of tables, buckets, functions, routes, schedules or environment variables.
A resource whose `Condition` is false for the given parameters is left out, as CloudFormation does,
and with it its events (routes, schedules, stream subscriptions).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "infra" / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"


class _Tag:
    def __init__(self, name: str, value: Any):
        self.name, self.value = name, value

    def __repr__(self) -> str:
        return f"!{self.name} {self.value!r}"


class _Loader(yaml.SafeLoader):
    pass


def _construct(loader: yaml.Loader, tag_suffix: str, node: yaml.Node) -> _Tag:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return _Tag(tag_suffix, value)


_Loader.add_multi_constructor("!", _construct)


def load_raw(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - our loader subclasses SafeLoader


@dataclass
class Route:
    function: str
    method: str
    path: str
    pattern: re.Pattern = field(repr=False, default=None)  # type: ignore[assignment]
    params: tuple[str, ...] = ()


@dataclass
class Schedule:
    name: str
    function: str
    expression: str
    input: dict[str, Any]
    description: str = ""


@dataclass
class StreamSubscription:
    """A function's event source mapping on a DynamoDB stream (an Events entry of Type DynamoDB).

    `stream` and `on_failure` stay unresolved template values (`!GetAtt EventsTable.StreamArn`):
    they name resources that exist only once the embedded AWS has created them."""

    name: str  # the event's name in the template, e.g. DomainEvents
    function: str
    stream: Any
    starting_position: str
    batch_size: int = 100
    maximum_batching_window: float = 0.0
    maximum_retry_attempts: int = -1  # -1: retry until the record leaves the stream, as in Lambda
    bisect_on_function_error: bool = False
    report_batch_item_failures: bool = False
    on_failure: Any = None
    filter_patterns: list[dict[str, Any]] = field(default_factory=list)
    enabled: bool = True


# Properties of a DynamoDB event source the local poller does not reproduce; refused rather than
# silently ignored, so nobody believes they are tested locally.
_UNSUPPORTED_STREAM_PROPERTIES = ("TumblingWindowInSeconds", "KafkaBootstrapServers")


@dataclass
class RestApi:
    """What the local gateway reproduces of the template's AWS::Serverless::Api."""

    logical_id: str
    minimum_compression_size: int | None = None  # None: API Gateway never compresses
    cors: dict[str, str] | None = None  # Access-Control-* preflight headers; None: no OPTIONS methods


# API Gateway's bounds for minimumCompressionSize.
_COMPRESSION_SIZE_LIMIT = 10 * 1024 * 1024


@dataclass
class FunctionSpec:
    logical_id: str
    handler: str
    environment: dict[str, str]
    timeout: int
    memory: int


class Template:
    def __init__(self, parameter_overrides: dict[str, str] | None = None, path: Path = TEMPLATE_PATH):
        self.raw = load_raw(path)
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in self.raw.get("Parameters", {}).items()
        }
        self.parameters.update(parameter_overrides or {})
        self.resources: dict[str, Any] = self.raw["Resources"]  # all of them while conditions resolve
        self.conditions: dict[str, bool] = {}
        self._pending_conditions: set[str] = set()
        for name in self.raw.get("Conditions", {}):
            self._condition(name)
        # Only what a stack with these parameters would hold.
        self.resources = {
            name: spec
            for name, spec in self.raw["Resources"].items()
            if "Condition" not in spec or self._condition(spec["Condition"])
        }

    def _condition(self, name: str) -> bool:
        if name not in self.conditions:
            if name in self._pending_conditions:
                raise ValueError(f"condition {name} depends on itself")
            self._pending_conditions.add(name)
            self.conditions[name] = bool(self._resolve(self.raw["Conditions"][name]))
            self._pending_conditions.discard(name)
        return self.conditions[name]

    # ----- names -----
    def physical_name(self, logical_id: str) -> str:
        """Local resource names are readable: insuremall-<stage>-<LogicalId>, lower case for buckets."""
        kind = self.resources[logical_id]["Type"]
        name = f"insuremall-{self.parameters.get('Stage', 'local')}-{logical_id}"
        return name.lower() if kind == "AWS::S3::Bucket" else name

    def arn(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        name = self.physical_name(logical_id)
        if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        if kind == "AWS::Serverless::StateMachine":
            return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
        if kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{name}"
        if kind == "AWS::SNS::Topic":
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
        if kind == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
        raise KeyError(f"no local ARN for {logical_id} ({kind})")

    # ----- intrinsic functions -----
    def _ref(self, name: str, refs: dict[str, str]) -> str:
        if name in refs:
            return refs[name]
        if name in self.parameters:
            return self.parameters[name]
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::StackName": "insuremall-local",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.resources:
            kind = self.resources[name]["Type"]
            if kind in ("AWS::Serverless::StateMachine", "AWS::SNS::Topic"):
                return self.arn(name)
            return self.physical_name(name)
        raise KeyError(f"cannot resolve Ref {name}")

    def _get_att(self, name: str, attribute: str, refs: dict[str, str]) -> str:
        if f"{name}.{attribute}" in refs:
            return refs[f"{name}.{attribute}"]
        if attribute in ("Arn", "TopicArn"):
            return self.arn(name)
        if attribute in ("Name", "TopicName", "QueueName"):
            return self.physical_name(name)
        if attribute == "DomainName":  # a CloudFront distribution; the local platform serves it itself
            return "localhost"
        raise KeyError(f"cannot resolve GetAtt {name}.{attribute} locally")

    def _resolve(self, value: Any, refs: dict[str, str] | None = None) -> Any:
        refs = refs or {}
        if isinstance(value, _Tag):
            return self._intrinsic(value.name, value.value, refs)
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, inner),) = value.items()
                if key == "Ref" or key.startswith("Fn::"):
                    return self._intrinsic(key.removeprefix("Fn::"), inner, refs)
            return {k: self._resolve(v, refs) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v, refs) for v in value]
        return value

    def _intrinsic(self, name: str, value: Any, refs: dict[str, str]) -> Any:
        if name == "Ref":
            return self._ref(value, refs)
        if name == "GetAtt":
            target, attribute = value.split(".", 1) if isinstance(value, str) else value
            return self._get_att(target, attribute, refs)
        if name == "Sub":
            text, variables = (value, {}) if isinstance(value, str) else value
            variables = {k: self._resolve(v, refs) for k, v in variables.items()}

            def substitute(match: re.Match) -> str:
                token = match.group(1)
                if token in variables:
                    return str(variables[token])
                if "." in token:
                    return self._get_att(*token.split(".", 1), refs)
                return self._ref(token, refs)

            return re.sub(r"\$\{([^}!]+)\}", substitute, text)
        if name == "If":
            condition, when_true, when_false = value
            return self._resolve(when_true if self._condition(condition) else when_false, refs)
        if name == "Equals":
            left, right = (self._resolve(v, refs) for v in value)
            return str(left) == str(right)
        if name == "Not":
            (inner,) = value
            return not self._resolve(inner, refs)
        if name == "And":
            return all(self._resolve(v, refs) for v in value)
        if name == "Or":
            return any(self._resolve(v, refs) for v in value)
        if name == "Condition":
            return self._condition(value)
        raise KeyError(f"intrinsic {name} is not supported locally")

    def resolve(self, value: Any, refs: dict[str, str] | None = None) -> Any:
        return self._resolve(value, refs)

    # ----- views -----
    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: spec for name, spec in self.resources.items() if spec["Type"] == kind}

    def functions(self, refs: dict[str, str] | None = None) -> dict[str, FunctionSpec]:
        globals_ = self.raw.get("Globals", {}).get("Function", {})
        global_env = globals_.get("Environment", {}).get("Variables", {})
        specs = {}
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            props = resource["Properties"]
            env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
            specs[name] = FunctionSpec(
                logical_id=name,
                handler=props["Handler"],
                environment={k: str(self.resolve(v, refs)) for k, v in env.items()},
                timeout=int(props.get("Timeout", globals_.get("Timeout", 3))),
                memory=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
            )
        return specs

    def rest_api(self) -> RestApi:
        """The one REST API the routes belong to, with the settings the gateway applies."""
        apis = self.of_type("AWS::Serverless::Api")
        if len(apis) != 1:
            raise ValueError(f"the local gateway serves exactly one AWS::Serverless::Api, found {len(apis)}")
        ((name, resource),) = apis.items()
        props = self.resolve(resource.get("Properties", {}))
        size = props.get("MinimumCompressionSize")
        if size is not None:
            size = int(size)
            if not 0 <= size <= _COMPRESSION_SIZE_LIMIT:
                raise ValueError(
                    f"{name}.MinimumCompressionSize {size} is outside 0..{_COMPRESSION_SIZE_LIMIT}"
                )
        cors = props.get("Cors")
        if isinstance(cors, str):
            cors = {"AllowOrigin": cors}
        headers = None
        if cors:
            # SAM takes each value as a quoted string literal ("'*'"), as API Gateway's mappings do.
            names = {
                "AllowOrigin": "Access-Control-Allow-Origin",
                "AllowHeaders": "Access-Control-Allow-Headers",
                "AllowMethods": "Access-Control-Allow-Methods",
                "MaxAge": "Access-Control-Max-Age",
            }
            headers = {
                header: str(cors[key]).removeprefix("'").removesuffix("'")
                for key, header in names.items()
                if key in cors
            }
        return RestApi(name, size, headers)

    def routes(self) -> list[Route]:
        routes = []
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] != "Api":
                    continue
                path, method = event["Properties"]["Path"], event["Properties"]["Method"].upper()
                params = tuple(re.findall(r"\{(\w+)\+?\}", path))
                regex = (
                    "^"
                    + re.sub(
                        r"\{(\w+)\}",
                        r"(?P<\1>[^/]+)",
                        re.escape(path).replace(r"\{", "{").replace(r"\}", "}"),
                    )
                    + "$"
                )
                routes.append(Route(name, method, path, re.compile(regex), params))
        # Literal segments beat parameters, as in API Gateway.
        routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
        return routes

    def schedules(self) -> list[Schedule]:
        schedules = []
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            for event_name, event in resource["Properties"].get("Events", {}).items():
                if event["Type"] not in ("Schedule", "ScheduleV2"):
                    continue
                props = event["Properties"]
                schedules.append(
                    Schedule(
                        name=event_name,
                        function=name,
                        expression=props.get("Schedule") or props["ScheduleExpression"],
                        input=json.loads(props.get("Input", "{}")),
                        description=props.get("Description", ""),
                    )
                )
        return schedules

    def stream_subscriptions(self) -> list[StreamSubscription]:
        subscriptions = []
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            for event_name, event in resource["Properties"].get("Events", {}).items():
                if event["Type"] != "DynamoDB":
                    continue
                props = event["Properties"]
                unsupported = [p for p in _UNSUPPORTED_STREAM_PROPERTIES if p in props]
                if unsupported:
                    raise ValueError(f"{name}.{event_name}: {unsupported} not supported by the local poller")
                patterns = [
                    json.loads(f["Pattern"]) if isinstance(f["Pattern"], str) else f["Pattern"]
                    for f in props.get("FilterCriteria", {}).get("Filters", [])
                ]
                subscriptions.append(
                    StreamSubscription(
                        name=event_name,
                        function=name,
                        stream=props["Stream"],
                        starting_position=props.get("StartingPosition", "LATEST"),
                        batch_size=int(props.get("BatchSize", 100)),
                        maximum_batching_window=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                        maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                        bisect_on_function_error=bool(props.get("BisectBatchOnFunctionError", False)),
                        report_batch_item_failures="ReportBatchItemFailures"
                        in props.get("FunctionResponseTypes", []),
                        on_failure=props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
                        filter_patterns=patterns,
                        enabled=bool(props.get("Enabled", True)),
                    )
                )
        return subscriptions

    def state_machines(self) -> dict[str, dict[str, Any]]:
        machines = {}
        for name, resource in self.of_type("AWS::Serverless::StateMachine").items():
            props = resource["Properties"]
            definition = (TEMPLATE_PATH.parent / props["DefinitionUri"]).read_text()
            for key, value in props.get("DefinitionSubstitutions", {}).items():
                definition = definition.replace("${" + key + "}", str(self.resolve(value)))
            machines[name] = {"definition": definition, "type": props.get("Type", "STANDARD")}
        return machines
