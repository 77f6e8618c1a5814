"""The one command runner behind HTTP and Socket.IO: who is asking, may they, what they sent,
a retry's stored answer, one transaction, one mapping of the database's refusals.

A transport reads nothing itself before the runner asks: the adapters (`pos_app/api.py` for
HTTP, `pos_app/socket_commands.py` for sockets) hand over the raw token and a `read` that
loads the rest once the role is checked (a 403 comes before the body is even read), and turn
the outcome (body, status) or the raised PosError into a response or an ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flask import Response
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pos_app import idempotency
from pos_app.auth.actor import Actor, require_strong
from pos_app.auth.tokens import actor_for
from pos_app.db import unit_of_work
from pos_app.errors import Forbidden, Unauthorized, ValidationFailed, database_refusal

log = logging.getLogger("pos.commands")


@dataclass(kw_only=True)
class Command:
    """What a caller may ask, whatever carries it: the handler, who may call it, its body."""

    handler: Callable  # handler(call, **address) -> body | (body, status) | Response (HTTP)
    roles: frozenset  # empty: public, no token needed
    body: type[Schema] | None = None
    partial: bool = False
    query: type[Schema] | None = None
    status: int = 200
    strong_auth: bool = False
    write: bool = True  # a writer's transaction; only writers keep answers under a key
    # False where the answer holds a secret (a token, a TOTP seed), or where a replay would
    # skip what the command does besides its answer (a socket joining a room).
    keeps_answers: bool = True
    # Begins in a read transaction; its handler calls db.begin_writing before it writes (a PIN
    # login checks argon2 without holding SQLite's write lock).
    reads_first: bool = False
    # prepare(session, actor, loaded) -> the handler's `call.prepared`: a slow check (a manager's
    # approval PIN through argon2, ~100 ms) run first in a read transaction of its own, after
    # the sign-in and the body were checked, so that SQLite's write lock, which every order
    # waits for, is not held meanwhile. The writer's transaction checks the caller again and
    # the handler must check again what may have changed in between.
    prepare: Callable | None = None

    @property
    def public(self) -> bool:
        return not self.roles


@dataclass
class Call:
    """What a handler gets: the session, the actor, the loaded body and query."""

    session: Session
    actor: Actor | None
    body: dict | None
    query: dict
    token: str | None = None
    prepared: object = None  # what Command.prepare found before the writer's transaction


@dataclass
class Loaded:
    """A request's parts, checked and loaded by its transport's adapter."""

    address: dict = field(default_factory=dict)  # the path's parameters (a socket's ids)
    body: dict | None = None
    query: dict = field(default_factory=dict)
    key: str | None = None  # the idempotency key, if the caller sent one
    # The raw body for the key's fingerprint: read only when a key is used.
    print_body: Callable[[], object] = lambda: None
    key_name: str = "Idempotency-Key"  # as the caller sent it, for a 422 naming it
    path: str | None = None  # the fingerprint's path, when only reading found it


@dataclass
class Asked:
    """One call as a transport delivered it."""

    token: str | None
    method: str  # HTTP's, or the HTTP twin's for a socket command: a key's fingerprint
    path: str
    read: Callable[[Command], Loaded]  # called once the caller may run the command
    on_login_gone: Callable[[Unauthorized], None] | None = None


def run(command: Command, asked: Asked) -> tuple[object, int]:
    """(body, status) of the command, run in one transaction; a retry with the same key
    gets the stored answer. Raises PosError (the database's refusals mapped here, once)."""
    try:
        prepared = None
        if command.prepare is not None:
            with unit_of_work(write=False) as session:
                actor = _actor(session, command, asked)
                loaded = asked.read(command)
                prepared = command.prepare(session, actor, loaded)
            asked = replace(asked, read=lambda _command: loaded)  # read once
        with unit_of_work(write=command.write and not command.reads_first) as session:
            actor = None if command.public else _actor(session, command, asked)
            loaded = asked.read(command)
            return _answer(session, command, asked, actor, loaded, prepared)
    except (DataError, IntegrityError, StaleDataError) as err:
        if isinstance(err, DataError):
            log.warning("database refused a value in %s %s: %s", asked.method, asked.path, err.orig)
        raise database_refusal(err) from err


def _actor(session: Session, command: Command, asked: Asked) -> Actor:
    try:
        actor = actor_for(session, asked.token)
    except Unauthorized as err:
        if asked.on_login_gone is not None:
            asked.on_login_gone(err)
        raise
    authorize(actor, command)
    return actor


def _answer(session, command: Command, asked: Asked, actor, loaded: Loaded, prepared=None):
    # Only a signed-in caller's key is kept, and only where the answer holds no secret.
    keep = bool(loaded.key) and actor is not None and command.write and command.keeps_answers
    path = loaded.path or asked.path
    if keep:
        key = idempotency.check_key(loaded.key, loaded.key_name)
        print_ = idempotency.fingerprint(asked.method, path, loaded.print_body())
        earlier = idempotency.stored_answer(session, actor.staff_id, key, print_, loaded.key_name)
        if earlier is not None:
            return earlier
    call = Call(session, actor, loaded.body, loaded.query, asked.token, prepared)
    result = command.handler(call, **loaded.address)
    if isinstance(result, Response):
        return result, result.status_code
    body, status = result if isinstance(result, tuple) else (result, command.status)
    if keep:
        idempotency.store_answer(
            session, actor.staff_id, key, print_, asked.method, path, status, body
        )
    return body, status


def authorize(actor: Actor, command: Command) -> None:
    """Raise Forbidden if the actor may not run the command."""
    if actor.role not in command.roles:
        allowed = ", ".join(sorted(r.value for r in command.roles))
        raise Forbidden(
            f"your role ({actor.role.value}) may not do this; it needs one of: {allowed}",
            code="forbidden_role",
        )
    if command.strong_auth:
        require_strong(actor)  # a password sign-in, or a PIN one confirmed by step-up


def load(schema: type[Schema], data, partial: bool = False) -> dict:
    """`data` loaded with `schema`; 422 naming the fields that are not valid."""
    try:
        return schema(partial=partial).load(data)
    except ValidationError as err:
        raise invalid(err.messages) from err


def invalid(messages) -> ValidationFailed:
    """The 422 of marshmallow's messages (a dict by field, or a list for the whole body)."""
    fields = messages if isinstance(messages, dict) else {"_schema": messages}
    names = ", ".join(sorted(map(str, fields)))
    return ValidationFailed(f"some fields are not valid: {names}", fields)
