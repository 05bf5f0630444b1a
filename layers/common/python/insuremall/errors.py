"""Domain errors and their HTTP form, in one place.

Every 4xx answer has the body {"error": {"code", "message", "fields"?}}; anything unexpected is
logged with the request id and answered 500 without internals.
"""

from __future__ import annotations

from typing import Any

from chalice.app import ChaliceUnhandledError


class DomainError(ChaliceUnhandledError):
    """Raised by routes; Chalice lets ChaliceUnhandledError through to the middleware below."""

    status = 400
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


class BadRequest(DomainError):
    status, code = 400, "bad_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class Gone(DomainError):
    status, code = 410, "gone"


class ValidationFailed(DomainError):
    status, code = 422, "validation_failed"

    def __init__(self, fields: dict[str, str], message: str = "Some fields are not valid"):
        super().__init__(message, fields)


class TransientError(Exception):
    """A failure worth retrying (state-machine tasks retry on this name)."""


def error_response(exc: DomainError):
    from chalice import Response

    return Response(body=exc.body(), status_code=exc.status, headers={"Content-Type": "application/json"})


def install(app, logger, authenticators: dict | None = None) -> None:
    """Map domain errors to JSON responses for every route of a Chalice app (and its blueprints), and
    check every request against its route's contract (insuremall.contract) before the route runs.

    `authenticators` adds the app's own security schemes (e.g. the payment webhook's signature) to
    the built-in `customer` and `operator`, by their names in infra/openapi.yaml."""
    from chalice import Response

    from insuremall import contract

    schemes = {"customer": _customer, "operator": _operator, **(authenticators or {})}

    @app.middleware("http")
    def _map_errors(event, get_response):
        try:
            contract.check(event, schemes)
            _no_media_type_without_a_body(event)
            response = get_response(event)
        except DomainError as exc:
            return error_response(exc)
        except Exception:
            logger.exception("unhandled error")
            response = Response(body={}, status_code=500)
        if response.status_code == 415:
            # Chalice's own media-type check answers in its own shape ({"Code", "Message"}).
            return error_response(contract.UnsupportedMediaType("Send the request body as application/json"))
        if response.status_code >= 500:
            # Chalice already logged the traceback; never leak internals.
            return Response(
                body={"error": {"code": "internal", "message": "Something went wrong on our side"}},
                status_code=500,
                headers={"Content-Type": "application/json"},
            )
        return response


def _no_media_type_without_a_body(request) -> None:
    """A request without a body has no media type to refuse: Chalice would answer a GET whose client
    sent, say, `Content-Type: text/plain` with 415, before the route or its caller were looked at."""
    from chalice.app import CaseInsensitiveMapping

    if "content-type" in request.headers and not (request.raw_body or b"").strip():
        request.headers = CaseInsensitiveMapping(
            {name: value for name, value in request.headers.items() if name != "content-type"}
        )


def _customer(request) -> None:
    from insuremall import auth

    auth.customer(request)


def _operator(request) -> None:
    from insuremall import auth

    auth.operator(request)


def json_object(request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 `invalid_json` that says why not.

    The middleware has usually parsed and checked it already (insuremall.contract); this returns
    that same object."""
    from insuremall import contract

    return contract.json_object(request)
