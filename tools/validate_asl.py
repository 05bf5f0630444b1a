"""Validate Step Functions definitions the way they will be deployed.

The ASL files under infra/statemachines/ contain ``${Name}`` placeholders that CloudFormation fills in
from the state machine's ``DefinitionSubstitutions`` in infra/template.yaml.  This script:

1. finds, for each ASL file given, the state machine resource(s) in the template whose ``DefinitionUri``
   points at it and collects their ``DefinitionSubstitutions``;
2. replaces every placeholder with a realistic dummy value (a Lambda ARN for ``!GetAtt Fn.Arn``, a table
   name for ``!Ref Table``, a topic ARN for ``!Ref Topic``, a parameter's default for ``!Ref Param``, ...);
3. fails if a placeholder is left over (CloudFormation would deploy it verbatim and Step Functions would
   reject it), or if the result is not JSON;
4. runs the npm ``asl-validator`` on the substituted document.

Usage: python tools/validate_asl.py --template infra/template.yaml \
           --validator tools/node_modules/.bin/asl-validator infra/statemachines/*.asl.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess  # noqa: S404 - runs the pinned local asl-validator only
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT = "123456789012"
PARTITION = "aws"
PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
STATE_MACHINE_TYPES = {"AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"}


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that understands CloudFormation short-form tags (!Ref, !GetAtt, !Sub, ...)."""


def _construct_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def _arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"


def _ref_value(logical_id: str, template: dict[str, Any]) -> str:
    """What ``!Ref logical_id`` resolves to, approximately, for a deployed stack."""
    pseudo = {
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": PARTITION,
        "AWS::StackName": "insuremall",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackId": _arn("cloudformation", "stack/insuremall/00000000-0000-0000-0000-000000000000"),
    }
    if logical_id in pseudo:
        return pseudo[logical_id]
    params = template.get("Parameters") or {}
    if logical_id in params:
        default = (params[logical_id] or {}).get("Default")
        return str(default) if default is not None else f"dummy-{logical_id}"
    rtype = ((template.get("Resources") or {}).get(logical_id) or {}).get("Type", "")
    name = f"insuremall-{logical_id}"
    if rtype in ("AWS::SNS::Topic",):
        return _arn("sns", name)
    if rtype in ("AWS::SQS::Queue",):
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
    if rtype in STATE_MACHINE_TYPES:
        return _arn("states", f"stateMachine:{name}")
    if rtype in ("AWS::IAM::Role", "AWS::Events::Rule", "AWS::Lambda::LayerVersion"):
        return name
    # Functions, tables, buckets, event buses, simple tables, user pools ...: a plain name.
    return name


def _getatt_value(logical_id: str, attribute: str, template: dict[str, Any]) -> str:
    rtype = ((template.get("Resources") or {}).get(logical_id) or {}).get("Type", "")
    name = f"insuremall-{logical_id}"
    if attribute == "Arn":
        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return _arn("lambda", f"function:{name}")
        if rtype in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"):
            return _arn("dynamodb", f"table/{name}")
        if rtype == "AWS::SQS::Queue":
            return _arn("sqs", name)
        if rtype == "AWS::SNS::Topic":
            return _arn("sns", name)
        if rtype == "AWS::S3::Bucket":
            return f"arn:{PARTITION}:s3:::{name.lower()}"
        if rtype == "AWS::Events::EventBus":
            return _arn("events", f"event-bus/{name}")
        if rtype in STATE_MACHINE_TYPES:
            return _arn("states", f"stateMachine:{name}")
        if rtype == "AWS::Cognito::UserPool":
            return _arn("cognito-idp", f"userpool/{REGION}_dummy")
        return _arn("lambda", f"function:{name}")
    if attribute in ("Name", "TopicName", "QueueName", "TableName"):
        return name
    if attribute == "QueueUrl":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
    return f"dummy-{logical_id}-{attribute}"


def resolve(value: Any, template: dict[str, Any]) -> str:
    """Resolve a DefinitionSubstitutions value (string or intrinsic) to a plausible deployed string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return _ref_value(str(arg), template)
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else list(arg)
            return _getatt_value(str(parts[0]), str(parts[1]) if len(parts) > 1 else "Arn", template)
        if fn == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})

            def sub(match: re.Match[str]) -> str:
                key = match.group(1)
                if key.startswith("!"):
                    return "${" + key[1:] + "}"
                if key in variables:
                    return resolve(variables[key], template)
                if "." in key and not key.startswith("AWS::"):
                    logical_id, attribute = key.split(".", 1)
                    return _getatt_value(logical_id, attribute, template)
                return _ref_value(key, template)

            return PLACEHOLDER.sub(sub, text)
        if fn == "Fn::Join":
            sep, items = arg
            return str(sep).join(resolve(item, template) for item in items)
        if fn == "Fn::If":
            return resolve(arg[1], template)
        if fn == "Fn::ImportValue":
            return f"dummy-import-{resolve(arg, template)}"
        if fn == "Fn::Select":
            index, items = arg
            return resolve(items[int(index)], template) if isinstance(items, list) else "dummy-select"
        if fn == "Fn::FindInMap":
            try:
                return resolve(template["Mappings"][arg[0]][arg[1]][arg[2]], template)
            except (KeyError, TypeError, IndexError):
                return "dummy-mapping"
    return "dummy-value"


def substitutions_for(asl_path: Path, template_path: Path, template: dict[str, Any]) -> dict[str, Any] | None:
    """DefinitionSubstitutions of the state machine(s) in the template that use asl_path, or None."""
    found: dict[str, Any] | None = None
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") not in STATE_MACHINE_TYPES:
            continue
        props = resource.get("Properties") or {}
        uri = props.get("DefinitionUri")
        if not isinstance(uri, str):
            continue
        if (template_path.parent / uri).resolve() != asl_path.resolve():
            continue
        subs = props.get("DefinitionSubstitutions") or {}
        if found is None:
            found = {}
        for key, value in subs.items():
            if key in found and found[key] != value:
                print(f"  note: {logical_id} maps ${{{key}}} differently from another state machine")
            found.setdefault(key, value)
    return found


def validate(asl_path: Path, template_path: Path, template: dict[str, Any], validator: str) -> bool:
    raw = asl_path.read_text(encoding="utf-8")
    subs = substitutions_for(asl_path, template_path, template)
    if subs is None:
        print(f"  {asl_path}: no state machine in {template_path} has DefinitionUri pointing here")
        return False
    resolved = {key: resolve(value, template) for key, value in subs.items()}

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in resolved:
            return json.dumps(resolved[key])[1:-1]  # JSON-escape the value inside its string
        return match.group(0)

    substituted = PLACEHOLDER.sub(replace, raw)
    ok = True
    leftovers = sorted(set(PLACEHOLDER.findall(substituted)))
    if leftovers:
        ok = False
        for key in leftovers:
            print(f"  {asl_path}: placeholder ${{{key}}} is not in DefinitionSubstitutions")
    unused = sorted(set(resolved) - set(PLACEHOLDER.findall(raw)))
    for key in unused:
        print(f"  note: DefinitionSubstitutions key {key} is not used in {asl_path}")
    try:
        json.loads(substituted)
    except json.JSONDecodeError as exc:
        print(f"  {asl_path}: not valid JSON after substitution: {exc}")
        return False

    with tempfile.TemporaryDirectory(prefix="asl-") as tmp:
        out = Path(tmp) / asl_path.name
        out.write_text(substituted, encoding="utf-8")
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [validator, "--json-path", str(out)], capture_output=True, text=True, check=False
        )
    text = (result.stdout + result.stderr).replace(str(out), str(asl_path)).strip()
    if text:
        print("  " + text.replace("\n", "\n  "))
    return ok and result.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, default=Path("infra/template.yaml"))
    parser.add_argument("--validator", default="tools/node_modules/.bin/asl-validator")
    parser.add_argument("asl", nargs="+", type=Path)
    args = parser.parse_args(argv)

    template = yaml.load(args.template.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(template, dict):
        print(f"{args.template}: not a CloudFormation template")
        return 2
    results = [validate(path, args.template, template, args.validator) for path in args.asl]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
