"""The fields of a request-body schema of the contract (insuremall/contract/requests.json), for tests
that send every route bodies built from its own schema, so new routes and fields are covered unedited."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

JSON_TYPES = ("string", "number", "boolean", "null", "array", "object")
# One value of each JSON type; 1.5 is a number and not an integer.
SAMPLES: dict[str, Any] = {
    "string": "x",
    "number": 1.5,
    "boolean": True,
    "null": None,
    "array": [],
    "object": {},
}
MAX_SAFE_INTEGER = 2**53 - 1

Path = tuple[str | int, ...]


@lru_cache(maxsize=1)
def contract_routes() -> dict[str, dict[str, Any]]:
    """Per "METHOD /path", the route's request contract as tools/build_contract.py reads it from
    infra/openapi.yaml (a unit test proves the shipped artifact is the same)."""
    builder = contract_builder()
    return builder.build(builder.load_openapi())["routes"]


def contract_builder():
    path = FilePath(__file__).resolve().parent.parent / "tools" / "build_contract.py"
    spec = importlib.util.spec_from_file_location("build_contract", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fields(schema: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path, schema) of every field, depth first: object properties, and an array's items at index 0."""
    for branch in _branches(schema):
        for name, sub in branch.get("properties", {}).items():
            yield (*path, name), sub
            yield from fields(sub, (*path, name))
        items = branch.get("items")
        if isinstance(items, dict):
            yield (*path, 0), items
            yield from fields(items, (*path, 0))


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema and the parts of its allOf/anyOf/oneOf (nullable fields are anyOf [it, null])."""
    parts = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            parts += _branches(sub)
    return parts


def allowed_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a field takes; every type when its schema does not say."""
    kinds: set[str] = set()
    constrained = False
    for branch in _branches(schema):
        if "type" in branch:
            constrained = True
            kinds |= {branch["type"]} if isinstance(branch["type"], str) else set(branch["type"])
    return kinds if constrained else set(JSON_TYPES)


def wrong_types(schema: dict[str, Any]) -> list[str]:
    """The JSON types (of JSON_TYPES) a field does not take; an integer field does not take "number"
    (the sample 1.5)."""
    allowed = allowed_types(schema)
    return [kind for kind in JSON_TYPES if kind not in allowed]


def body_with(path: Path, value: Any) -> Any:
    """The smallest body that puts `value` at `path`: {"slots": [{"product_id": value}]}."""
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def field_name(path: Path) -> str:
    """The field as the API names it: slots[0].product_id."""
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else step)
    return name
