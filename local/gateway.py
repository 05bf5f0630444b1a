"""One local HTTP port for everything: the API exactly as the template maps it (under /api, the
local stage), the storefront's static pages at /, and a few local-only controls under /local/."""

from __future__ import annotations

import base64
import gzip
import json
import mimetypes
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local.lambda_runtime import LambdaRuntime
from local.template import ROOT, Route

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


def build_event(
    route: Route,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    path_params: dict[str, str],
    host: str,
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
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "domainName": host,
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


class Gateway:
    def __init__(
        self, routes: list[Route], runtime: LambdaRuntime, controls: dict[str, Callable] | None = None
    ):
        self.routes = routes
        self.runtime = runtime
        self.controls = controls or {}
        self.api_requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        path_exists = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                path_exists = True
                if route.method == method:
                    return route, {k: unquote(v) for k, v in found.groupdict().items()}, True
        return None, {}, path_exists

    def start(self, host: str, port: int) -> int:
        gateway = self

        class Handler(_RequestHandler):
            pass

        Handler.gateway = gateway
        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
        self._thread.start()
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


class _RequestHandler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this each response waits for a delayed ACK.
    disable_nagle_algorithm = True
    server_version = "InsureMallLocal/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._send(
            204,
            {
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Headers": "Content-Type,Authorization,Idempotency-Key,X-Signature",
                "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
            },
            b"",
        )

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            if url.path == f"/{STAGE}" or url.path.startswith(f"/{STAGE}/"):
                self._api(url.path[len(STAGE) + 1 :] or "/", url.query)
            elif url.path.startswith("/local/s3/"):
                self._s3_object(url.path, url.query)
            elif url.path.startswith("/local/"):
                self._control(url.path, url.query)
            else:
                self._static(url.path)
        except BrokenPipeError:
            pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, status: int, body: Any) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(body).encode())

    def _api(self, path: str, query: str) -> None:
        gateway = self.gateway
        with gateway._lock:
            gateway.api_requests += 1
        body = self._body()
        route, params, path_exists = gateway.match(self.command, path)
        if route is None:
            status = 405 if path_exists else 404
            self._json(
                status,
                {
                    "error": {
                        "code": "not_found" if status == 404 else "method_not_allowed",
                        "message": f"No route {self.command} {path}",
                    }
                },
            )
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        # API Gateway tells the function how the client reached it.
        headers.setdefault("x-forwarded-proto", "http")
        headers.setdefault("x-forwarded-for", self.client_address[0])
        event = build_event(
            route, self.command, path, query, headers, body, params, self.headers.get("Host", "localhost")
        )
        result, error = gateway.runtime.invoke(route.function, event)
        if error:
            # API Gateway answers a crashed integration with 502.
            self._json(502, {"message": "Internal server error"})
            return
        payload = result.get("body") or ""
        data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        out_headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            out_headers[name] = ", ".join(values)
        self._send(int(result.get("statusCode", 200)), out_headers, data)

    def _control(self, path: str, query: str) -> None:
        name = path.removeprefix("/local/")
        action = self.gateway.controls.get(name.split("/", 1)[0])
        if action is None or self.command not in ("GET", "POST"):
            self._json(404, {"error": {"code": "not_found", "message": f"No local control {path}"}})
            return
        self._body()
        try:
            params = {k: v[-1] for k, v in parse_qs(query).items()}
            self._json(200, action(name.split("/", 1)[1] if "/" in name else "", params))
        except KeyError as exc:
            self._json(404, {"error": {"code": "not_found", "message": str(exc)}})
        except ValueError as exc:
            self._json(400, {"error": {"code": "bad_request", "message": str(exc)}})

    def _s3_object(self, path: str, query: str) -> None:
        """A presigned S3 URL made local: /local/s3/<bucket>/<key>?<signed query> is replayed against
        the embedded S3 (moto answers requests to amazonaws.com in this process; it checks neither the
        signature nor the expiry, S3 does)."""
        import requests

        bucket, _, key = path.removeprefix("/local/s3/").partition("/")
        if self.command not in ("GET", "HEAD") or not bucket or not key:
            self._json(404, {"error": {"code": "not_found", "message": f"No object {path}"}})
            return
        answer = requests.get(f"https://{bucket}.s3.amazonaws.com/{key}?{query}", timeout=30)
        headers = {
            k: v
            for k, v in answer.headers.items()
            if k.lower()
            in ("content-type", "etag", "last-modified", "x-amz-version-id", "content-disposition")
        }
        self._send(answer.status_code, headers, answer.content)

    def _static(self, path: str) -> None:
        if self.command not in ("GET", "HEAD"):
            self._json(
                405, {"error": {"code": "method_not_allowed", "message": "Static pages are read-only"}}
            )
            return
        relative = unquote(path).lstrip("/") or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        target = (STATIC_ROOT / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if STATIC_ROOT.resolve() not in target.parents or not target.is_file():
            not_found = STATIC_ROOT / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"Not found"
            self._send(404, {"Content-Type": "text/html; charset=utf-8"}, body)
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = target.read_bytes()
        headers = {
            "Content-Type": f"{kind}; charset=utf-8"
            if kind.startswith("text/") or kind in ("application/javascript", "application/json")
            else kind,
            "Cache-Control": "no-cache",
        }
        if kind in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", "") and len(data) > 512:
            data = gzip.compress(data, 6)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self._send(200, headers, data)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        headers = {"Content-Length": str(len(body)), **headers}
        headers.setdefault("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            if name.lower() == "content-length":
                continue
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def static_root() -> Path:
    return STATIC_ROOT
