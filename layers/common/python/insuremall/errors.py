"""The failures domain, use-case and store code raise: plain exceptions that know nothing of HTTP.

Each carries a stable `code` and a message a user can read (and, for Invalid, the fields at fault).
insuremall.web holds the one table that turns each base class into a status and a JSON body.
"""

from __future__ import annotations

from typing import Any


class Failure(Exception):
    """Something the caller asked for cannot be done; the message says why, in words for them."""

    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class Malformed(Failure):
    """The request itself cannot be read (a header or code of the wrong form)."""

    code = "bad_request"


class Unauthenticated(Failure):
    """Nobody we know is asking (no token, a forged or expired one)."""

    code = "unauthorized"


class Forbidden(Failure):
    """The caller is known but may not do this."""

    code = "forbidden"


class NotFound(Failure):
    code = "not_found"


class Conflict(Failure):
    """The thing exists but is in a state that does not allow this (or another request won the race)."""

    code = "conflict"


class Expired(Failure):
    """It existed, and its time is over (a quote past its lock, a link past its date)."""

    code = "gone"


class TooLarge(Failure):
    code = "too_large"


class UnsupportedMediaType(Failure):
    code = "unsupported_media_type"


class Invalid(Failure):
    """Some fields are not valid; `fields` maps each to what is wrong with it."""

    code = "validation_failed"

    def __init__(self, fields: dict[str, str], message: str = "Some fields are not valid"):
        super().__init__(message, fields)


def check(problems: dict[str, str], message: str = "Some fields are not valid") -> None:
    """Raise Invalid if a domain check found problems: the one way a rule's findings become a failure."""
    if problems:
        raise Invalid(problems, message)


class TransientError(Exception):
    """A failure worth retrying (state-machine tasks retry on this name)."""
