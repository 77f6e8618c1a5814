"""The role matrix of the Socket.IO namespaces: who may connect, who may send each command.

CONNECT and COMMANDS are written out by hand, independent of the namespaces' code: they are
the specification (docs/api.md, "Real time"). A new `on_<command>` without an entry fails
`test_every_socket_command_is_in_the_matrix`, so nobody adds a command without deciding who
may send it. A revoked, expired or deactivated login is refused at connect and, on a socket
that is still open (its drop was lost), by every command.

In-process, with Flask-SocketIO's test client; the real server's drops are in
tests/test_socket_revocation.py. The tests share one app and one signed-in staff member of
each role (conftest.py, Matrix); a test that writes (a role changed, a login spoiled) gets
the next one fresh rows, and the clock is put back.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, update

from pos_app import clock
from pos_app.auth.models import AuthToken, Role, Staff
from pos_app.extensions import socketio

OWNER, MANAGER, CASHIER, WAITER, KITCHEN = "owner", "manager", "cashier", "waiter", "kitchen"
ROLES = (OWNER, MANAGER, CASHIER, WAITER, KITCHEN)
KITCHEN_SIDE = frozenset({OWNER, MANAGER, KITCHEN})
FLOOR = frozenset({OWNER, MANAGER, CASHIER, WAITER})

CONNECT: dict[str, frozenset] = {
    "/kds": KITCHEN_SIDE,  # kitchen and expo screens
    "/floor": FLOOR,  # handhelds, the cashier's screen, managers on the floor
}

MISSING_UUID = "00000000-0000-4000-8000-000000000999"
COMMANDS: dict[tuple[str, str], tuple[frozenset, dict]] = {
    # (namespace, command): (roles, a harmless body: the role check comes before the body)
    ("/kds", "join_station"): (KITCHEN_SIDE, {"station_id": 999999}),
    ("/kds", "start_ticket"): (KITCHEN_SIDE, {"ticket_id": 999999}),
    ("/kds", "bump_ticket"): (KITCHEN_SIDE, {"ticket_id": 999999}),
    ("/kds", "bump_line"): (KITCHEN_SIDE, {"line_id": 999999}),
    ("/kds", "ready_anyway"): (KITCHEN_SIDE, {"ticket_id": 999999}),
    ("/kds", "recall_ticket"): (KITCHEN_SIDE, {"station_id": 999999}),
    ("/floor", "join_floor"): (FLOOR, {"floor_id": 999999}),
    ("/floor", "create_order"): (FLOOR, {}),
    ("/floor", "fire_order"): (FLOOR, {"order_id": MISSING_UUID, "version": 1}),
}
REFUSED_LOGIN = ("token_revoked", "token_expired", "staff_inactive", "token_invalid")


def digest(token: str) -> str:
    """The stored form of a raw token."""
    return hashlib.sha256(token.encode()).hexdigest()


def connect(matrix, token, namespace):
    """A Flask-SocketIO test client on `namespace` with `token` (connected or refused)."""
    return socketio.test_client(
        matrix.app, namespace=namespace, auth={"token": token}, flask_test_client=matrix.client
    )


def staff_of(matrix, token: str) -> int:
    with matrix.db(write=False) as s:
        return s.scalar(select(AuthToken.staff_id).where(AuthToken.token_hash == digest(token)))


def test_every_socket_command_is_in_the_matrix(matrix):
    declared = set()
    for namespace, handler in socketio.server.namespace_handlers.items():
        declared |= {
            (namespace, name[3:])
            for name in dir(handler)
            if name.startswith("on_") and name not in ("on_connect", "on_disconnect")
        }
    assert sorted(declared - set(COMMANDS)) == [], "commands without an entry in COMMANDS"
    assert sorted(set(COMMANDS) - declared) == [], "entries in COMMANDS without a command"
    assert set(socketio.server.namespace_handlers) == set(CONNECT)


def _pairs(allowed: bool):
    for namespace, roles in sorted(CONNECT.items()):
        for role in ROLES:
            if (role in roles) == allowed:
                yield pytest.param(namespace, role, id=f"{namespace} as {role}")


@pytest.mark.parametrize("namespace, role", list(_pairs(allowed=False)))
def test_a_role_outside_a_namespace_is_refused_at_connect(matrix, namespace, role):
    screen = connect(matrix, matrix.token(role), namespace)
    assert not screen.is_connected(namespace)


@pytest.mark.parametrize("namespace, role", list(_pairs(allowed=True)))
def test_a_role_of_a_namespace_connects(matrix, namespace, role):
    screen = connect(matrix, matrix.token(role), namespace)
    assert screen.is_connected(namespace)
    screen.disconnect(namespace)


def _commands(allowed: bool):
    for (namespace, command), (roles, _body) in sorted(COMMANDS.items()):
        for role in ROLES:
            if (role in roles) == allowed:
                yield pytest.param(namespace, command, role, id=f"{namespace} {command} as {role}")


@pytest.mark.parametrize("namespace, command, role", list(_commands(allowed=False)))
def test_a_role_outside_the_matrix_gets_forbidden_role_on_the_command(
    matrix, namespace, command, role
):
    # The only way to hold a socket with a role outside the namespace: the role was changed
    # after the connect (a role change revokes nothing, so every command checks again).
    inside = sorted(CONNECT[namespace])[0]
    token = matrix.token(inside)
    screen = connect(matrix, token, namespace)
    staff_id = staff_of(matrix, token)
    with matrix.db() as s:
        s.execute(update(Staff).where(Staff.id == staff_id).values(role=Role(role)))
    ack = screen.emit(command, COMMANDS[namespace, command][1], namespace=namespace, callback=True)
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == "forbidden_role"
    assert role in ack["error"]["message"]


@pytest.mark.parametrize("namespace, command, role", list(_commands(allowed=True)))
def test_a_role_in_the_matrix_is_let_through_on_the_command(matrix, namespace, command, role):
    screen = connect(matrix, matrix.token(role), namespace)
    ack = screen.emit(command, COMMANDS[namespace, command][1], namespace=namespace, callback=True)
    # Dummy ids may well answer not_found or validation_failed, but never "who are you" or "no".
    assert isinstance(ack, dict), ack
    if not ack["ok"]:
        assert ack["error"]["code"] not in ("forbidden_role", *REFUSED_LOGIN), ack
        assert ack["error"]["code"] != "internal_error", ack


def _spoil(matrix, token: str, how: str) -> str:
    """Make `token` unusable the way `how` says, without telling any socket; the error code."""
    if how == "expired":
        clock.advance(9 * 3600)  # the test tokens live 8 hours
        return "token_expired"
    staff_id = staff_of(matrix, token)
    with matrix.db() as s:
        if how == "revoked":
            s.execute(
                update(AuthToken)
                .where(AuthToken.token_hash == digest(token))
                .values(revoked_at=clock.utcnow())
            )
            return "token_revoked"
        s.execute(update(Staff).where(Staff.id == staff_id).values(active=False))
        return "staff_inactive"


SPOILED = ("revoked", "expired", "deactivated")


@pytest.mark.parametrize("how", SPOILED)
@pytest.mark.parametrize("namespace", sorted(CONNECT))
def test_a_spoiled_login_is_refused_at_connect(matrix, namespace, how):
    token = matrix.token(sorted(CONNECT[namespace])[0])
    _spoil(matrix, token, how)
    assert not connect(matrix, token, namespace).is_connected(namespace)


@pytest.mark.parametrize("how", SPOILED)
@pytest.mark.parametrize("namespace, command", sorted(COMMANDS))
def test_a_spoiled_login_is_refused_on_every_command(matrix, namespace, command, how):
    token = matrix.token(sorted(CONNECT[namespace])[0])
    screen = connect(matrix, token, namespace)
    assert screen.is_connected(namespace)
    code = _spoil(matrix, token, how)  # behind the sockets' back: as if the drop were lost
    ack = screen.emit(command, COMMANDS[namespace, command][1], namespace=namespace, callback=True)
    assert ack == {"ok": False, "status": 401, "error": ack["error"]}
    assert ack["error"]["code"] == code


@pytest.mark.parametrize("namespace", sorted(CONNECT))
@pytest.mark.parametrize(
    "auth",
    [
        None,
        [],
        {"token": None},
        {"token": ""},
        {"token": 12},
        {"token": ["a"]},
        {"token": "x" * 5000},
        {"token": "bad\x00token"},
        {"token": "\ud800"},
    ],
    ids=repr,
)
def test_a_missing_or_malformed_token_is_refused_at_connect(matrix, namespace, auth):
    screen = socketio.test_client(
        matrix.app, namespace=namespace, auth=auth, flask_test_client=matrix.client
    )
    assert not screen.is_connected(namespace)
