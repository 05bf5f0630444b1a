"""One local HTTP port for everything: the API exactly as the template maps it (under /api, the
local stage), the storefront's static pages at /, and a few local-only controls under /local/.

Every request gets an HTTP answer: what the stdlib server would answer with an HTML page (an unknown
method, a malformed request line) and any exception in here answer in the API's JSON error shape, and
every answer carries the request's id (`X-Request-Id`, and `x-amzn-RequestId` as API Gateway sends)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import mimetypes
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from wsgiref.headers import Headers

from local.lambda_runtime import LambdaRuntime
from local.template import ROOT, RestApi, Route

logger = logging.getLogger("local.gateway")

STATIC_ROOT = ROOT / "storefront_static"
STAGE = "api"
COMPRESSIBLE = {
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
    "application/json",
    "image/svg+xml",
    "text/plain",
}
# API Gateway's quota for a request payload; larger bodies are refused before any function runs.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
# Headers about this one connection, never forwarded from a function's answer.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


def build_event(
    route: Route,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    path_params: dict[str, str],
    host: str,
    request_id: str | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as Lambda receives it."""
    multi_query: dict[str, list[str]] = parse_qs(query, keep_blank_values=True)
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": request_id or str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "domainName": host,
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


def accepts(accept_encoding: str, coding: str) -> bool:
    """Whether an Accept-Encoding header admits `coding` (q-values honoured, `q=0` refuses)."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if name:
            weights[name.lower()] = weight
    return weights.get(coding, weights.get("*", 0.0)) > 0


def is_local_bucket_name(name: str, buckets: Iterable[str]) -> bool:
    """Only a bucket the template declares, spelled as S3 allows a virtual-host label (botocore's own
    check: 3-63 lower-case letters, digits and hyphens, no dots), ever becomes part of a host name."""
    from botocore.utils import check_dns_name

    return check_dns_name(name) and name in set(buckets)


class _Refusal(Exception):
    """Answer this request with the API's JSON error body."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _decoded_segments(path: str) -> list[str]:
    """The path's segments, percent-decoded; a NUL or other control character, a backslash, a `.`
    or `..` segment, or bytes that are not UTF-8 are a malformed path (400), never a file name."""
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise _Refusal(400, "bad_request", "The path is not valid UTF-8") from None
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in decoded):
        raise _Refusal(400, "bad_request", "The path holds a control character or a backslash")
    segments = decoded.split("/")
    if any(s in (".", "..") for s in segments):
        raise _Refusal(400, "bad_request", "The path holds a '.' or '..' segment")
    return segments


class Gateway:
    def __init__(
        self,
        routes: list[Route],
        runtime: LambdaRuntime,
        controls: dict[str, Callable] | None = None,
        *,
        rest_api: RestApi | None = None,
        buckets: Iterable[str] = (),
        static_root: Path = STATIC_ROOT,
    ):
        self.routes = routes
        self.runtime = runtime
        self.controls = controls or {}
        self.rest_api = rest_api or RestApi("Api")
        self.buckets = frozenset(buckets)
        self.static_root = static_root
        self.api_requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], set[str]]:
        """The route for `method` on the resource `path` names, its path parameters, and the methods
        that resource has (empty: no such resource). Literal segments beat parameters (routes are
        sorted so), and a resource offers only its own methods, as in API Gateway."""
        resource = next((r.path for r in self.routes if r.pattern.match(path)), None)
        if resource is None:
            return None, {}, set()
        on_resource = [r for r in self.routes if r.path == resource]
        allowed = {r.method for r in on_resource}
        route = next((r for r in on_resource if r.method == method), None)
        if route is None:
            return None, {}, allowed
        found = route.pattern.match(path)
        return route, {k: unquote(v) for k, v in found.groupdict().items()}, allowed

    def start(self, host: str, port: int) -> int:
        gateway = self

        class Handler(_RequestHandler):
            pass

        Handler.gateway = gateway
        self._server = _GatewayServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
        self._thread.start()
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


class _GatewayServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5, which a burst of connections overflows (resets).
    request_queue_size = 128
    daemon_threads = True


class _RequestHandler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this each response waits for a delayed ACK.
    disable_nagle_algorithm = True
    server_version = "InsureMallLocal/1.0"
    request_id = ""
    _answered = False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def __getattr__(self, name: str) -> Any:
        # The stdlib dispatches to do_<METHOD> and answers 501 in HTML when there is none: every
        # method, known or not, goes to the one dispatcher instead.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def handle_one_request(self) -> None:
        self.request_id = str(uuid.uuid4())
        self._answered = False
        # What parse_request sets, for an answer to a request that failed before or while parsing.
        self.command, self.path, self.requestline, self.request_version = None, "", "", "HTTP/1.1"
        try:
            super().handle_one_request()
        except ConnectionError:  # the client went away; nobody to answer
            self.close_connection = True
        except Exception:
            self.close_connection = True
            logger.exception(
                "request %s failed: %s %s",
                self.request_id,
                self.command,
                self.path.partition("?")[0],
            )
            if self._answered:  # the answer had begun; the dropped connection tells the client
                return
            self._with_status_line()
            try:
                self._error(500, "internal", "The local gateway failed on this request")
                self.wfile.flush()
            except OSError:
                pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The stdlib's own refusals (a malformed request line, too many headers...) in JSON too.
        self.close_connection = True
        self._with_status_line()
        status = HTTPStatus(code)
        self._error(code, status.phrase.lower().replace(" ", "_"), message or status.phrase)

    def _with_status_line(self) -> None:
        # parse_request assumes HTTP/0.9 (answers without a status line) until it has read a version.
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"

    # ----- dispatch -----
    def _dispatch(self) -> None:
        try:
            if self.command == "OPTIONS" and self.gateway.rest_api.cors is not None:
                self._body()
                self._send(204, dict(self.gateway.rest_api.cors), b"")
                return
            path, query = self._target()
            body = self._body()
            if path == f"/{STAGE}" or path.startswith(f"/{STAGE}/"):
                self._api(path[len(STAGE) + 1 :] or "/", query, body)
            elif path.startswith("/local/s3/"):
                self._s3_object(path, query)
            elif path.startswith("/local/"):
                self._control(path, query)
            else:
                self._static(path)
        except _Refusal as refusal:
            self._error(refusal.status, refusal.code, refusal.message, refusal.headers)

    def _method_not_allowed(self, where: str, allowed: Iterable[str]) -> _Refusal:
        # Every path answers the CORS preflight when the API declares CORS.
        methods = set(allowed) | ({"OPTIONS"} if self.gateway.rest_api.cors is not None else set())
        allow = ", ".join(sorted(methods))
        return _Refusal(
            405,
            "method_not_allowed",
            f"{self.command} is not allowed on {where}; allowed: {allow}",
            {"Allow": allow},
        )

    def _target(self) -> tuple[str, str]:
        """(path, query) of the request target, still percent-encoded: origin form (/a?b), or the
        absolute form a proxy sends (http://host/a?b)."""
        target = self.path
        if target.startswith("/"):
            path, _, query = target.partition("#")[0].partition("?")
            return path, query
        if target.lower().startswith(("http://", "https://")):
            parts = urlsplit(target)
            return parts.path or "/", parts.query
        self.close_connection = True
        raise _Refusal(400, "bad_request", "The request target is not a path")

    def _body(self) -> bytes:
        """The whole request body (read even when the answer is a refusal, so that the next request
        on this connection starts where it should)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked_body()
        raw = self.headers.get_all("Content-Length") or []
        if not raw:
            return b""
        if len(set(raw)) != 1 or not (raw[0].strip().isascii() and raw[0].strip().isdigit()):
            self.close_connection = True
            raise _Refusal(400, "bad_request", "Content-Length is not one non-negative integer")
        length = int(raw[0])
        if length > MAX_PAYLOAD_BYTES:
            self.close_connection = True
            raise _Refusal(413, "payload_too_large", f"The body is larger than {MAX_PAYLOAD_BYTES} bytes")
        return self.rfile.read(length) if length else b""

    def _chunked_body(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(1026)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise _Refusal(400, "bad_request", "A malformed chunk in a chunked body") from None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers, which nothing here reads
                return bytes(body)
            if size < 0 or len(body) + size > MAX_PAYLOAD_BYTES:
                self.close_connection = True
                raise _Refusal(413, "payload_too_large", f"The body is larger than {MAX_PAYLOAD_BYTES} bytes")
            body += self.rfile.read(size)
            self.rfile.readline(3)

    # ----- the API -----
    def _api(self, path: str, query: str, body: bytes) -> None:
        gateway = self.gateway
        with gateway._lock:
            gateway.api_requests += 1
        # HEAD is answered as GET without the body (the function sees the GET it serves).
        method = "GET" if self.command == "HEAD" else self.command
        route, params, allowed = gateway.match(method, path)
        if route is None:
            if not allowed:
                raise _Refusal(404, "not_found", f"No route {self.command} {path}")
            if "GET" in allowed:
                allowed.add("HEAD")
            raise self._method_not_allowed(path, allowed)
        headers = {k.lower(): v for k, v in self.headers.items()}
        # API Gateway tells the function how the client reached it.
        headers.setdefault("x-forwarded-proto", "http")
        headers.setdefault("x-forwarded-for", self.client_address[0])
        event = build_event(
            route,
            method,
            path,
            query,
            headers,
            body,
            params,
            self.headers.get("Host", "localhost"),
            request_id=self.request_id,
        )
        result, error = gateway.runtime.invoke(route.function, event)
        answer = None if error else _proxy_answer(result)
        if answer is None:
            # API Gateway answers a crashed integration, or a malformed proxy answer, with 502.
            # The error's type only: its message may quote what the client sent.
            logger.error(
                "request %s: %s answered %s",
                self.request_id,
                route.function,
                f"a function error ({result.get('errorType')})" if error else "a malformed proxy response",
            )
            self._send(502, {"Content-Type": "application/json"}, b'{"message": "Internal server error"}')
            return
        status, out, data = answer
        # A Lambda proxy answer without a Content-Type goes out as JSON (Chalice sets none for JSON).
        out.setdefault("Content-Type", "application/json")
        minimum = gateway.rest_api.minimum_compression_size
        if minimum is not None and len(data) >= minimum and "Content-Encoding" not in out:
            self._vary_on_encoding(out)
            if accepts(self.headers.get("Accept-Encoding", ""), "gzip"):
                data = gzip.compress(data, 6, mtime=0)
                out["Content-Encoding"] = "gzip"
        self._send(status, out, data)

    @staticmethod
    def _vary_on_encoding(headers: Headers) -> None:
        present = [v.strip().lower() for v in (headers.get("Vary") or "").split(",") if v.strip()]
        if "accept-encoding" not in present and "*" not in present:
            headers["Vary"] = ", ".join([*filter(None, [headers.get("Vary")]), "Accept-Encoding"])

    # ----- local controls and the embedded S3 -----
    def _control(self, path: str, query: str) -> None:
        name = path.removeprefix("/local/")
        action = self.gateway.controls.get(name.split("/", 1)[0])
        if action is None:
            raise _Refusal(404, "not_found", f"No local control {path}")
        if self.command not in ("GET", "POST"):
            raise self._method_not_allowed(path, ("GET", "POST"))
        try:
            params = {k: v[-1] for k, v in parse_qs(query).items()}
            self._json(200, action(name.split("/", 1)[1] if "/" in name else "", params))
        except KeyError as exc:
            raise _Refusal(404, "not_found", str(exc)) from None
        except ValueError as exc:
            raise _Refusal(400, "bad_request", str(exc)) from None

    def _s3_object(self, path: str, query: str) -> None:
        """A presigned S3 URL made local: /local/s3/<bucket>/<key>?<signed query> is replayed against
        the embedded S3 (moto answers requests to amazonaws.com in this process; it checks neither the
        signature nor the expiry, S3 does)."""
        import requests

        if self.command not in ("GET", "HEAD"):
            raise self._method_not_allowed(path, ("GET", "HEAD"))
        bucket, _, key = path.removeprefix("/local/s3/").partition("/")
        if not is_local_bucket_name(bucket, self.gateway.buckets):
            raise _Refusal(404, "not_found", "No such local bucket")
        if not key or not any(_decoded_segments(key)):
            raise _Refusal(404, "not_found", "No object key")
        answer = requests.get(f"https://{bucket}.s3.amazonaws.com/{key}?{query}", timeout=30)
        headers = {
            k: v
            for k, v in answer.headers.items()
            if k.lower()
            in ("content-type", "etag", "last-modified", "x-amz-version-id", "content-disposition")
        }
        self._send(answer.status_code, headers, answer.content)

    # ----- the storefront -----
    def _static(self, path: str) -> None:
        if self.command not in ("GET", "HEAD"):
            raise self._method_not_allowed("the storefront's static pages", ("GET", "HEAD"))
        relative = "/".join(_decoded_segments(path)).lstrip("/") or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        root = self.gateway.static_root.resolve()
        try:
            target = (root / relative).resolve()
            if target.is_dir():
                target = target / "index.html"
            # resolve() has followed every symlink: what lies outside the root is not served.
            servable = root in target.parents and target.is_file()
        except (OSError, ValueError):  # a name too long for the file system, and the like
            servable = False
        if not servable:
            not_found = root / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"Not found"
            self._send(404, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}, body)
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = target.read_bytes()
        modified = int(target.stat().st_mtime)
        tag = hashlib.sha256(data).hexdigest()[:32]
        headers = Headers(
            [
                (
                    "Content-Type",
                    f"{kind}; charset=utf-8"
                    if kind.startswith("text/") or kind in ("application/javascript", "application/json")
                    else kind,
                ),
                # Revalidate on every visit; an unchanged file costs a 304 without a body.
                ("Cache-Control", "no-cache"),
                ("Last-Modified", formatdate(modified, usegmt=True)),
            ]
        )
        if kind in COMPRESSIBLE and len(data) > 512:
            headers["Vary"] = "Accept-Encoding"
            if accepts(self.headers.get("Accept-Encoding", ""), "gzip"):
                data = gzip.compress(data, 6, mtime=0)
                headers["Content-Encoding"] = "gzip"
                tag += "-gzip"  # a strong validator names one representation
        headers["ETag"] = f'"{tag}"'
        if self._not_modified(headers["ETag"], modified):
            del headers["Content-Type"]
            self._send(304, headers, b"")
            return
        self._send(200, headers, data)

    def _not_modified(self, etag: str, modified: int) -> bool:
        """RFC 9110 13.1: If-None-Match (weak comparison) decides; If-Modified-Since only without it."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                return modified <= parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    # ----- answers -----
    def _json(self, status: int, body: Any) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(body).encode())

    def _error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        error: dict[str, Any] = {"code": code, "message": message}
        if status >= 500:
            error["request_id"] = self.request_id
        body = json.dumps({"error": error}).encode()
        self._send(status, {"Content-Type": "application/json", **(headers or {})}, body)

    def _send(self, status: int, headers: dict[str, str] | Headers, body: bytes) -> None:
        out = headers if isinstance(headers, Headers) else Headers([(k, str(v)) for k, v in headers.items()])
        for name in {n.lower() for n, _ in out.items()} & _HOP_BY_HOP:
            del out[name]
        # 1xx, 204 and 304 have no body, and so no Content-Length; HEAD gets the GET body's length.
        has_body = status >= 200 and status not in (204, 304)
        if has_body:
            out["Content-Length"] = str(len(body))
        out.setdefault("X-Content-Type-Options", "nosniff")
        out["X-Request-Id"] = self.request_id
        out["x-amzn-RequestId"] = self.request_id
        if self.close_connection:
            out["Connection"] = "close"
        self._answered = True
        self.send_response(status)
        for name, value in out.items():
            self.send_header(name, value)
        self.end_headers()
        if has_body and self.command != "HEAD":
            self.wfile.write(body)


def _proxy_answer(result: Any) -> tuple[int, Headers, bytes] | None:
    """(status, headers, body) of a Lambda proxy integration answer, or None when API Gateway would
    find it malformed (and answer 502)."""
    if not isinstance(result, dict):
        return None
    try:
        status = int(result.get("statusCode", 0))
    except (TypeError, ValueError):
        return None
    payload = result.get("body")
    single, multi = result.get("headers") or {}, result.get("multiValueHeaders") or {}
    if (
        not 100 <= status <= 599
        or not isinstance(payload, str | None)
        or not isinstance(single, dict)
        or not isinstance(multi, dict)
        or not all(isinstance(v, list) for v in multi.values())
    ):
        return None
    try:
        text = payload or ""
        data = base64.b64decode(text, validate=True) if result.get("isBase64Encoded") else text.encode()
    except ValueError:
        return None
    headers = Headers([(str(k), str(v)) for k, v in single.items()])
    for name, values in multi.items():
        del headers[str(name)]
        for value in values:
            headers.add_header(str(name), str(value))
    return status, headers, data


def static_root() -> Path:
    return STATIC_ROOT
