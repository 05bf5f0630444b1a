"""Build the request contract the functions check bodies against, from infra/openapi.yaml.

    python tools/build_contract.py          # (make contract) rewrite the artifact
    python tools/build_contract.py --check  # exit 1 if the committed artifact is out of date

The deployed Lambda has neither infra/openapi.yaml nor PyYAML, so the request-body schemas ship in
the common layer as JSON (layers/common/python/insuremall/contract/requests.json): per
"METHOD /path" the route's security (who must be signed in, checked before the body), whether a
body is required, its size limit, and its schema with every $ref resolved, OpenAPI 3.0 `nullable`
written as JSON Schema, `allOf` of objects merged into one object (so `additionalProperties: false`
sees every property), and documentation-only keywords dropped. The schemas are JSON Schema draft-04,
which OpenAPI 3.0's schema object is built on (boolean exclusiveMinimum; `integer` is a number
written without a fraction, so 16900.0 is not an integer). A field's `x-message` is kept: the words
the 422 uses for a value the field refuses.

A unit test rebuilds it from the YAML and compares, so the contract and the check never drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_PATH = ROOT / "infra" / "openapi.yaml"
ARTIFACT_PATH = ROOT / "layers" / "common" / "python" / "insuremall" / "contract" / "requests.json"
DRAFT_04 = "http://json-schema.org/draft-04/schema#"
DEFAULT_MAX_BODY_BYTES = 1_048_576  # 1 MiB; a route may raise it with x-max-body-bytes on its requestBody
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A field's own words for a value it refuses (pattern, enum, length, range), e.g. "enter the 6-digit
# postcode": kept in the artifact (validators ignore unknown keywords) for the 422's `fields`.
MESSAGE = "x-message"

# Keywords that only document: the check neither needs nor may act on them (`default` would be
# filled into the body by some validators; the handlers apply their own defaults).
_DOCUMENTATION = {
    "description",
    "example",
    "examples",
    "externalDocs",
    "xml",
    "title",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "discriminator",
}
_MERGEABLE = {"type", "properties", "required", "additionalProperties", "minProperties", "maxProperties"}


class ContractError(ValueError):
    """The OpenAPI document cannot be turned into a request contract."""


def load_openapi(path: Path = OPENAPI_PATH) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(path.read_text())


def build(document: dict[str, Any]) -> dict[str, Any]:
    """The contract artifact for an OpenAPI 3.0 document (a plain, JSON-ready dict)."""
    default_security = document.get("security", [])
    routes: dict[str, Any] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS or "requestBody" not in operation:
                continue
            where = f"{method.upper()} {path}"
            body = _resolve_ref(operation["requestBody"], document, where)
            content = body.get("content", {})
            if set(content) != {"application/json"}:
                raise ContractError(
                    f"{where}: a request body must be application/json only ({list(content)})"
                )
            schema = _schema(content["application/json"].get("schema", {}), document, where, ())
            security = operation.get("security", default_security)
            routes[where] = {
                "required": bool(body.get("required", False)),
                "max_bytes": int(body.get("x-max-body-bytes", DEFAULT_MAX_BODY_BYTES)),
                # Alternatives, each a list of schemes that must all hold; [] = a public route.
                "security": [sorted(requirement) for requirement in security if requirement],
                "schema": {"$schema": DRAFT_04, **schema},
            }
    return {
        "source": "infra/openapi.yaml",
        "generated_by": "tools/build_contract.py (make contract); do not edit by hand",
        "routes": dict(sorted(routes.items())),
    }


def render(contract: dict[str, Any]) -> str:
    return json.dumps(contract, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def _resolve_ref(node: dict[str, Any], document: dict[str, Any], where: str) -> dict[str, Any]:
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise ContractError(f"{where}: $ref cycle through {ref}")
        seen.add(ref)
        node = _lookup(ref, document, where)
    return node


def _lookup(ref: str, document: dict[str, Any], where: str) -> Any:
    if not ref.startswith("#/"):
        raise ContractError(f"{where}: only local $refs are supported, not {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise ContractError(f"{where}: $ref {ref} points at nothing")
        node = node[part]
    return node


def _schema(node: Any, document: dict[str, Any], where: str, refs: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise ContractError(f"{where}: a schema must be an object, not {node!r}")
    if "$ref" in node:
        ref = node["$ref"]
        if ref in refs:
            raise ContractError(f"{where}: recursive schema {ref} cannot be inlined")
        return _schema(_lookup(ref, document, where), document, where, (*refs, ref))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DOCUMENTATION or key == "nullable" or (key.startswith("x-") and key != MESSAGE):
            continue
        if key == "properties":
            out[key] = {name: _schema(sub, document, where, refs) for name, sub in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = _schema(value, document, where, refs)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_schema(sub, document, where, refs) for sub in value]
        else:
            out[key] = value
    if "allOf" in out:
        out = _merge_all_of(out)
    if node.get("nullable"):
        out = _nullable(out)
    return out


def _merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    """allOf of object schemas as one object schema, or unchanged when the parts do not merge plainly."""
    parts = schema["allOf"]
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    if not all(set(part) <= _MERGEABLE and part.get("type", "object") == "object" for part in parts):
        return schema
    if set(merged) - _MERGEABLE or merged.get("type", "object") != "object":
        return schema
    merged["type"] = "object"
    properties: dict[str, Any] = dict(merged.get("properties", {}))
    required: list[str] = list(merged.get("required", []))
    closed = merged.get("additionalProperties") is False
    for part in parts:
        for name, sub in part.get("properties", {}).items():
            properties[name] = sub if name not in properties else {"allOf": [properties[name], sub]}
        required += [name for name in part.get("required", []) if name not in required]
        extra = part.get("additionalProperties", True)
        if extra is False:
            closed = True
        elif extra is not True:
            return schema  # a schema for unnamed properties does not merge across parts
        for bound in ("minProperties", "maxProperties"):
            if bound in part:
                if bound in merged and merged[bound] != part[bound]:
                    return schema
                merged[bound] = part[bound]
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    if closed:
        merged["additionalProperties"] = False
    return merged


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]}
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed artifact is out of date")
    args = parser.parse_args(argv)
    text = render(build(load_openapi()))
    relative = ARTIFACT_PATH.relative_to(ROOT)
    if args.check:
        if not ARTIFACT_PATH.exists() or ARTIFACT_PATH.read_text() != text:
            print(f"{relative} is out of date with infra/openapi.yaml: run `make contract`", file=sys.stderr)
            return 1
        print(f"{relative} is up to date")
        return 0
    ARTIFACT_PATH.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT_PATH.write_text(text)
    print(f"wrote {relative} ({len(json.loads(text)['routes'])} routes with a request body)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
