"""Domain exceptions and their one mapping to the error envelope (HTTP) and error acks (sockets).

Envelope: {"error": {"code": "...", "message": "...", "fields": {...}}}.
"""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


class PosError(Exception):
    """Base of every error a client may see; `status` is the HTTP status code."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        fields: dict | None = None,
        code: str | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}  # more for the client, e.g. the current order on a 409
        if code:
            self.code = code

    def envelope(self) -> dict:
        """The error as the JSON body (or ack) a client gets."""
        error = {"code": self.code, "message": self.message, "fields": self.fields}
        return {"error": {**error, **self.extra}}


class BadRequest(PosError):
    status, code = 400, "bad_request"


class Unauthorized(PosError):
    status, code = 401, "unauthorized"


class Forbidden(PosError):
    status, code = 403, "forbidden"


class NotFound(PosError):
    status, code = 404, "not_found"


class Conflict(PosError):
    status, code = 409, "conflict"


class PayloadTooLarge(PosError):
    status, code = 413, "request_entity_too_large"


class ValidationFailed(PosError):
    status, code = 422, "validation_failed"


class InternalError(PosError):
    status, code = 500, "internal_error"


class RateLimited(PosError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def database_refusal(err: Exception) -> PosError | None:
    """The client's error for a write the database refused (the same over HTTP and sockets),
    or None when `err` is not one of those."""
    from sqlalchemy.exc import DataError, IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(err, StaleDataError):  # the guard behind the row locks lost a race
        return Conflict(
            "this was changed on another device meanwhile; load it again", code="stale_version"
        )
    if isinstance(err, IntegrityError):
        return Conflict("this conflicts with data already saved", code="integrity_error")
    if isinstance(err, DataError):
        return ValidationFailed(
            "a value is out of the range the database can store", code="value_out_of_range"
        )
    return None


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" or request.is_json


def error_response(err: PosError):
    """The envelope of `err` as a Flask response with its status and headers."""
    response = jsonify(err.envelope())
    response.status_code = err.status
    if isinstance(err, RateLimited):
        response.headers["Retry-After"] = str(err.retry_after)
    if isinstance(err, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="pos"'
    return response


def install_error_handlers(app: Flask) -> None:
    """Map PosError and HTTP errors to the envelope for API clients, a styled page for browsers."""
    from pos_app.error_pages import error_page

    @app.errorhandler(PosError)
    def _pos_error(err: PosError):
        if _wants_json():
            return error_response(err)
        response = app.make_response(error_page(err.status, getattr(err, "retry_after", None)))
        if isinstance(err, RateLimited):
            response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not _wants_json():
            if err.code is None or err.code < 400:  # a RequestRedirect and the like
                return err
            retry = getattr(err, "retry_after", None)
            retry = retry if isinstance(retry, int) else None
            response = app.make_response(
                error_page(err.code, retry, csrf=getattr(err, "csrf", False))
            )
            for name, value in err.get_headers():  # Allow on a 405, Retry-After on a 429
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        code = (err.name or "error").lower().replace(" ", "_")
        if err.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"]
            message = f"request body is larger than {limit} bytes"
        else:
            message = err.description or err.name
        response = jsonify({"error": {"code": code, "message": message, "fields": {}}})
        response.status_code = err.code or 500
        for name, value in err.get_headers():  # Allow on a 405, Retry-After, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if not _wants_json():
            return error_page(500)
        body = {"error": {"code": "internal_error", "message": "internal error", "fields": {}}}
        return jsonify(body), 500
