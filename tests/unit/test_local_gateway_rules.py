"""The local gateway's pure rules: which codings a client accepts, which bucket names may become a
host, and the REST API settings it reads from the template."""

from __future__ import annotations

import pytest

from local.gateway import accepts, is_local_bucket_name
from local.template import TEMPLATE_PATH, Template


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP", True),
        ("deflate;q=1, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, identity", False),
        ("identity", False),
        ("", False),
        ("*", True),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("gzip;q=nonsense", False),
        ("br", False),
    ],
)
def test_given_an_accept_encoding_header_then_gzip_is_accepted_only_when_it_admits_it(header, expected):
    assert accepts(header, "gzip") is expected


LOCAL = {"insuremall-local-policydocumentsbucket", "insuremall-local-reportsbucket"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("insuremall-local-policydocumentsbucket", True),
        ("insuremall-local-reportsbucket", True),
        ("another-valid-bucket", False),  # a valid S3 name, but not a local bucket
        ("127.0.0.1:1234", False),
        ("..%2f", False),
        ("..", False),
        ("insuremall-local-reportsbucket.evil.example.com", False),
        ("INSUREMALL-LOCAL-REPORTSBUCKET", False),
        ("insuremall-local-reportsbucket\x00", False),
        ("", False),
    ],
)
def test_given_a_bucket_name_then_only_a_local_bucket_spelled_as_s3_allows_may_become_a_host(name, expected):
    assert is_local_bucket_name(name, LOCAL) is expected


def test_given_the_template_then_the_rest_api_settings_come_from_its_api_resource():
    api = Template().rest_api()
    assert api.logical_id == "Api"
    assert api.minimum_compression_size == 1024
    assert api.cors == {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "Content-Type,Authorization,Idempotency-Key,X-Signature",
        "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
    }
    assert (
        Template(parameter_overrides={"AllowedOrigin": "https://shop.example.cn"})
        .rest_api()
        .cors["Access-Control-Allow-Origin"]
        == "https://shop.example.cn"
    )


@pytest.mark.parametrize("size", ["-1", "10485761"])
def test_given_a_minimum_compression_size_api_gateway_refuses_then_the_template_reader_refuses_it(
    tmp_path, size
):
    text = TEMPLATE_PATH.read_text().replace(
        "MinimumCompressionSize: 1024", f"MinimumCompressionSize: {size}"
    )
    copy = tmp_path / "template.yaml"
    copy.write_text(text)
    with pytest.raises(ValueError, match="MinimumCompressionSize"):
        Template(path=copy).rest_api()
