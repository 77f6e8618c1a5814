"""The /api/v1 surface, the HTTP adapter of the command runner: one way to declare an
endpoint (roles, body, docs) and serve it.

Every endpoint is added with `Api.add()`, which wires the route on the app and records the
endpoint for the OpenAPI document. An endpoint is a `Command` (pos_app/commands.py) at a
route: the runner authenticates the bearer token, checks the role, has this module read the
body and the query, replays or keeps the answer of an `Idempotency-Key`, and runs the handler
in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, Response, current_app, jsonify, request
from marshmallow import Schema
from werkzeug.routing import BaseConverter, IntegerConverter

from pos_app import inputs
from pos_app.auth.models import Role
from pos_app.commands import Asked, Call, Command, Loaded, load, run
from pos_app.errors import BadRequest, PayloadTooLarge

__all__ = ["PUBLIC", "Api", "Call", "Endpoint", "items", "roles"]

PREFIX = "/api/v1"
PUBLIC: frozenset = frozenset()  # no token needed


@dataclass(kw_only=True)
class Endpoint(Command):
    """One documented endpoint: a command at a route."""

    rule: str
    method: str
    summary: str
    tag: str
    response: type[Schema] | None = None
    many: bool = False
    description: str = ""
    errors: tuple[int, ...] = ()
    prefix: str = PREFIX
    html: bool = False  # a page, listed in the document but not served by Api
    # the answer of a page (the service worker: JavaScript) or of a file endpoint (text/csv)
    media_type: str = "text/html"

    def __post_init__(self):
        self.write = self.method != "GET"

    @property
    def full_rule(self) -> str:
        return self.prefix + self.rule


class Api:
    """The registry of /api/v1 endpoints of one app."""

    def __init__(self, app: Flask):
        self.app = app
        self.endpoints: list[Endpoint] = []
        app.extensions["pos_api"] = self
        # Every route of the app, pages included: an id past the database's integer range or
        # an order id that is not a UUID matches no route (404) instead of reaching a query.
        app.url_map.converters["int"] = RowIdConverter
        app.url_map.converters["uuid"] = DeviceUUIDConverter

    def add(self, rule: str, method: str, handler: Callable, **options) -> Endpoint:
        """Declare an endpoint at PREFIX + rule; options are Endpoint fields."""
        if "summary" not in options:
            options["summary"] = (handler.__doc__ or handler.__name__).strip().splitlines()[0]
        endpoint = Endpoint(rule=rule, method=method, handler=handler, **options)
        self.endpoints.append(endpoint)
        name = f"api.{endpoint.tag}.{handler.__name__}.{method.lower()}"
        self.app.add_url_rule(
            endpoint.full_rule, endpoint=name, view_func=_view(endpoint), methods=[method]
        )
        return endpoint

    def find(self, method: str, rule: str) -> Endpoint:
        """The endpoint declared at `method` PREFIX + `rule` (a socket command's HTTP twin)."""
        for endpoint in self.endpoints:
            if (endpoint.method, endpoint.rule, endpoint.html) == (method, rule, False):
                return endpoint
        raise LookupError(f"no endpoint {method} {rule}")

    def document_page(
        self, rule: str, method: str, summary: str, media_type: str = "text/html"
    ) -> None:
        """List a browser page (served by a blueprint) in the OpenAPI document."""
        self.endpoints.append(
            Endpoint(
                rule=rule,
                method=method,
                handler=None,
                summary=summary,
                tag="pages",
                roles=PUBLIC,
                prefix="",
                html=True,
                media_type=media_type,
            )
        )


class RowIdConverter(IntegerConverter):
    """`<int:...>` in a route: 0 to 2^31 - 1, the range of every id column."""

    regex = inputs.number_pattern(2**31 - 1)  # a larger number matches no rule: 404, not 405

    def __init__(self, url_map, fixed_digits=0, min=0, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


class DeviceUUIDConverter(BaseConverter):
    """`<uuid:...>` in a route: a UUID as devices make them, given to the view lower-cased."""

    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def to_python(self, value: str) -> str:
        return value.lower()


def roles(*names: Role | str) -> frozenset:
    """A role set from names."""
    return frozenset(Role(n) for n in names)


def bearer_token() -> str | None:
    """The raw bearer token of the request, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def load_json_body(schema: type[Schema], partial: bool = False) -> dict:
    """The request's JSON object loaded with `schema`; 400, 413 or 422 with field messages."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"request body is larger than {limit} bytes")
    if not request.is_json:
        raise BadRequest(
            "the body must be JSON (Content-Type: application/json)", code="invalid_json"
        )
    raw = request.get_data(cache=True)
    if limit and request.content_length is None and len(raw) >= limit:
        # A chunked body has no length up front: Werkzeug stops reading at the limit and
        # hands over what it read, which would then fail as broken JSON (400).
        raise PayloadTooLarge(f"request body is larger than {limit} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRequest("the body is not valid JSON", code="invalid_json") from err
    data = inputs.parse_json(text)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", code="invalid_json")
    inputs.check_json(text, data)
    return load(schema, data, partial)


def load_query(schema: type[Schema]) -> dict:
    """The query string loaded with `schema`; 422 with field messages."""
    args = request.args.to_dict()
    inputs.check_value(args)
    return load(schema, args)


def _view(endpoint: Endpoint):
    def view(**path):
        return _respond(*run(endpoint, _asked(path)))

    view.__name__ = endpoint.handler.__name__
    view.__doc__ = endpoint.handler.__doc__
    return view


def _asked(path: dict) -> Asked:
    """The request as the runner takes it: the body is read only once the role is checked."""

    def read(command: Endpoint) -> Loaded:
        inputs.check_value(path)
        body = load_json_body(command.body, command.partial) if command.body else None
        query = load_query(command.query) if command.query else {}
        key = request.headers.get("Idempotency-Key") if command.write else None
        return Loaded(path, body, query, key, _raw_body)

    return Asked(bearer_token(), request.method, request.path, read)


def _raw_body():
    """The parsed JSON body for the fingerprint (already checked), or None."""
    if not request.get_data(cache=True):
        return None
    return inputs.parse_json(request.get_data(cache=True)) if request.is_json else None


def _respond(body, status: int):
    if isinstance(body, Response):
        return body
    if status == 204:
        return Response(status=204)
    return jsonify(body), status


def items(rows: Iterable) -> dict:
    """The list envelope: {"items": [...]}."""
    return {"items": list(rows)}
