"""The Socket.IO adapter of the command runner (pos_app/commands.py): namespaces' commands and
their acks.

A namespace's `on_<command>` is either the HTTP twin of an endpoint (`http_twin`): the same
Command, the rule's parameters taken from the data by name; or a command of the socket alone
(`socket_command`: joining a room). The runner checks the token kept at connect, the role, the
body and the key, and runs one transaction; the ack says what HTTP would:

    {"ok": true, "status": 201, "data": <the HTTP body>}
    {"ok": false, "status": 409, "error": {"code", "message", "fields", ...}}

`idempotency_key` in the data is the `Idempotency-Key` header: the same caller's key space,
fingerprint (method, HTTP path, body) and answers, so a retry may even change transport.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from flask import current_app, request
from flask import session as socket_session
from flask_socketio import Namespace
from marshmallow import Schema, ValidationError, fields

from pos_app import inputs
from pos_app.api import PREFIX
from pos_app.commands import Asked, Command, Loaded, invalid, run
from pos_app.errors import BadRequest, InternalError, NotFound, PosError
from pos_app.extensions import socketio
from pos_app.schemas import UUID, ref_field
from pos_app.socket_packets import UNREADABLE

log = logging.getLogger("pos.realtime")
KEY_FIELD = "idempotency_key"  # in a command's data: the HTTP Idempotency-Key header
ACK_FIRST_SECONDS = 0.2  # a socket refused by a command is dropped after its ack has left
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
_ADDRESS_FIELDS = {
    "int": lambda: ref_field(required=True),
    "uuid": lambda: fields.String(required=True, validate=UUID),
}
_NO_BODY = Schema.from_dict({}, name="NoBody")


class SocketCommand:
    """A namespace's `on_<command>`: runs its Command and always answers an ack."""

    def __init__(self, command: Command | None = None, twin: tuple[str, str] | None = None):
        self.command, self.twin = command, twin
        self.name = "?"
        self.address = _address_schema(twin[1]) if twin else _NO_BODY
        self.names = tuple(name for _kind, name in _PARAMETER.findall(twin[1])) if twin else ()

    def __set_name__(self, owner, name: str) -> None:
        self.name = name.removeprefix("on_")

    def __get__(self, namespace, owner=None):
        return self if namespace is None else partial(self.answer, namespace)

    def answer(self, namespace: Namespace, data=None, *extra) -> dict:
        """The ack of one command sent on `namespace`."""
        try:
            command, method, path = self._resolve(namespace)
            asked = Asked(
                socket_session.get("socket_token"),
                method,
                path,
                partial(self._read, data, extra),
                _drop_after_ack,
            )
            body, status = run(command, asked)
            return {"ok": True, "status": status, "data": body}
        except Exception as err:  # noqa: BLE001 - every command answers (rolled back)
            return error_ack(err, self.name)

    def _resolve(self, namespace: Namespace) -> tuple[Command, str, str]:
        if self.twin is None:
            return self.command, "SOCKET", f"{namespace.namespace}/{self.name}"
        method, rule = self.twin
        return current_app.extensions["pos_api"].find(method, rule), method, PREFIX + rule

    def _read(self, data, extra: tuple, command: Command) -> Loaded:
        data = command_data(data, extra)
        key = data.pop(KEY_FIELD, None)
        given = {name: data.pop(name) for name in self.names if name in data}
        errors: dict = {}
        address = _load(self.address, given, False, errors)
        body = _load(command.body or _NO_BODY, data, command.partial, errors)
        if errors:
            raise invalid(errors)
        path = None
        if self.twin:  # the HTTP path: a key's fingerprint is the same as over HTTP
            address = {name: _lower(value) for name, value in address.items()}
            path = PREFIX + _PARAMETER.sub(lambda m: str(address[m[2]]), self.twin[1])
        sent = data if (data or command.body) else None  # a body-less POST sends none
        return Loaded(
            address,
            body if command.body else None,
            key=key,
            print_body=lambda: sent,
            key_name=KEY_FIELD,
            path=path,
        )


def socket_command(command: Command) -> SocketCommand:
    """An `on_<command>` of the socket alone; its handler takes the call."""
    return SocketCommand(command=command)


def http_twin(method: str, rule: str) -> SocketCommand:
    """An `on_<command>` that is the endpoint at `method` PREFIX + `rule`: its roles, body,
    handler and answer; the rule's parameters (`<int:ticket_id>`) are fields of the data."""
    return SocketCommand(twin=(method, rule))


def _address_schema(rule: str) -> type[Schema]:
    names = {name: _ADDRESS_FIELDS[kind]() for kind, name in _PARAMETER.findall(rule)}
    return Schema.from_dict(names, name="Address")


def _load(schema: type[Schema], data: dict, partial_: bool, errors: dict) -> dict:
    try:
        return schema(partial=partial_).load(data)
    except ValidationError as err:
        errors.update(err.messages if isinstance(err.messages, dict) else {"_schema": err.messages})
        return {}


def _lower(value):
    return value.lower() if isinstance(value, str) else value  # a UUID, as the route gives it


def command_data(data, extra: tuple) -> dict:
    """A command's data, checked like an HTTP body (pos_app/inputs.py): one JSON object."""
    if extra:
        raise BadRequest("a command takes one JSON object", code="invalid_json")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadRequest("the command's data must be a JSON object", code="invalid_json")
    inputs.check_value(data)
    return dict(data)


def _drop_after_ack(_err) -> None:
    # The login went while the socket stayed (a drop lost with Redis down, an expiry not
    # swept yet): the command is refused, and the socket dropped once the ack has left.
    socketio.start_background_task(_drop_later, socketio.server, request.sid, _err.code)


def _drop_later(server, sid: str, code: str) -> None:
    server.sleep(ACK_FIRST_SECONDS)
    server.manager.drop_local(sid, code)  # every socket is alone in a room named by its sid


def error_ack(err: Exception, command: str) -> dict:
    """The ack of a failed command: a PosError's status and envelope (the database's refusals
    were mapped by the runner), anything else `internal_error` with its traceback logged."""
    if not isinstance(err, PosError):
        log.exception("socket command %s failed", command)
        err = InternalError("internal error: nothing was changed")
    return {"ok": False, "status": err.status, **err.envelope()}


def refusal_ack(error: PosError) -> dict:
    """An error ack made outside a command (unknown command, unreadable data)."""
    return {"ok": False, "status": error.status, **error.envelope()}


class CommandNamespace(Namespace):
    """A namespace of commands: whatever a client sends with an ack id gets an answer."""

    def trigger_event(self, event, *args):
        if event == "connect" and self._is_real_connect(args):
            return super().trigger_event(event, *args)
        if event == "disconnect" and hasattr(self, "on_disconnect"):
            return super().trigger_event(event, *args)
        if any(arg is UNREADABLE for arg in args):
            return refusal_ack(
                BadRequest("the data is nested too deeply to read", code="invalid_json")
            )
        if (
            not isinstance(event, str)
            or event in ("connect", "disconnect")  # sent as events: not a command
            or not callable(getattr(self, f"on_{event}", None))
        ):
            return refusal_ack(
                NotFound(f"no such command on {self.namespace}", code="unknown_command")
            )
        return super().trigger_event(event, *args)

    def _is_real_connect(self, args) -> bool:
        # python-socketio passes the connection's own environ; a client's event cannot.
        return len(args) >= 2 and args[1] is self.server.get_environ(args[0], self.namespace)
