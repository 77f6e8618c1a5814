"""Real-time plumbing: the only caller of socketio.emit; pushes and drops leave only after commit.

Namespaces authenticate at connect with the same bearer token as the API
(`auth={"token": ...}`); every command checks it again through the command runner
(pos_app/socket_commands.py). A revoked token's sockets are dropped right after the revoking
commit, in every process (pos_app/socket_clients.py). Namespace and room names come only from
pos_app/rooms.py.
"""

from __future__ import annotations

import logging

from flask import request
from flask import session as socket_session
from flask_socketio import ConnectionRefusedError, join_room
from sqlalchemy.orm import Session

from pos_app import inputs
from pos_app.auth.actor import Actor
from pos_app.auth.tokens import resolve_token
from pos_app.db import unit_of_work
from pos_app.errors import BadRequest, Forbidden, PosError, Unauthorized
from pos_app.extensions import socketio
from pos_app.pipeline import Pending, pending
from pos_app.rooms import expiry_room, staff_room, token_room
from pos_app.signals import tokens_revoked
from pos_app.socket_packets import UNREADABLE

log = logging.getLogger("pos.realtime")
MAX_TOKEN_CHARS = 200  # ours are 43; anything longer is not one of them


def push_after_commit(session: Session, namespace: str, room: str, name: str, payload) -> None:
    """Queue a push on the session; it is sent only if the transaction commits."""
    pending(session).pushes.append((namespace, room, name, payload))


def drop_after_commit(session: Session, room: str, code: str) -> None:
    """Queue a drop of the room's sockets (every namespace, every process) until the commit."""
    pending(session).drops.append((room, code))


@tokens_revoked.connect
def _drop_revoked(session: Session, token_hash: str | None = None, staff_id=None, **_kw) -> None:
    if token_hash:
        drop_after_commit(session, token_room(token_hash), "token_revoked")
    if staff_id is not None:
        drop_after_commit(session, staff_room(staff_id), "token_revoked")


def drop_rooms(_session: Session, work: Pending) -> None:
    """Commit phase "drop revoked sockets": each queued room's sockets, in every process."""
    for room, code in work.drops:
        try:
            socketio.server.manager.drop_room(room, code)
        except Exception:  # noqa: BLE001 - committed already; the next command refuses it
            log.exception("dropping the sockets of %s failed", room)


def emit_pushes(_session: Session, work: Pending) -> None:
    """Commit phase "emit the pushes", in the order they were queued."""
    for namespace, room, name, payload in work.pushes:
        socketio.emit(name, payload, to=room, namespace=namespace)


def authenticate_socket(auth, allowed_roles) -> Actor:
    """The Actor of a connecting socket, joined to the rooms that revoke or expire its login;
    raises ConnectionRefusedError with the error envelope."""
    try:
        raw = connect_token(auth)
        actor, token = _check_login(raw, allowed_roles)
        # Join the rooms a revocation addresses, then look again: a revocation committed in
        # between is seen by the second look, or finds this socket in its room (and, while
        # it is still connecting, marks it refused).
        join_room(token_room(token.token_hash))
        join_room(staff_room(actor.staff_id))
        join_room(expiry_room(token.expires_at))
        _check_login(raw, allowed_roles)
        if socketio.server.manager.was_refused(request.sid):
            raise Unauthorized("the token was revoked; sign in again", code="token_revoked")
    except PosError as err:
        socketio.server.manager.was_refused(request.sid)  # forgotten: it is refused anyway
        log.info("socket refused: %s", err.message)
        raise ConnectionRefusedError(err.message, err.envelope()) from err
    except Exception as err:
        socketio.server.manager.was_refused(request.sid)
        log.exception("socket connect failed")
        failure = PosError("internal error", code="internal_error")
        raise ConnectionRefusedError(failure.message, failure.envelope()) from err
    socket_session["socket_token"] = raw  # every command checks it again
    return actor


def connect_token(auth) -> str:
    """The raw token of a connect's `auth`; Unauthorized if missing or not a token at all."""
    if auth is UNREADABLE:
        raise BadRequest("the connect data is nested too deeply", code="invalid_json")
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is None or token == "":
        raise Unauthorized("sign in first: no token was given", code="token_missing")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or inputs.text_problem(token):
        raise Unauthorized("the token is not valid", code="token_invalid")
    return token


def _check_login(raw: str, allowed_roles):
    with unit_of_work(write=False) as session:
        actor, token = resolve_token(session, raw)
    if actor.role not in allowed_roles:
        raise Forbidden("this screen is not for your role", code="forbidden_role")
    return actor, token
