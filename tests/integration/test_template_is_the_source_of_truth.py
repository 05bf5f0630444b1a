"""The SAM template, the Chalice routes, the state machine and the local platform agree."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from local.template import TEMPLATE_PATH, Template

# A production stack, and one of the stages with the sandbox payment provider.
STAGES = ("prod", "local")


@pytest.mark.parametrize("stage", STAGES)
def test_every_chalice_route_is_in_the_template_and_every_template_route_is_in_chalice(stage):
    template = Template({"Stage": stage})
    declared: dict[str, set[tuple[str, str]]] = {}
    for route in template.routes():
        declared.setdefault(route.function, set()).add((route.method, route.path))
    for name, spec in template.functions().items():
        module, _, attribute = spec.handler.rpartition(".")
        handler = getattr(importlib.import_module(module), attribute)
        if not hasattr(handler, "routes"):
            assert name not in declared, f"{name} has Api events but its handler is not a Chalice app"
            continue
        in_chalice = {(method, path) for path, methods in handler.routes.items() for method in methods}
        assert in_chalice == declared.get(name, set()), (
            f"{name}: only in Chalice {in_chalice - declared.get(name, set())}, "
            f"only in template {declared.get(name, set()) - in_chalice}"
        )


def test_every_task_the_state_machine_and_schedules_name_has_a_handler():
    template = Template()
    definition = json.loads(TEMPLATE_PATH.parent.joinpath("statemachines/purchase.asl.json").read_text())
    substitutions = template.raw["Resources"]["PurchaseStateMachine"]["Properties"]["DefinitionSubstitutions"]
    functions = template.functions()
    named = []
    for state in definition["States"].values():
        parameters = state.get("Parameters", {})
        if "FunctionName" in parameters:
            key = re.fullmatch(r"\$\{(\w+)\}", parameters["FunctionName"]).group(1)
            logical_id = substitutions[key].value.split(".")[0]
            named.append((logical_id, parameters["Payload"]["task"]))
    named += [(s.function, s.input["task"]) for s in template.schedules()]
    assert len(named) >= 10
    for logical_id, task in named:
        module = importlib.import_module(functions[logical_id].handler.rpartition(".")[0])
        assert task in module.TASKS, f"{logical_id} has no task {task!r}"


def test_the_embedded_aws_holds_what_the_template_declares(aws):
    template = aws.template
    ddb, s3, lam = aws.client("dynamodb"), aws.client("s3"), aws.client("lambda")
    for name, resource in template.of_type("AWS::DynamoDB::Table").items():
        table = ddb.describe_table(TableName=template.physical_name(name))["Table"]
        declared = {i["IndexName"] for i in resource["Properties"].get("GlobalSecondaryIndexes", [])}
        assert {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])} == declared
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        backups = ddb.describe_continuous_backups(TableName=template.physical_name(name))
        assert (
            backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
                "PointInTimeRecoveryStatus"
            ]
            == "ENABLED"
        )
    assert (
        ddb.describe_time_to_live(TableName=template.physical_name("CheckoutTable"))["TimeToLiveDescription"][
            "AttributeName"
        ]
        == "expires_at"
    )
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {template.physical_name(n) for n in template.of_type("AWS::S3::Bucket")} == buckets
    versioning = s3.get_bucket_versioning(Bucket=template.physical_name("PolicyDocumentsBucket"))
    assert versioning["Status"] == "Enabled"
    functions = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
    for name, spec in template.functions(aws.refs).items():
        deployed = functions[template.physical_name(name)]
        assert deployed["Handler"] == spec.handler
        assert deployed["Environment"]["Variables"] == spec.environment
    parameters = template.of_type("AWS::SSM::Parameter")
    assert "SandboxPaymentWebhookUrl" in parameters  # the local stage has the sandbox provider
    for resource in parameters.values():
        declared = template.resolve(resource["Properties"])
        stored = aws.client("ssm").get_parameter(Name=declared["Name"])["Parameter"]
        assert stored["Type"] == declared["Type"] and stored["Value"].startswith("http")
    machine = aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=aws.refs["PurchaseStateMachine"]
    )
    assert "${" not in machine["definition"]
    assert template.arn("PolicyTasksFunction") in machine["definition"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_openapi_contract_lists_exactly_the_template_routes(stage):
    """Every route, in every stage; an operation marked `x-condition` exists where that template
    condition holds (the sandbox payment routes: not in prod)."""
    import yaml

    template = Template({"Stage": stage})
    contract = yaml.safe_load(TEMPLATE_PATH.parent.joinpath("openapi.yaml").read_text())
    documented = set()
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            condition = operation.get("x-condition")
            assert condition is None or condition in template.conditions, f"{method} {path}: {condition}"
            if condition is None or template.conditions[condition]:
                documented.add((method.upper(), path))
    assert documented == {(r.method, r.path) for r in template.routes()}
