"""Answers the contract test against the running API cannot reach with the demo data, held here: each
status a route answers is one infra/openapi.yaml lists for it, in the API's error shape."""

from __future__ import annotations

import uuid

import yaml
from test_catalog_admin import PASSWORD, Api, _signed_in, new_product

from local.template import ROOT


def _documented(method: str, path: str) -> set[str]:
    document = yaml.safe_load((ROOT / "infra" / "openapi.yaml").read_text())
    return set(document["paths"][path][method.lower()]["responses"])


def test_given_a_product_without_published_rates_when_an_operator_prices_it_then_a_documented_409(aws):
    operator = _signed_in(aws, groups=("operators",))
    product = new_product(f"no-rates-{uuid.uuid4().hex[:6]}")
    status, answer = operator.post("/admin/products", product)
    assert status == 201, answer
    factors = {
        "plan": product["plans"][0]["code"],
        "age": 30,
        "gender": "F",
        "term": product["terms"][0]["code"],
    }
    status, answer = operator.post(f"/products/{product['product_id']}/premium", factors)
    assert (status, answer["error"]["code"]) == (409, "conflict"), answer
    assert "409" in _documented("POST", "/products/{product_id}/premium")


def test_given_an_account_whose_email_is_not_confirmed_when_signing_in_then_a_documented_403(aws):
    email = f"unconfirmed-{uuid.uuid4().hex[:8]}@example.com"
    aws.client("cognito-idp").sign_up(
        ClientId=aws.refs["StorefrontUserPoolClient"], Username=email, Password=PASSWORD
    )
    status, answer = Api(aws).post("/members/signin", {"email": email, "password": PASSWORD})
    assert (status, answer["error"]["code"]) == (403, "forbidden"), answer
    assert "403" in _documented("POST", "/members/signin")
