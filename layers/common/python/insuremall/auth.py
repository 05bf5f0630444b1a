"""Who is calling: a customer or operator (Cognito JWT, verified against the pool's JWKS).

Tokens are verified in the function rather than by an API Gateway authorizer so that the same
check runs locally and in AWS, and public routes can still read an optional caller.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from insuremall.config import get_settings
from insuremall.errors import Forbidden, Unauthenticated

_JWKS_REFRESH_MIN_SECONDS = 60


@dataclass(frozen=True)
class Caller:
    subject: str
    email: str | None
    groups: frozenset[str]

    @property
    def is_operator(self) -> bool:
        return get_settings().operator_group in self.groups


class _KeySet:
    """The pool's signing keys, fetched once per container and again only for an unknown kid."""

    def __init__(self) -> None:
        self._keys: dict[str, object] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key_for(self, kid: str):
        key = self._keys.get(kid)
        if key is None and time.monotonic() - self._fetched_at > _JWKS_REFRESH_MIN_SECONDS:
            self._refresh()
            key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("Token signed by an unknown key")
        return key

    def _refresh(self) -> None:
        import jwt
        import requests

        with self._lock:
            response = requests.get(get_settings().jwks_url, timeout=5)
            response.raise_for_status()
            keys = {}
            for jwk in response.json().get("keys", []):
                keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk).key
            self._keys = keys
            self._fetched_at = time.monotonic()

    def clear(self) -> None:
        self._keys, self._fetched_at = {}, 0.0


key_set = _KeySet()


def verify_token(token: str) -> Caller:
    import jwt

    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Unauthenticated("Malformed token") from exc
    if header.get("alg") != "RS256":
        raise Unauthenticated("Unsupported token algorithm")
    key = key_set.key_for(header.get("kid", ""))
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=["RS256"],
            issuer=settings.token_issuer,
            options={"verify_aud": False, "require": ["exp", "iss", "sub", "token_use"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("Token expired; sign in again") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("Invalid token") from exc
    # An id token names the client in aud, an access token in client_id.
    client = claims.get("aud") if claims["token_use"] == "id" else claims.get("client_id")  # noqa: S105
    if claims["token_use"] not in ("id", "access") or client != settings.user_pool_client_id:
        raise Unauthenticated("Token was not issued to this application")
    return Caller(
        subject=claims["sub"],
        email=claims.get("email"),
        groups=frozenset(claims.get("cognito:groups", [])),
    )


def _bearer(request) -> str | None:
    header = (request.headers or {}).get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'")
    return token.strip()


_CALLER_ATTRIBUTE = "_insuremall_caller"


def _verified(request, token: str) -> Caller:
    """The token's caller, verified once per request (the request contract checks it before the route)."""
    cached = getattr(request, _CALLER_ATTRIBUTE, None)
    if cached is not None and cached[0] == token:
        return cached[1]
    caller = verify_token(token)
    setattr(request, _CALLER_ATTRIBUTE, (token, caller))
    return caller


def customer(request) -> Caller:
    token = _bearer(request)
    if token is None:
        raise Unauthenticated("Sign in to continue")
    return _verified(request, token)


def optional_caller(request) -> Caller | None:
    token = _bearer(request)
    return _verified(request, token) if token else None


def operator(request) -> Caller:
    caller = customer(request)
    if not caller.is_operator:
        raise Forbidden("This needs the operator role")
    return caller
