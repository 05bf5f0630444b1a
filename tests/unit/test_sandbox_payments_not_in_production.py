"""The sandbox payment provider exists outside production only: the template rendered for prod has
no sandbox route or resource, and the provider factory refuses the prod stage."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from local.template import Template

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_RESOURCES = {"SandboxPaymentsFunction", "SandboxPaymentWebhookUrl"}


def test_given_the_prod_stage_when_the_template_is_rendered_then_it_has_no_sandbox_route_or_resource():
    template = Template({"Stage": "prod"})

    assert template.conditions["HasSandboxPayments"] is False
    assert not [r for r in template.routes() if r.path.startswith("/sandbox-payments")]
    assert not SANDBOX_RESOURCES & set(template.resources)
    assert "SandboxPaymentsFunction" not in template.functions()
    for spec in template.functions().values():
        assert "PAYMENT_WEBHOOK_URL_PARAMETER" not in spec.environment
    # The payment webhook itself stays: a real provider calls it.
    assert ("POST", "/payments/webhook") in {(r.method, r.path) for r in template.routes()}


@pytest.mark.parametrize("stage", ["dev", "local", "staging"])
def test_given_a_stage_other_than_prod_when_rendered_then_it_has_the_sandbox_routes_and_webhook_url(stage):
    template = Template({"Stage": stage})

    sandbox_routes = {(r.method, r.path, r.function) for r in template.routes() if "sandbox" in r.path}
    assert sandbox_routes == {
        ("GET", "/sandbox-payments/{intent_id}", "SandboxPaymentsFunction"),
        ("POST", "/sandbox-payments/{intent_id}/pay", "SandboxPaymentsFunction"),
    }
    assert set(template.resources) >= SANDBOX_RESOURCES
    parameter = template.resolve(template.resources["SandboxPaymentWebhookUrl"]["Properties"])
    environment = template.functions()["SandboxPaymentsFunction"].environment
    assert environment["PAYMENT_WEBHOOK_URL_PARAMETER"] == parameter["Name"]
    assert parameter["Value"].startswith("https://") and parameter["Value"].endswith(
        f"/{stage}/payments/webhook"
    )


def test_given_conditions_that_build_on_each_other_when_rendered_then_they_resolve_in_any_order(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Parameters:
  Stage: {Type: String, Default: prod}
Conditions:
  Later: !And [!Condition NotProd, !Or [!Equals [!Ref Stage, dev], !Equals [!Ref Stage, test]]]
  NotProd: !Not [!Condition IsProd]
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Always: {Type: AWS::SNS::Topic}
  DevOnly: {Type: AWS::SNS::Topic, Condition: Later}
  ProdOnly: {Type: AWS::SNS::Topic, Condition: IsProd}
"""
    )
    assert set(Template({"Stage": "dev"}, path).resources) == {"Always", "DevOnly"}
    assert set(Template({"Stage": "qa"}, path).resources) == {"Always"}
    assert set(Template({"Stage": "prod"}, path).resources) == {"Always", "ProdOnly"}


def _settings(**changes):
    from insuremall.config import get_settings

    return replace(get_settings(), **changes)


def test_given_the_prod_stage_when_the_payment_provider_is_asked_for_then_the_sandbox_is_refused(monkeypatch):
    from checkout import payments
    from insuremall.config import ConfigurationError

    monkeypatch.setattr(payments, "get_settings", lambda: _settings(stage="dev", payment_provider="sandbox"))
    assert isinstance(payments.provider(), payments.SandboxProvider)  # made (and cached) outside prod

    monkeypatch.setattr(payments, "get_settings", lambda: _settings(stage="prod", payment_provider="sandbox"))
    with pytest.raises(ConfigurationError, match="not allowed in production"):
        payments.provider()
    with pytest.raises(ConfigurationError, match="not allowed in production"):
        payments.sandbox()


def test_given_an_unknown_payment_provider_when_asked_for_then_a_configuration_error(monkeypatch):
    from checkout import payments
    from insuremall.config import ConfigurationError

    monkeypatch.setattr(payments, "get_settings", lambda: _settings(stage="dev", payment_provider="alipay"))
    with pytest.raises(ConfigurationError, match="unknown payment provider 'alipay'"):
        payments.provider()


SAM_PYTHON = ROOT / ".tools" / "sam" / "bin" / "python"
TRANSLATE = """
import json, sys
from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

class NoManagedPolicies:
    def load(self):
        return {}

template = yaml_parse(open(sys.argv[1]).read())
template["Globals"]["Function"]["CodeUri"] = "s3://bucket/code.zip"
for resource in template["Resources"].values():
    for key in ("ContentUri", "DefinitionUri"):
        if key in resource.get("Properties", {}):
            resource["Properties"][key] = "s3://bucket/artifact"
out = transform(template, {"Stage": "prod", "PaymentWebhookSecret": "x" * 32}, NoManagedPolicies())
json.dump(out, sys.stdout, default=str)
"""


@pytest.mark.skipif(not SAM_PYTHON.exists(), reason="SAM CLI not installed (make lint installs it)")
def test_given_sams_generated_api_then_every_sandbox_path_is_conditional_on_the_sandbox_stage():
    """SAM has no per-event Condition: it carries the function's Condition into the API definition it
    generates. Check that it does, so CloudFormation drops the paths (their CORS OPTIONS too) in prod."""
    result = subprocess.run(  # noqa: S603 - the pinned SAM CLI's Python, fixed argv, no shell
        [str(SAM_PYTHON), "-c", TRANSLATE, str(ROOT / "infra" / "template.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    resources = json.loads(result.stdout)["Resources"]
    paths = resources["Api"]["Properties"]["Body"]["paths"]
    sandbox = {path: item for path, item in paths.items() if path.startswith("/sandbox-payments")}
    assert set(sandbox) == {"/sandbox-payments/{intent_id}", "/sandbox-payments/{intent_id}/pay"}
    for item in sandbox.values():
        condition, _, when_false = item["Fn::If"]
        assert (condition, when_false) == ("HasSandboxPayments", {"Ref": "AWS::NoValue"})
    for path, item in paths.items():
        if path not in sandbox:
            assert "Fn::If" not in item, path
    generated = {name: r for name, r in resources.items() if name.startswith("Sandbox")}
    assert generated and all(r.get("Condition") == "HasSandboxPayments" for r in generated.values())
