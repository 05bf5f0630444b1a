"""The request contract (insuremall.contract): built from infra/openapi.yaml, parsed with limits,
checked with fastjsonschema, failures named per field; and every amount in fen a strict integer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from insuremall import contract, errors, web
from insuremall.errors import Invalid
from tests.request_fields import (
    MAX_SAFE_INTEGER,
    body_with,
    contract_builder,
    contract_routes,
    field_name,
    fields,
)

ROOT = Path(__file__).resolve().parents[2]
_builder = contract_builder


def _route(key: str) -> contract.RouteContract:
    return contract.RouteContract(key, contract_routes()[key])


# ----- one declaration: the artifact is what the YAML says -------------------------------------------


def test_given_infra_openapi_yaml_when_the_contract_is_built_then_it_is_exactly_the_committed_artifact():
    builder = _builder()
    built = builder.render(builder.build(builder.load_openapi()))
    assert built == contract.ARTIFACT_PATH.read_text(), "run `make contract` after editing infra/openapi.yaml"


def test_given_the_template_then_every_post_put_patch_route_has_a_request_contract():
    from local.embedded_aws import LOCAL_PARAMETERS
    from local.template import Template

    # The local stage has every route prod has, and the sandbox payment routes besides.
    routes = {
        f"{r.method} {r.path}"
        for r in Template(LOCAL_PARAMETERS).routes()
        if r.method in ("POST", "PUT", "PATCH")
    }
    assert "POST /sandbox-payments/{intent_id}/pay" in routes
    assert routes - set(contract_routes()) == set()


def test_given_nullable_refs_and_all_of_when_built_then_json_schema_with_one_merged_object():
    builder = _builder()
    document = {
        "paths": {
            "/things/{id}": {
                "put": {
                    "security": [{"operator": []}],
                    "requestBody": {
                        "required": True,
                        "x-max-body-bytes": 2048,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "allOf": [
                                        {"$ref": "#/components/schemas/Thing"},
                                        {
                                            "type": "object",
                                            "required": ["revision"],
                                            "properties": {"revision": {"type": "integer"}},
                                        },
                                    ]
                                }
                            }
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "dropped",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "example": "dropped"},
                        "colour": {"type": "string", "enum": ["red"], "nullable": True, "default": "red"},
                        "box": {"$ref": "#/components/schemas/Box"},
                    },
                },
                "Box": {"allOf": [{"type": "object"}], "nullable": True, "readOnly": True},
            }
        },
    }
    route = builder.build(document)["routes"]["PUT /things/{id}"]
    assert route["security"] == [["operator"]] and route["required"] is True and route["max_bytes"] == 2048
    assert route["schema"] == {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "revision"],
        "properties": {
            "name": {"type": "string"},
            "colour": {"type": ["string", "null"], "enum": ["red", None]},
            "box": {"type": ["object", "null"]},
            "revision": {"type": "integer"},
        },
    }


def test_given_a_request_body_that_is_not_json_when_built_then_the_contract_refuses_it():
    builder = _builder()
    document = {"paths": {"/x": {"post": {"requestBody": {"content": {"text/csv": {"schema": {}}}}}}}}
    with pytest.raises(builder.ContractError, match="application/json"):
        builder.build(document)


# ----- the JSON: limits before the schema ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 3_000 + "1" + "}" * 3_000,
        "[" * (contract.MAX_DEPTH + 1) + "]" * (contract.MAX_DEPTH + 1),
        '{"slots": ' + "[" * contract.MAX_DEPTH + "]" * contract.MAX_DEPTH + "}",
    ],
    ids=["array-10000", "object-3000", "array-33", "object-holding-array-32"],
)
def test_given_json_nested_deeper_than_32_when_parsed_then_invalid_json_at_once(raw):
    started = time.perf_counter()
    with pytest.raises(contract.InvalidJson) as caught:
        contract.parse_json(raw.encode())
    assert time.perf_counter() - started < 0.5
    assert web.status_of(caught.value) == 400 and caught.value.code == "invalid_json"
    assert "nested more than 32" in caught.value.message


def test_given_json_nested_exactly_32_deep_when_parsed_then_it_is_accepted():
    depth = contract.MAX_DEPTH
    assert contract.parse_json(("[" * depth + "]" * depth).encode()) == _nested_list(depth)


def _nested_list(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    "raw",
    [b"not json", b'{"a": NaN}', b'{"a": Infinity}', b"{\xff}", b'{"a": 1', b"\xef\xbb\xbf{}"],
    ids=["text", "nan", "infinity", "not-utf8", "truncated", "bom"],
)
def test_given_a_body_that_is_not_json_when_parsed_then_invalid_json(raw):
    with pytest.raises(contract.InvalidJson):
        contract.parse_json(raw)


def test_given_a_body_over_the_routes_limit_when_parsed_then_413_too_large():
    with pytest.raises(errors.TooLarge) as caught:
        contract.parse_json(b'{"csv": "' + b"x" * 2048 + b'"}', max_bytes=2048)
    assert (web.status_of(caught.value), caught.value.code) == (413, "too_large")
    assert contract.parse_json(b'{"csv": "x"}', max_bytes=2048) == {"csv": "x"}


def test_given_the_rate_table_route_then_its_limit_holds_the_largest_csv_the_upload_accepts():
    from catalog.domain.rate_table_upload import MAX_CSV_CHARS

    route = _route("POST /admin/products/{product_id}/rate-tables")
    largest = json.dumps({"csv": "9" * MAX_CSV_CHARS, "effective_from": "2026-12-01"}).encode()
    assert len(largest) <= route.max_bytes
    assert _route("POST /orders").max_bytes == 1_048_576


# ----- the schema: failures named per field ----------------------------------------------------------


def test_given_a_featured_slot_whose_product_id_is_an_object_then_422_names_the_field():
    with pytest.raises(Invalid) as caught:
        _route("PUT /admin/featured").validate({"slots": [{"product_id": {}}]})
    assert caught.value.fields == {"slots[0].product_id": "must be a string"}


def test_given_an_order_with_a_list_or_object_channel_then_422_names_channel():
    for channel in ([], {}):
        with pytest.raises(Invalid) as caught:
            _route("POST /orders").validate({"channel": channel})
        assert caught.value.fields["channel"] == "must be a string"
        assert caught.value.fields["quote_id"] == "is required"


def test_given_a_webhook_whose_data_is_a_list_then_422_names_data():
    with pytest.raises(Invalid) as caught:
        _route("POST /payments/webhook").validate({"type": "payment_intent.succeeded", "data": [1]})
    assert caught.value.fields == {"data": "must be an object"}


def test_given_unknown_fields_where_the_schema_is_closed_then_each_is_named():
    with pytest.raises(Invalid) as caught:
        _route("POST /members/me/withdrawals").validate({"amount_cents": 100, "amonut": 1, "note": "x"})
    assert caught.value.fields == {
        "amonut": "is not a field of this request",
        "note": "is not a field of this request",
    }


def test_given_out_of_range_values_then_each_is_named_with_its_bound():
    with pytest.raises(Invalid) as caught:
        _route("POST /recommendations").validate({"age": 101, "gender": "X", "family": {"children": -1}})
    assert caught.value.fields == {
        "age": "must be at most 100",
        "gender": "must be one of M, F",
        "family.children": "must be at least 0",
    }


def test_given_a_field_with_its_own_words_when_refused_then_the_422_uses_them():
    with pytest.raises(Invalid) as caught:
        _route("POST /members/me/addresses").validate({"postcode": "1000"})
    assert caught.value.fields["postcode"] == "enter the 6-digit postcode"
    with pytest.raises(Invalid) as caught:
        _route("POST /members/me/addresses").validate({"postcode": 100000})
    assert caught.value.fields["postcode"] == "must be a string"  # a wrong type says so, in any case


def test_given_a_pattern_without_own_words_when_refused_then_no_regular_expression_is_shown():
    builder = _builder()
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
    document = {
        "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}}}}
    }
    route = contract.RouteContract("POST /x", builder.build(document)["routes"]["POST /x"])
    with pytest.raises(Invalid) as caught:
        route.validate({"code": "abcd"})
    assert caught.value.fields == {"code": "is not in the expected form"}


def test_given_a_nullable_field_when_null_then_it_is_accepted():
    _route("PUT /members/me").validate({"phone": None})
    _route("POST /quotes").validate(
        {"product_id": "p", "plan": "a", "gender": "M", "term": "1Y", "occupation_class": None}
    )


def test_given_a_route_with_an_optional_body_then_no_body_passes_and_only_an_empty_object_is_a_body():
    route = _route("POST /members/me/check-in")
    assert route.required is False
    route.validate({})
    with pytest.raises(Invalid) as caught:
        route.validate({"points": 5})
    assert caught.value.fields == {"points": "is not a field of this request"}


def test_given_a_request_when_its_route_is_not_in_the_contract_then_nothing_is_checked():
    class Request:
        method, context, raw_body = "GET", {"resourcePath": "/products"}, b"[[[[not json"

    contract.check(Request(), {})


# ----- money: every amount in fen is a strictly bounded integer ----------------------------------------


def _cents_fields() -> list[tuple[str, tuple, dict]]:
    found = []
    for key, entry in contract_routes().items():
        for path, schema in fields(entry["schema"]):
            if isinstance(path[-1], str) and path[-1].endswith("_cents"):
                found.append((key, path, schema))
    return found


CENTS_FIELDS = _cents_fields()


def test_given_the_request_schemas_then_amounts_in_fen_are_found_in_every_kind_of_body():
    names = {(key, field_name(path)) for key, path, _ in CENTS_FIELDS}
    assert {
        ("POST /payments/webhook", "data.amount_cents"),
        ("POST /members/me/withdrawals", "amount_cents"),
        ("POST /policies/{policy_no}/cancellation", "refund_cents"),
        ("PUT /admin/rewards/settings", "withdrawal_min_cents"),
        ("POST /admin/campaigns", "coupons[0].amount_cents"),
        ("PUT /admin/campaigns/{campaign_id}", "coupons[0].min_premium_cents"),
    } <= names


@pytest.mark.parametrize(
    ("key", "path", "schema"), CENTS_FIELDS, ids=[f"{k} {field_name(p)}" for k, p, _ in CENTS_FIELDS]
)
def test_given_an_amount_in_fen_then_its_schema_is_an_integer_from_0_to_2_to_the_53_minus_1(
    key, path, schema
):
    assert schema.get("type") == "integer", "an amount in fen is an integer, not nullable, never a number"
    assert schema.get("minimum", -1) >= 0, "give it a minimum (0 or more)"
    assert schema.get("maximum", MAX_SAFE_INTEGER + 1) <= MAX_SAFE_INTEGER, (
        "give it a maximum of 2^53 - 1 or less"
    )


@pytest.mark.parametrize(
    ("key", "path", "schema"), CENTS_FIELDS, ids=[f"{k} {field_name(p)}" for k, p, _ in CENTS_FIELDS]
)
def test_given_an_amount_in_fen_with_a_fraction_a_string_a_boolean_or_beyond_2_to_the_53_then_it_is_refused(
    key, path, schema
):
    route, name = _route(key), field_name(path)
    for bad in (16900.0, 1.69e4, "16900", True, False, MAX_SAFE_INTEGER + 1, 2**64):
        with pytest.raises(Invalid) as caught:
            route.validate(body_with(path, bad))
        assert name in caught.value.fields, (bad, caught.value.fields)
    try:
        route.validate(body_with(path, schema.get("minimum", 0)))
    except Invalid as exc:
        assert name not in exc.fields, exc.fields


def test_given_json_text_when_parsed_then_a_fraction_stays_a_float_so_it_is_never_an_integer():
    body = contract.parse_json(b'{"amount_cents": 16900.0, "b": 1e4, "c": 16900}')
    assert [type(body[k]) for k in ("amount_cents", "b", "c")] == [float, float, int]


# ----- cold start: nothing heavy until the first body ----------------------------------------------------


def test_given_a_fresh_process_when_every_handler_is_imported_then_the_validator_is_not_loaded_yet():
    code = (
        "import sys, catalog.app, checkout.app, policy.app, distribution.app, reports.app;"
        "print('fastjsonschema' in sys.modules, 'yaml' in sys.modules)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("functions", "layers/common/python")),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "False"]
