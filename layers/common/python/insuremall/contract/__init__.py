"""The request contract: every JSON body is checked against its route's schema before handler code runs.

The schemas are those of infra/openapi.yaml, shipped as requests.json beside this module (built by
tools/build_contract.py; a unit test keeps the two equal). `web.install` runs `check` in the
middleware every route goes through, in the order API Gateway would: the caller first (the route's
`security`: a signed-in customer or operator, or the webhook signature), then the body - its size,
JSON, nesting depth, that it is an object - then the schema. Handlers keep their own (domain) checks.

Failures: 400 `invalid_json` (not JSON, nested deeper than MAX_DEPTH, not an object, missing),
413 `too_large`, 415 `unsupported_media_type` (a body whose Content-Type is not JSON), 422
`validation_failed` with `fields` naming each bad field ("slots[0].product_id").

Cold start: the JSON is read and fastjsonschema imported on the first body check, and each route's
validator is compiled on its first use and cached for the container's life.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from insuremall.errors import Failure, Invalid, Malformed, TooLarge, UnsupportedMediaType

ARTIFACT_PATH = Path(__file__).with_name("requests.json")
MAX_DEPTH = 32  # our deepest real body (a product: plans[].coverages[]) is 5 levels
_BODY_ATTRIBUTE = "_insuremall_json_body"
_MISSING = object()

Authenticator = Callable[[Any], object]


class InvalidJson(Malformed):
    code = "invalid_json"


class RouteContract:
    """One route's request contract: who may call, and the body it takes."""

    def __init__(self, key: str, entry: Mapping[str, Any]):
        self.key = key
        self.required: bool = entry["required"]
        self.max_bytes: int = entry["max_bytes"]
        self.security: list[list[str]] = entry["security"]
        self.schema: dict[str, Any] = entry["schema"]
        self._validate: Callable[[Any], Any] | None = None
        self._lock = threading.Lock()

    def validate(self, body: Any) -> None:
        """Raise Invalid naming every field that breaks the schema."""
        if self._validate is None:
            with self._lock:
                if self._validate is None:
                    import fastjsonschema

                    self._validate = fastjsonschema.compile(
                        self.schema, use_default=False, use_formats=False, fast_fail=False
                    )
        from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException

        try:
            self._validate(body)
        except JsonSchemaValuesException as exc:
            raise Invalid(_fields(exc.errors)) from None
        except JsonSchemaValueException as exc:
            raise Invalid(_fields([exc])) from None


class Contract:
    """All routes' contracts, read from the artifact on first use."""

    def __init__(self, path: Path = ARTIFACT_PATH):
        self._path = path
        self._routes: dict[str, RouteContract] | None = None
        self._lock = threading.Lock()

    def route(self, method: str, resource_path: str) -> RouteContract | None:
        if self._routes is None:
            with self._lock:
                if self._routes is None:
                    raw = json.loads(self._path.read_text())["routes"]
                    self._routes = {key: RouteContract(key, entry) for key, entry in raw.items()}
        return self._routes.get(f"{method.upper()} {resource_path}")


contract = Contract()


def check(request, authenticators: Mapping[str, Authenticator]) -> None:
    """Check a request against its route's contract; raises the Failure to answer with."""
    context = request.context or {}
    route = contract.route(request.method, context.get("resourcePath", ""))
    if route is None:
        return  # no request body in the contract: nothing to check
    _authenticate(request, route, authenticators)
    refuse_other_media_types(request)
    body = request_body(request, route)
    if body is not _MISSING:
        route.validate(body)


def is_json_media_type(content_type: str) -> bool:
    """What Chalice takes for its routes' default `application/json` (so the two never disagree)."""
    lowered = content_type.lower()
    return "*/*" in lowered or "application/json" in (part.strip() for part in re.split("[,;]", lowered))


def refuse_other_media_types(request) -> None:
    """A body whose Content-Type says it is not JSON answers 415 before it is read (no header: JSON)."""
    content_type = (request.headers or {}).get("content-type")
    if content_type is None or not (request.raw_body or b"").strip() or is_json_media_type(content_type):
        return
    raise UnsupportedMediaType("Send the request body as application/json")


def json_object(request) -> dict[str, Any]:
    """The request body as a JSON object (parsed once; the contract's limits apply)."""
    context = request.context or {}
    route = contract.route(request.method, context.get("resourcePath", ""))
    body = request_body(request, route)
    if body is _MISSING:
        return {}
    return body


def request_body(request, route: RouteContract | None) -> Any:
    """The parsed body (cached on the request), or _MISSING when an optional body was not sent."""
    cached = getattr(request, _BODY_ATTRIBUTE, None)
    if cached is not None:
        return cached
    raw = request.raw_body or b""
    if not raw.strip():
        if route is not None and not route.required:
            return _MISSING
        raise InvalidJson("Request body must be a JSON object")
    max_bytes = route.max_bytes if route is not None else None
    body = parse_json(raw, max_bytes)
    if not isinstance(body, dict):
        raise InvalidJson("Request body must be a JSON object")
    setattr(request, _BODY_ATTRIBUTE, body)
    return body


def parse_json(raw: bytes | str, max_bytes: int | None = None) -> Any:
    """JSON text as Python values, refusing what no client of ours sends: oversized, NaN, deep nesting."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if max_bytes is not None and size > max_bytes:
        raise TooLarge(f"Request body is larger than {max_bytes:,} bytes")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        # The parser recurses per level; far too deep for it is far too deep for us.
        raise InvalidJson(f"Request body is nested more than {MAX_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidJson("Request body is not valid JSON") from exc
    if _deeper_than(value, MAX_DEPTH):
        raise InvalidJson(f"Request body is nested more than {MAX_DEPTH} levels deep")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest more than `limit` levels, walked with a stack (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _authenticate(request, route: RouteContract, authenticators: Mapping[str, Authenticator]) -> None:
    """The route's security, before its body: a caller who may not call learns nothing from it."""
    if not route.security:
        return
    refusals: list[Failure] = []
    for requirement in route.security:
        try:
            for scheme in requirement:
                if scheme not in authenticators:
                    raise LookupError(f"{route.key}: no authenticator for security scheme {scheme!r}")
                authenticators[scheme](request)
        except Failure as exc:
            refusals.append(exc)
            continue
        return
    raise refusals[0]


# ----- schema errors as the API's `fields` --------------------------------------------------------

_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _fields(failures: list) -> dict[str, str]:
    fields: dict[str, str] = {}
    for failure in failures:
        for name, message in _describe(failure):
            fields.setdefault(name or "body", message)
    return fields


def _describe(failure) -> list[tuple[str, str]]:
    """(field, message) pairs for one fastjsonschema failure; the field as the client wrote it."""
    base = (failure.name or "data").removeprefix("data").removeprefix(".")
    rule, bound, value = failure.rule, failure.rule_definition, failure.value

    def child(key: str) -> str:
        return f"{base}.{key}" if base else key

    if rule == "required" and isinstance(value, dict):
        return [(child(key), "is required") for key in bound if key not in value]
    if rule == "additionalProperties" and isinstance(value, dict):
        known = set((failure.definition or {}).get("properties", {}))
        return [(child(key), "is not a field of this request") for key in value if key not in known]
    if rule == "type":
        kinds = [bound] if isinstance(bound, str) else list(bound)
        return [(base, "must be " + " or ".join(_TYPE_NAMES.get(k, k) for k in kinds))]
    own_words = (failure.definition or {}).get("x-message") if isinstance(failure.definition, dict) else None
    if own_words:
        return [(base, own_words)]
    messages = {
        "enum": lambda: "must be one of " + ", ".join("null" if v is None else str(v) for v in bound),
        "minimum": lambda: f"must be at least {bound}",
        "maximum": lambda: f"must be at most {bound}",
        "exclusiveMinimum": lambda: f"must be more than {failure.definition.get('minimum')}",
        "exclusiveMaximum": lambda: f"must be less than {failure.definition.get('maximum')}",
        "minLength": lambda: f"must be at least {bound} characters",
        "maxLength": lambda: f"must be at most {bound} characters",
        "pattern": lambda: "is not in the expected form",
        "minItems": lambda: f"must have at least {bound} item{'s' if bound != 1 else ''}",
        "maxItems": lambda: f"must have at most {bound} item{'s' if bound != 1 else ''}",
        "uniqueItems": lambda: "must not repeat an item",
        "minProperties": lambda: f"must have at least {bound} field{'s' if bound != 1 else ''}",
        "maxProperties": lambda: f"must have at most {bound} field{'s' if bound != 1 else ''}",
    }
    if rule in messages:
        return [(base, messages[rule]())]
    prefix = failure.name or "data"
    return [(base, failure.message.removeprefix(prefix).strip() or "is not valid")]
