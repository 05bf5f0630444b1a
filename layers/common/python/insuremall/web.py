"""The HTTP edge every Chalice app shares: the one table from failures to status codes, the request
contract check, and JSON bodies.

Chalice answers any exception a view raises with its own 500 (only ChaliceUnhandledError reaches the
middleware), so `install` wraps each view as it is registered: a Failure becomes its JSON answer there,
and anything else is logged and answered 500 without internals.
"""

from __future__ import annotations

import functools
from typing import Any

from insuremall import errors

# The one table: the first base class (in this order) an exception is an instance of gives its status.
STATUS: tuple[tuple[type[errors.Failure], int], ...] = (
    (errors.Invalid, 422),
    (errors.Malformed, 400),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Expired, 410),
    (errors.TooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.Failure, 400),
)

_JSON = {"Content-Type": "application/json"}
_INTERNAL = {"error": {"code": "internal", "message": "Something went wrong on our side"}}


def status_of(failure: errors.Failure) -> int:
    return next(status for base, status in STATUS if isinstance(failure, base))


def error_response(failure: errors.Failure):
    from chalice import Response

    return Response(body=failure.body(), status_code=status_of(failure), headers=dict(_JSON))


def install(app, logger, authenticators: dict | None = None) -> None:
    """Answer failures as JSON on every route of a Chalice app (and its blueprints), and check every
    request against its route's contract (insuremall.contract) before the route runs.

    Call it before any route is declared. `authenticators` adds the app's own security schemes (e.g.
    the payment webhook's signature) to the built-in `customer` and `operator`, by their names in
    infra/openapi.yaml."""
    from chalice import Response

    from insuremall import contract

    schemes = {"customer": _customer, "operator": _operator, **(authenticators or {})}
    register_route = app._register_route

    def _register_answering_failures(name, user_handler, kwargs, **rest):
        register_route(name, _answering_failures(user_handler, logger), kwargs, **rest)

    app._register_route = _register_answering_failures

    @app.middleware("http")
    def _check_and_map(event, get_response):
        try:
            contract.check(event, schemes)
            _no_media_type_without_a_body(event)
            response = get_response(event)
        except errors.Failure as failure:
            return error_response(failure)
        except Exception:
            logger.exception("unhandled error")
            response = Response(body={}, status_code=500)
        if response.status_code == 415:
            # Chalice's own media-type check answers in its own shape ({"Code", "Message"}).
            return error_response(errors.UnsupportedMediaType("Send the request body as application/json"))
        if response.status_code >= 500:
            # Chalice already logged the traceback; never leak internals.
            return Response(body=_INTERNAL, status_code=500, headers=dict(_JSON))
        return response


def _answering_failures(view, logger):
    @functools.wraps(view)
    def answer(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except errors.Failure as failure:
            return error_response(failure)

    return answer


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
