"""The OpenAPI 3 document, built from the endpoints declared with `Api.add` (no I/O)."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import INCLUDE, Schema, fields

from pos_app.api import Api, DeviceUUIDConverter, Endpoint

_STATUS_TEXT = {
    400: "bad request: the body is not a JSON object",
    401: "no token, or an invalid, expired or revoked one",
    403: "the role may not do this",
    404: "no such thing (in the path, or a thing the body refers to)",
    409: "conflicts with what is saved (duplicate, stale_version, integrity_error)",
    413: "the body is too large",
    422: "a field, query parameter, path value or Idempotency-Key is not valid; `fields` says "
    "which and why",
    429: "too many tries; see Retry-After",
}
# What a page may answer besides itself: a redirect to sign in (or onwards after a form), a
# form refused (400, CSRF), wrong credentials (401), a role that may not see it (403), too many
# tries (429). Pages answer HTML; a few errors come as the JSON envelope.
_PAGE_STATUS_TEXT = {
    400: "the form expired or is incomplete",
    401: "wrong credentials, or a device link that is not valid",
    403: "the role may not see this page",
    404: "no such page",
    429: "too many tries; see Retry-After",
}
# Success statuses besides the endpoint's own, by handler: what the answer means then.
_ALSO_OK = {"create_order": (200, "a retry with an order id already saved: the order as it is")}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "8 to 80 visible ASCII characters (empty: no key); retrying with the same "
    "key answers the first result",
    "schema": {"type": "string", "pattern": "^([!-~]{8,80})?$"},
}


ERROR_CODES = (
    "bad_request, invalid_json (400); token_missing, token_invalid, token_revoked, "
    "token_expired, staff_inactive, wrong_credentials, otp_required (401); forbidden_role, "
    "strong_auth_required (403); not_found (404); method_not_allowed (405); conflict, "
    "duplicate, stale_version (with `current`), integrity_error (a concurrent or duplicate "
    "write), order_closed, order_paid, table_taken (409); request_entity_too_large (413); "
    "validation_failed, idempotency_key_reused, value_out_of_range (422); rate_limited (429); "
    "internal_error (500). Endpoints add their own (docs/api.md)."
)


class ErrorDetailSchema(Schema):
    """The inside of the error envelope."""

    class Meta:
        unknown = INCLUDE  # a 409 may carry more, e.g. `current`

    code = fields.String(
        required=True, metadata={"description": "machine-readable: " + ERROR_CODES}
    )
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", metadata={"description": "field -> messages"})
    current = fields.Dict(
        metadata={"description": "on 409 stale_version and order_closed: the thing as it is now"}
    )


class ErrorSchema(Schema):
    """The one error envelope of every endpoint."""

    error = fields.Nested(ErrorDetailSchema, required=True)


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def convert(match):
        kind, name = match.group(1), match.group(2)
        if kind == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
        elif kind == "uuid":
            pattern = f"^{DeviceUUIDConverter.regex}$"
            schema = {"type": "string", "format": "uuid", "pattern": pattern}
        else:  # any text without a slash; an unknown value answers 404
            schema = {"type": "string", "minLength": 1}
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", convert, rule), params


def _operation(ep: Endpoint, version: str) -> dict:
    op: dict = {"summary": ep.summary, "tags": [ep.tag], "operationId": _operation_id(ep)}
    _, params = _path(ep.full_rule)
    if ep.html:
        if params:
            op["parameters"] = params
        op["security"] = []
        op["responses"] = _page_responses()
        if ep.media_type != "text/html":  # a script for the browser, or JSON, not a page
            kind = "object" if ep.media_type == "application/json" else "string"
            content = {ep.media_type: {"schema": {"type": kind}}}
            op["responses"] = {"200": {"description": ep.summary, "content": content}}
            if params:  # a file by name (a dish's photo): an unknown name is the 404 page
                op["responses"]["404"] = _page_responses()["404"]
        return op
    if ep.query:
        params.append({"in": "query", "schema": ep.query})
    if _takes_idempotency_key(ep):
        params.append(dict(IDEMPOTENCY_KEY))
    if params:
        op["parameters"] = params
    if ep.public:
        op["security"] = []
    else:
        allowed = ", ".join(sorted(r.value for r in ep.roles))
        op["description"] = f"Roles: {allowed}." + (
            " Needs a strong sign-in: email and password (and the two-factor code once"
            " enrolled), or a PIN sign-in confirmed with POST /auth/step-up within its"
            " window (POS_STEP_UP_SECONDS, 10 minutes by default)."
            if ep.strong_auth
            else ""
        )
        op["x-roles"] = sorted(r.value for r in ep.roles)
    if ep.body:
        body_schema = ep.body(partial=True) if ep.partial else ep.body
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body_schema}},
        }
    op["responses"] = _responses(ep)
    return op


def _responses(ep: Endpoint) -> dict:
    if ep.status == 204:
        ok = {"description": "done"}
    elif ep.response:
        schema = (
            {"type": "object", "properties": {"items": {"type": "array", "items": ep.response}}}
            if ep.many
            else ep.response
        )
        ok = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    elif ep.media_type not in ("text/html", "application/json"):  # a file: CSV, an image
        ok = {"description": "ok", "content": {ep.media_type: {"schema": {"type": "string"}}}}
    else:
        ok = {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}
    out = {str(ep.status): ok}
    if ep.handler is not None and ep.handler.__name__ in _ALSO_OK:
        status, meaning = _ALSO_OK[ep.handler.__name__]
        out[str(status)] = {**ok, "description": meaning}
    for code in sorted(_error_codes(ep)):
        out[str(code)] = {
            "description": _STATUS_TEXT[code],
            "content": {"application/json": {"schema": "Error"}},
        }
    return out


def _takes_idempotency_key(ep: Endpoint) -> bool:
    """Only commands of a signed-in caller whose answers may be kept read the header."""
    return ep.method != "GET" and not ep.public and ep.keeps_answers


def _error_codes(ep: Endpoint) -> set[int]:
    """Every error status the endpoint can answer (the envelope), by what it takes.

    Any signed-in call may meet 401/403 and a thing that is not there (404: in the path, or
    one the body or the service refers to); any command may conflict with what is saved (409:
    stale version, duplicate, integrity); a body, query, path value or Idempotency-Key that is
    not valid is 422.
    """
    codes = set(ep.errors)
    path_params = "{" in _path(ep.full_rule)[0]
    if _takes_idempotency_key(ep):
        codes.add(422)
    if not ep.public:
        codes |= {401, 403}
        if path_params or ep.method != "GET" or not ep.many:
            codes.add(404)  # lists alone never answer it
        if ep.method != "GET":
            codes.add(409)
    if ep.body:
        codes |= {400, 413, 422}
        if "approver_pin" in ep.body().fields:
            codes.add(429)  # wrong approval PINs count like failed logins
    if ep.query or path_params:
        codes.add(422)  # NUL and broken text anywhere are refused before any handler
    if path_params:
        codes.add(404)
    return codes


def _page_responses() -> dict:
    html = {"text/html": {"schema": {"type": "string"}}}
    out = {
        "200": {"description": "an HTML page", "content": html},
        "302": {
            "description": "to the sign-in page, or onwards after a form",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
    }
    for code, text in sorted(_PAGE_STATUS_TEXT.items()):
        content = {**html, "application/json": {"schema": "Error"}}
        out[str(code)] = {"description": text, "content": content}
    return out


def _operation_id(ep: Endpoint) -> str:
    name = ep.handler.__name__ if ep.handler else ep.summary
    return re.sub(r"\W+", "_", f"{ep.method.lower()}_{name}_{ep.full_rule}").strip("_")


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    return name + "Patch" if getattr(schema, "partial", False) else name


def build_openapi(api: Api, version: str) -> dict:
    """The whole OpenAPI 3.0 document of the app."""
    spec = APISpec(
        title="Restaurant POS branch server",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={
            "description": "Orders, kitchen, printers and back office of one branch. "
            "Authenticate with `Authorization: Bearer <token>` from "
            "POST /api/v1/auth/login."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.options["security"] = [{"bearer": []}]
    paths: dict[str, dict] = {}
    for ep in api.endpoints:
        path, _ = _path(ep.full_rule)
        paths.setdefault(path, {})[ep.method.lower()] = _operation(ep, version)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
