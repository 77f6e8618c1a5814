"""Real-time plumbing: the only caller of socketio.emit; pushes leave only after commit.

Namespaces authenticate at connect with the same bearer token as the API
(`auth={"token": ...}`); room names come only from the helpers here.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from pos_app.auth.actor import Actor
from pos_app.auth.tokens import resolve_token
from pos_app.db import unit_of_work
from pos_app.errors import PosError
from pos_app.extensions import socketio


def station_room(station_id: int) -> str:
    """The room of one station's screens."""
    return f"station:{station_id}"


def floor_room(floor_id: int) -> str:
    """The room of the handhelds looking at one floor."""
    return f"floor:{floor_id}"


TILL_ROOM = "till"  # cashiers' and managers' devices: every order's changes, any floor or type


def staff_room(staff_id: int) -> str:
    """The room of one staff member's devices."""
    return f"staff:{staff_id}"


def push_after_commit(session: Session, namespace: str, room: str, name: str, payload) -> None:
    """Queue a push on the session; it is sent only if the transaction commits."""
    session.info.setdefault("pos_pushes", []).append((namespace, room, name, payload))


@event.listens_for(Session, "after_commit")
def _send_pushes(session: Session) -> None:
    for namespace, room, name, payload in session.info.pop("pos_pushes", []):
        socketio.emit(name, payload, to=room, namespace=namespace)


@event.listens_for(Session, "after_rollback")
def _drop_pushes(session: Session) -> None:
    session.info.pop("pos_pushes", None)


def authenticate_socket(auth, allowed_roles) -> Actor:
    """The Actor of a connecting socket; raises ConnectionRefusedError with the error envelope."""
    token = auth.get("token") if isinstance(auth, dict) else None
    try:
        with unit_of_work(write=False) as session:
            actor, _ = resolve_token(session, token)
        if actor.role not in allowed_roles:
            raise PosError("this screen is not for your role", code="forbidden_role")
    except PosError as err:
        current_app.logger.info("socket refused: %s", err.message)
        raise ConnectionRefusedError(err.message, err.envelope()) from err
    return actor


def socket_command(roles, schema=None):
    """Wrap a namespace's `on_<command>`: fresh token check, role, body schema, one transaction,
    and an ack `{"ok": true, ...}` or `{"ok": false, "error": {...}}`."""
    from functools import wraps

    from flask import session as socket_session
    from marshmallow import ValidationError

    from pos_app.errors import Forbidden, ValidationFailed

    allowed = frozenset(roles)

    def decorate(handler):
        @wraps(handler)
        def command(self, data=None):
            try:
                with unit_of_work() as session:
                    actor, _ = resolve_token(session, socket_session.get("socket_token"))
                    if actor.role not in allowed:
                        raise Forbidden(
                            f"your role ({actor.role.value}) may not do this", code="forbidden_role"
                        )
                    body = data if isinstance(data, dict) else {}
                    if schema is not None:
                        try:
                            body = schema().load(body)
                        except ValidationError as err:
                            raise ValidationFailed(
                                "some fields are not valid", err.messages
                            ) from err
                    result = handler(self, session, actor, body)
                return {"ok": True, **(result or {})}
            except PosError as err:
                return {"ok": False, **err.envelope()}

        return command

    return decorate


def remember_socket_token(auth) -> None:
    """Keep the connect-time token with the connection; every command re-checks it."""
    from flask import session as socket_session

    socket_session["socket_token"] = auth.get("token") if isinstance(auth, dict) else None
