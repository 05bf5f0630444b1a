"""Payment webhook signatures.

Header value: "t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=<hex>...]", where the HMAC is taken
over f"{t}.".encode() + raw_body with the shared secret. The timestamp is signed so a captured
request cannot be replayed outside the tolerance window. Several v1 values (and several local
secrets) are accepted so a secret can be rotated without dropping webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

_HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class SignatureError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sign(secret: bytes | Iterable[bytes], body: bytes, timestamp: int) -> str:
    """The signature header value; pass several secrets during a rotation to get one v1 per secret."""
    parts = [f"t={int(timestamp)}"]
    parts += [f"v1={_digest(key, body, int(timestamp))}" for key in _secrets(secret)]
    return ",".join(parts)


def verify(
    secret: bytes | Iterable[bytes],
    body: bytes,
    header: str | None,
    now: int,
    tolerance_seconds: int = 300,
) -> None:
    """Raise SignatureError unless some v1 value matches some secret and t is within tolerance.

    body must be the raw request body exactly as received (not re-serialised JSON).
    """
    if header is None or not header.strip():
        raise SignatureError("missing signature")
    timestamp, signatures = _parse(header)
    if abs(int(now) - timestamp) > tolerance_seconds:
        raise SignatureError("stale timestamp")
    expected = [_digest(key, body, timestamp) for key in _secrets(secret)]
    # Check every pair without stopping early; compare_digest keeps each comparison constant-time.
    matched = False
    for candidate in signatures:
        for digest in expected:
            matched |= hmac.compare_digest(candidate, digest)
    if not matched:
        raise SignatureError("signature mismatch")


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed signature")
        if key == "t":
            if timestamp is not None or not value.isdigit():
                raise SignatureError("malformed signature")
            timestamp = int(value)
        elif key == "v1":
            value = value.lower()
            if not _HEX_DIGEST.match(value):
                raise SignatureError("malformed signature")
            signatures.append(value)
        # Other schemes (v0, future v2) are ignored, as senders may add them.
    if timestamp is None or not signatures:
        raise SignatureError("malformed signature")
    return timestamp, signatures


def _digest(secret: bytes, body: bytes, timestamp: int) -> str:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _secrets(secret: bytes | Iterable[bytes]) -> list[bytes]:
    keys = [secret] if isinstance(secret, (bytes, bytearray)) else list(secret)
    if not keys or not all(isinstance(key, (bytes, bytearray)) and key for key in keys):
        raise ValueError("webhook secret must be non-empty bytes")
    return [bytes(key) for key in keys]
