"""The local gateway answers every request the way API Gateway (and the storefront's CDN) would:
always an HTTP answer, JSON errors with the resource's allowed methods, request ids, nothing served
from outside the storefront or the local buckets, validators and 304s, HEAD, JSON Content-Type, gzip
as the template asks, and a burst of 200 connections at once.

Requests go over raw sockets or http.client, which send the path exactly as written here."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
import uuid
from pathlib import Path

import pytest
import requests

from local import gateway as gateway_module
from local.gateway import Gateway
from local.template import ROOT, Template

MAKEFILE_LINE = (ROOT / "Makefile").read_text().splitlines()[0].encode()


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()

    def json(self):
        assert self.headers.get("Content-Type", "").startswith("application/json"), self.headers
        return json.loads(self.body)


def raw(port: int, request: bytes, method: str = "GET") -> Answer:
    """Sends bytes as they are and reads one HTTP answer; fails if the connection closes without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        return Answer(response)


def ask(
    port: int, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> Answer:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return raw(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body, method)


def assert_request_id(answer: Answer) -> str:
    request_id = answer.headers["X-Request-Id"]
    assert uuid.UUID(request_id)
    assert answer.headers["x-amzn-RequestId"] == request_id
    return request_id


def documents_bucket(platform) -> str:
    return platform.aws.template.physical_name("PolicyDocumentsBucket")


# ---------- 1. nothing outside the storefront or the local buckets, and always an answer ----------
TRAVERSALS = [
    "/assets/%00../../Makefile",
    "/%00",
    "/index.html%00.js",
    "/../Makefile",
    "/assets/../../Makefile",
    "/%2e%2e/Makefile",
    "/assets/%2e%2e/%2e%2e/Makefile",
    "/assets/%2E%2E/%2E%2E/Makefile",
    "/..%2fMakefile",
    "/assets/..%2f..%2fMakefile",
    "/assets/..%5c..%5cMakefile",
    "/assets\\..\\..\\Makefile",
    "/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/Makefile",
    "/assets/%ff",
    "/./Makefile",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/etc/passwd",
    "/assets/%0a..%0a/Makefile",
    "http://127.0.0.1/../Makefile",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_given_a_path_out_of_the_storefront_then_400_or_404_and_nothing_outside_is_served(platform, target):
    answer = ask(platform.port, "GET", target)
    assert answer.status in (400, 404), (target, answer.status)
    assert MAKEFILE_LINE not in answer.body and b"root:" not in answer.body
    assert_request_id(answer)
    if answer.status == 400:
        assert answer.json()["error"]["code"] == "bad_request"
    else:  # a well-formed path that names no storefront file: the storefront's own 404 page
        assert answer.body == (ROOT / "storefront_static" / "404.html").read_bytes()


def test_given_symlinks_out_of_the_static_root_then_nothing_outside_is_served(tmp_path):
    site, outside = tmp_path / "site", tmp_path / "outside"
    site.mkdir()
    outside.mkdir()
    (site / "index.html").write_text("<p>home</p>")
    (outside / "secret.txt").write_text("not for the web")
    (site / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "linked").symlink_to(outside, target_is_directory=True)
    (site / "inside.html").symlink_to(site / "index.html")
    local = Gateway([], runtime=None, static_root=site)
    port = local.start("127.0.0.1", 0)
    try:
        assert ask(port, "GET", "/index.html").status == 200
        assert ask(port, "GET", "/inside.html").body == b"<p>home</p>"
        for target in ("/leak.txt", "/linked/secret.txt", "/linked/", f"/{outside}/secret.txt"):
            answer = ask(port, "GET", target)
            assert answer.status == 404, target
            assert b"not for the web" not in answer.body
    finally:
        local.stop()


NOT_LOCAL_BUCKETS = [
    "127.0.0.1:1234",
    "..%2f",
    "..%2f..%2f",
    "%2e%2e",
    "localhost:8080",
    "evil.example.com",
    "{bucket}.evil.example.com",
    "{bucket}%2f..",
    "{bucket}%00",
    "{bucket}@evil.example.com",
    "{bucket}:443",
    "UPPER-CASE-BUCKET",
    "ab",
    "some-other-bucket",
    "xn--bucket",
    "-leading-hyphen",
]


@pytest.fixture
def s3_replays(monkeypatch) -> list[str]:
    """Every URL the gateway replays against the embedded S3, in this process."""
    urls: list[str] = []
    original = requests.get

    def recording_get(url, *args, **kwargs):
        urls.append(url)
        return original(url, *args, **kwargs)

    monkeypatch.setattr(requests, "get", recording_get)
    return urls


@pytest.mark.parametrize("bucket", NOT_LOCAL_BUCKETS)
def test_given_a_bucket_that_is_not_a_local_bucket_then_404_json_and_no_host_is_made_of_it(
    platform, s3_replays, bucket
):
    answer = ask(
        platform.port, "GET", f"/local/s3/{bucket.format(bucket=documents_bucket(platform))}/policies/x.pdf"
    )
    assert answer.status == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert s3_replays == []


@pytest.mark.parametrize(
    "key", ["", "/", "%00", "..%2f..%2fx", "../other/x", "%2e%2e/%2e%2e/x", "a/./b", "%ff%fe"]
)
def test_given_a_key_that_is_no_plain_key_then_400_or_404_json_and_nothing_is_replayed(
    platform, s3_replays, key
):
    answer = ask(platform.port, "GET", f"/local/s3/{documents_bucket(platform)}/{key}")
    assert answer.status in (400, 404)
    assert answer.json()["error"]["code"] in ("bad_request", "not_found")
    assert s3_replays == []


def _presigned_local_path(platform, key: str, body: bytes) -> str:
    s3 = platform.aws.client("s3")
    s3.put_object(Bucket=documents_bucket(platform), Key=key, Body=body, ContentType="application/pdf")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": documents_bucket(platform), "Key": key})
    parts = requests.utils.urlparse(url)
    path = parts.path if parts.netloc.startswith("s3") else f"/{documents_bucket(platform)}{parts.path}"
    return f"/local/s3{path}?{parts.query}"


def test_given_a_presigned_document_when_head_then_the_get_length_and_no_body(platform):
    content = b"%PDF-1.4 " + uuid.uuid4().hex.encode() * 100
    target = _presigned_local_path(platform, f"tests/{uuid.uuid4().hex}.pdf", content)
    got = ask(platform.port, "GET", target)
    assert got.status == 200 and got.body == content
    assert got.headers["Content-Type"] == "application/pdf" and got.headers["ETag"]
    head = ask(platform.port, "HEAD", target)
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(content))
    assert head.headers["ETag"] == got.headers["ETag"]
    assert_request_id(head)


# ---------- 2. every method answers as a resource that lacks it ----------
ODD_METHODS = ["TRACE", "CONNECT", "PATCH", "PROPFIND", "BREW", "M-SEARCH", "get"]


@pytest.mark.parametrize("method", ODD_METHODS)
@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("/api/products", "GET, HEAD, OPTIONS"),
        ("/api/quotes", "OPTIONS, POST"),
        ("/", "GET, HEAD, OPTIONS"),
        ("/assets/app.css", "GET, HEAD, OPTIONS"),
        ("/local/status", "GET, OPTIONS, POST"),
        ("/local/s3/{bucket}/policies/x.pdf", "GET, HEAD, OPTIONS"),
    ],
)
def test_given_a_method_the_resource_lacks_then_405_json_with_the_allowed_methods(
    platform, method, target, allowed
):
    answer = ask(platform.port, method, target.format(bucket=documents_bucket(platform)), body=b"{}")
    assert answer.status == 405, answer.body
    assert answer.json()["error"]["code"] == "method_not_allowed"
    assert answer.headers["Allow"] == allowed
    assert_request_id(answer)


def test_given_a_known_method_on_an_api_resource_without_it_then_405_with_allow(platform):
    answer = ask(platform.port, "DELETE", "/api/products/accident-guardian")
    assert answer.status == 405 and answer.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert answer.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("method", ["GET", "TRACE", "BREW"])
def test_given_an_api_path_no_route_has_when_requested_then_404_json(platform, method):
    answer = ask(platform.port, method, "/api/no-such-resource/at-all")
    assert answer.status == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_given_cors_preflight_when_sent_anywhere_then_the_templates_cors_headers_answer(platform):
    for target in ("/api/products", "/api/orders/o-1/cancel", "*"):
        answer = ask(platform.port, "OPTIONS", target)
        assert answer.status == 204 and answer.body == b""
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert "Idempotency-Key" in answer.headers["Access-Control-Allow-Headers"]
        assert answer.headers["Access-Control-Allow-Methods"] == "GET,POST,PUT,DELETE,OPTIONS"
        assert "Content-Length" not in answer.headers


MALFORMED = [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\n", 400),  # a latin-1 digit int() refuses
    (b"POST /api/quotes HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
    (b"POST /api/quotes HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n{}", 413),
    (b"POST /api/quotes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"v" * 70000 + b"\r\n\r\n", 431),
    (b"GET " + b"/a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
]


@pytest.mark.parametrize(("request_bytes", "status"), MALFORMED, ids=lambda r: repr(r)[:40])
def test_given_a_malformed_request_then_a_json_error_not_an_html_page_or_a_dropped_connection(
    platform, request_bytes, status
):
    answer = raw(platform.port, request_bytes)
    assert answer.status == status
    assert answer.json()["error"]["code"]
    assert answer.headers["X-Request-Id"]


def test_given_a_chunked_body_when_posted_to_the_api_then_the_function_receives_it(platform):
    body = json.dumps(
        {
            "product_id": "accident-guardian",
            "plan": "standard",
            "age": 36,
            "gender": "M",
            "term": "1Y",
            "occupation_class": 1,
            "options": [],
        }
    ).encode()
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 40]), body[i : i + 40]) for i in range(0, len(body), 40)
    )
    answer = raw(
        platform.port,
        b"POST /api/quotes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n",
        "POST",
    )
    assert answer.status == 201, answer.body
    assert answer.json()["product_id"] == "accident-guardian"


# ---------- 3. a burst of connections ----------
def test_given_200_concurrent_connections_at_once_then_each_gets_an_http_answer(platform):
    targets = ["/api/products", "/api/categories", "/", "/assets/app.css", "/assets/api.js"]
    start = threading.Barrier(200)
    statuses: dict[int, object] = {}

    def one(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", platform.port, timeout=120)
        try:
            start.wait(timeout=60)
            connection.request("GET", targets[i % len(targets)])
            response = connection.getresponse()
            response.read()
            statuses[i] = response.status
        except Exception as exc:  # noqa: BLE001 - the failure is the finding
            statuses[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    failures = {i: s for i, s in statuses.items() if s != 200}
    assert len(statuses) == 200 and not failures, failures


# ---------- 4. any exception is a 500 JSON answer with the request id in the log ----------
def _boom(*_args, **_kwargs):
    raise RuntimeError("provoked failure")


@pytest.mark.parametrize(
    ("where", "target"),
    [
        ("static", "/index.html"),
        ("api", "/api/products"),
        ("control", "/local/explode"),
        ("s3", "/local/s3/{bucket}/policies/x.pdf"),
        ("request parsing", "/"),
    ],
)
def test_given_an_exception_anywhere_in_the_gateway_then_500_json_with_the_request_id_logged(
    platform, monkeypatch, caplog, where, target
):
    if where == "static":
        monkeypatch.setattr(gateway_module.mimetypes, "guess_type", _boom)
    elif where == "api":
        monkeypatch.setattr(platform.gateway.runtime, "invoke", _boom)
    elif where == "control":
        monkeypatch.setitem(platform.gateway.controls, "explode", _boom)
    elif where == "s3":
        monkeypatch.setattr(requests, "get", _boom)
    else:
        monkeypatch.setattr(gateway_module._RequestHandler, "parse_request", _boom)
    with caplog.at_level("ERROR", logger="local.gateway"):
        answer = ask(platform.port, "GET", target.format(bucket=documents_bucket(platform)))
    assert answer.status == 500
    error = answer.json()["error"]
    request_id = assert_request_id(answer)
    assert error["code"] == "internal" and error["request_id"] == request_id and error["message"]
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)
    monkeypatch.undo()
    assert ask(platform.port, "GET", target.format(bucket=documents_bucket(platform))).status != 500


def test_given_an_api_request_then_the_function_sees_the_request_id_the_client_gets(platform, monkeypatch):
    seen: list[str] = []
    original = platform.gateway.runtime.invoke

    def recording_invoke(function, event):
        seen.append(event["requestContext"]["requestId"])
        return original(function, event)

    monkeypatch.setattr(platform.gateway.runtime, "invoke", recording_invoke)
    first, second = (ask(platform.port, "GET", "/api/categories") for _ in range(2))
    assert seen == [assert_request_id(first), assert_request_id(second)]
    assert seen[0] != seen[1]


@pytest.mark.parametrize(
    "proxy_answer",
    [None, "text", {"statusCode": "abc"}, {"statusCode": 200, "body": {"a": 1}}, {"statusCode": 99}],
    ids=["none", "a string", "status not a number", "body not a string", "status out of range"],
)
def test_given_a_malformed_lambda_proxy_answer_then_502_as_api_gateway(platform, monkeypatch, proxy_answer):
    monkeypatch.setattr(platform.gateway.runtime, "invoke", lambda _f, _e: (proxy_answer, None))
    answer = ask(platform.port, "GET", "/api/categories")
    assert answer.status == 502
    assert answer.json() == {"message": "Internal server error"}
    assert_request_id(answer)


# ---------- 5. static validators, 304 and HEAD ----------
def test_given_a_static_file_then_a_strong_etag_and_last_modified_and_304_on_revalidation(platform):
    first = ask(platform.port, "GET", "/assets/api.js")
    assert first.status == 200 and first.body == (ROOT / "storefront_static/assets/api.js").read_bytes()
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "no-cache"
    for validators in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
    ):
        again = ask(platform.port, "GET", "/assets/api.js", validators)
        assert again.status == 304, validators
        assert again.body == b"" and "Content-Length" not in again.headers
        assert again.headers["ETag"] == etag
        assert_request_id(again)
    for stale in (
        {"If-None-Match": '"something-else"'},
        {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        {"If-None-Match": '"x"', "If-Modified-Since": modified},
        {"If-Modified-Since": "not a date"},
    ):
        assert ask(platform.port, "GET", "/assets/api.js", stale).status == 200, stale


def test_given_a_gzip_client_then_the_compressed_file_has_its_own_etag_and_revalidates(platform):
    plain = ask(platform.port, "GET", "/assets/app.css")
    zipped = ask(platform.port, "GET", "/assets/app.css", {"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.body) == plain.body
    assert zipped.headers["Vary"] == plain.headers["Vary"] == "Accept-Encoding"
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    revalidated = ask(
        platform.port,
        "GET",
        "/assets/app.css",
        {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )
    assert revalidated.status == 304
    refused = ask(platform.port, "GET", "/assets/app.css", {"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.body == plain.body


@pytest.mark.parametrize(
    "target", ["/assets/app.css", "/", "/api/products", "/api/products/accident-guardian"]
)
def test_given_head_then_the_get_answer_without_its_body(platform, target):
    connection = http.client.HTTPConnection("127.0.0.1", platform.port, timeout=30)
    try:
        connection.request("GET", target)
        got = connection.getresponse()
        got_body = got.read()
        connection.request("HEAD", target)
        head = connection.getresponse()
        assert head.read() == b""
        # The same connection still parses: no body bytes followed the HEAD answer.
        connection.request("GET", target)
        again = connection.getresponse()
        assert again.read() == got_body
    finally:
        connection.close()
    assert got.status == head.status == 200
    assert head.getheader("Content-Length") == str(len(got_body))
    assert head.getheader("Content-Type") == got.getheader("Content-Type")


def test_given_head_on_a_post_only_api_route_then_405_with_allow(platform):
    answer = ask(platform.port, "HEAD", "/api/quotes")
    assert answer.status == 405 and answer.headers["Allow"] == "OPTIONS, POST" and answer.body == b""


# ---------- 6. Content-Type and compression of API answers ----------
def _parameterless_get_routes() -> list[str]:
    return sorted({r.path for r in Template().routes() if r.method == "GET" and "{" not in r.path})


@pytest.mark.parametrize("path", _parameterless_get_routes())
def test_given_any_parameterless_get_route_then_a_json_content_type(platform, path):
    answer = ask(platform.port, "GET", f"/api{path}")
    assert answer.status < 500, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    json.loads(answer.body)
    assert_request_id(answer)


def test_given_a_function_that_sets_its_own_content_type_then_it_wins(platform, monkeypatch):
    monkeypatch.setattr(
        platform.gateway.runtime,
        "invoke",
        lambda _f, _e: (
            {
                "statusCode": 200,
                "headers": {"content-type": "text/csv"},
                "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
                "body": "a,b\n1,2\n",
            },
            None,
        ),
    )
    answer = ask(platform.port, "GET", "/api/categories")
    assert answer.headers.get_all("Content-Type") == ["text/csv"]
    assert answer.headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert answer.body == b"a,b\n1,2\n"


def test_given_minimum_compression_size_then_large_api_answers_are_gzipped_for_gzip_clients(platform):
    minimum = Template().rest_api().minimum_compression_size
    assert minimum is not None and platform.gateway.rest_api.minimum_compression_size == minimum
    plain = ask(platform.port, "GET", "/api/products")
    assert len(plain.body) >= minimum, "the catalog listing must be large enough to test compression"
    assert "Content-Encoding" not in plain.headers and plain.headers["Vary"] == "Accept-Encoding"
    zipped = ask(platform.port, "GET", "/api/products", {"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Content-Type"] == "application/json"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert int(zipped.headers["Content-Length"]) == len(zipped.body) < len(plain.body)
    assert json.loads(gzip.decompress(zipped.body)) == json.loads(plain.body)
    assert (
        "Content-Encoding"
        not in ask(platform.port, "GET", "/api/products", {"Accept-Encoding": "gzip;q=0"}).headers
    )


def test_given_a_small_api_answer_then_it_is_not_compressed_even_for_a_gzip_client(platform):
    minimum = platform.gateway.rest_api.minimum_compression_size
    answer = ask(platform.port, "GET", "/api/catalog/health", {"Accept-Encoding": "gzip"})
    assert answer.status == 200 and len(answer.body) < minimum
    assert "Content-Encoding" not in answer.headers and "Vary" not in answer.headers
    assert answer.headers["Content-Type"] == "application/json"


def test_given_no_minimum_compression_size_then_the_gateway_never_compresses(tmp_path, platform):
    raw_template = Path(ROOT / "infra" / "template.yaml").read_text()
    assert "MinimumCompressionSize: 1024" in raw_template
    copy = tmp_path / "template.yaml"
    copy.write_text(raw_template.replace("MinimumCompressionSize: 1024", ""))
    template = Template(path=copy)
    assert template.rest_api().minimum_compression_size is None
    local = Gateway(template.routes(), platform.aws.runtime, rest_api=template.rest_api())
    port = local.start("127.0.0.1", 0)
    try:
        answer = ask(port, "GET", "/api/products", {"Accept-Encoding": "gzip"})
    finally:
        local.stop()
    assert answer.status == 200 and "Content-Encoding" not in answer.headers
    assert answer.headers["Content-Type"] == "application/json"
