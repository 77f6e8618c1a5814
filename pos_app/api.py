"""The /api/v1 surface: one way to declare an endpoint (roles, body, docs) and run it.

Every endpoint is added with `Api.add()`, which wires the route on the app, authenticates the
bearer token, checks the role, loads the body with its marshmallow schema, runs the handler in
one transaction and records the endpoint for the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BaseConverter, IntegerConverter

from pos_app import idempotency, inputs
from pos_app.auth.actor import Actor, require_strong
from pos_app.auth.models import Role
from pos_app.auth.tokens import resolve_token
from pos_app.db import unit_of_work
from pos_app.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    ValidationFailed,
    database_refusal,
)

PREFIX = "/api/v1"
PUBLIC: frozenset = frozenset()  # no token needed


@dataclass
class Call:
    """What a handler gets: the session, the actor, the loaded body and query."""

    session: Session
    actor: Actor | None
    body: dict | None
    query: dict
    token: str | None = None


@dataclass
class Endpoint:
    """One documented endpoint."""

    rule: str
    method: str
    handler: Callable
    summary: str
    tag: str
    roles: frozenset
    body: type[Schema] | None = None
    partial: bool = False
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    strong_auth: bool = False
    description: str = ""
    errors: tuple[int, ...] = ()
    prefix: str = PREFIX
    html: bool = False  # a page, listed in the document but not served by Api
    media_type: str = "text/html"  # of such a page's answer (the service worker: JavaScript)
    # False where the answer holds a secret (a token, a TOTP seed): never kept for a replay.
    keeps_answers: bool = True

    @property
    def public(self) -> bool:
        return not self.roles

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


def authorize(actor: Actor, endpoint: Endpoint) -> None:
    """Raise Forbidden if the actor may not call the endpoint."""
    if actor.role not in endpoint.roles:
        allowed = ", ".join(sorted(r.value for r in endpoint.roles))
        raise Forbidden(
            f"your role ({actor.role.value}) may not do this; it needs one of: {allowed}",
            code="forbidden_role",
        )
    if endpoint.strong_auth:
        require_strong(actor)  # a password sign-in, or a PIN one confirmed by step-up


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
    data = inputs.parse_json(raw)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", code="invalid_json")
    inputs.check_value(data)
    return _load(schema, data, partial)


def load_query(schema: type[Schema]) -> dict:
    """The query string loaded with `schema`; 422 with field messages."""
    args = request.args.to_dict()
    inputs.check_value(args)
    return _load(schema, args, False)


def _load(schema: type[Schema], data, partial: bool) -> dict:
    try:
        return schema(partial=partial).load(data)
    except ValidationError as err:
        fields = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        names = ", ".join(sorted(fields))
        raise ValidationFailed(f"some fields are not valid: {names}", fields) from err


def _view(endpoint: Endpoint):
    def view(**path):
        try:
            result = _run(endpoint, path)
        except (DataError, IntegrityError, StaleDataError) as err:
            if isinstance(err, DataError):
                current_app.logger.warning("database refused a value: %s", err.orig)
            raise database_refusal(err) from err
        return _respond(result, endpoint.status)

    view.__name__ = endpoint.handler.__name__
    view.__doc__ = endpoint.handler.__doc__
    return view


def _run(endpoint: Endpoint, path: dict):
    """Authenticate, replay or run the handler, keep its answer: one transaction."""
    token = bearer_token()
    key = request.headers.get("Idempotency-Key") if endpoint.method != "GET" else None
    with unit_of_work(write=endpoint.method != "GET") as session:
        actor = None
        if not endpoint.public:
            actor, _ = resolve_token(session, token)
            authorize(actor, endpoint)
        inputs.check_value(path)
        body = load_json_body(endpoint.body, endpoint.partial) if endpoint.body else None
        query = load_query(endpoint.query) if endpoint.query else {}
        # Only a signed-in caller's key is kept, and only where the answer holds no secret.
        keep = bool(key) and actor is not None and endpoint.keeps_answers
        if keep:
            print_ = idempotency.fingerprint(request.method, request.path, _raw_body())
            earlier = idempotency.stored_answer(
                session, actor.staff_id, idempotency.check_key(key), print_
            )
            if earlier is not None:
                return earlier
        result = endpoint.handler(Call(session, actor, body, query, token), **path)
        if keep and not isinstance(result, Response):
            payload, status = result if isinstance(result, tuple) else (result, endpoint.status)
            idempotency.store_answer(
                session, actor.staff_id, key, print_, request.method, request.path, status, payload
            )
    return result


def _raw_body():
    """The parsed JSON body for the fingerprint (already checked), or None."""
    if not request.get_data(cache=True):
        return None
    return inputs.parse_json(request.get_data(cache=True)) if request.is_json else None


def _respond(result, status: int):
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        result, status = result
    if status == 204:
        return Response(status=204)
    return jsonify(result), status


def items(rows: Iterable) -> dict:
    """The list envelope: {"items": [...]}."""
    return {"items": list(rows)}
