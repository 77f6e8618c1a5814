"""One command, two transports: every socket command that has an HTTP twin answers over the
socket what the endpoint answers over HTTP (status, error code, body), idempotency keys
included: a replay gets the stored answer, the same key for another request is 422
`idempotency_key_reused`, a refusal of the database is `integrity_error`, and a role that may
not is `forbidden_role`, both ways.

HTTP through Flask's test client, the socket through Flask-SocketIO's test client, on the
same app and database. Each transport acts on its own fresh order or ticket, so ids, numbers
and times are masked before the bodies are compared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from pos_app import clock
from pos_app.audit import AuditEntry
from pos_app.auth.models import AuthToken, Role, Staff
from pos_app.extensions import socketio
from pos_app.menu.models import MenuItem, Station
from pos_app.orders.models import Order


@dataclass
class Twin:
    """One command as both transports send it."""

    namespace: str
    event: str
    data: dict  # the socket command's data
    method: str
    path: str  # under /api/v1
    body: dict | None  # the HTTP body (None: none sent)


class Shop:
    """The demo restaurant, a waiter and a cook, and a way to send a command either way."""

    def __init__(self, app, client, db, token_for):
        self.app, self.client, self.db = app, client, db
        self.waiter, self.cook = token_for("waiter"), token_for("kitchen")
        with db(write=False) as s:
            self.items = {i.name: i.id for i in s.scalars(select(MenuItem))}
            self.stations = {st.code: st.id for st in s.scalars(select(Station))}
        self._sockets: dict = {}

    def token_of(self, namespace: str) -> str:
        return self.cook if namespace == "/kds" else self.waiter

    def http(self, twin: Twin, key: str | None = None, token: str | None = None):
        """(status, body) of the command over HTTP."""
        headers = {"Authorization": f"Bearer {token or self.token_of(twin.namespace)}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        kw = {} if twin.body is None else {"json": twin.body}
        answer = self.client.open("/api/v1" + twin.path, method=twin.method, headers=headers, **kw)
        return answer.status_code, answer.get_json()

    def socket(self, twin: Twin, key: str | None = None, token: str | None = None):
        """(status, body) of the command over the socket, the body as HTTP would show it."""
        token = token or self.token_of(twin.namespace)
        screen = self.screen(twin.namespace, token)
        data = twin.data if key is None else {**twin.data, "idempotency_key": key}
        ack = screen.emit(twin.event, data, namespace=twin.namespace, callback=True)
        assert set(ack) == ({"ok", "status", "data"} if ack["ok"] else {"ok", "status", "error"})
        return ack["status"], ack["data"] if ack["ok"] else {"error": ack["error"]}

    def screen(self, namespace: str, token: str):
        if (namespace, token) not in self._sockets:
            screen = socketio.test_client(
                self.app, namespace=namespace, auth={"token": token}, flask_test_client=self.client
            )
            assert screen.is_connected(namespace)
            self._sockets[namespace, token] = screen
        return self._sockets[namespace, token]

    def order(self, *items: str) -> dict:
        """A fired takeaway, made over HTTP."""
        status, order = self.http(Twin("/floor", "", {}, "POST", "/orders", self.takeaway(*items)))
        assert status == 201, order
        return order

    def takeaway(self, *items: str, fire: bool = True) -> dict:
        lines = [{"id": str(uuid.uuid4()), "item_id": self.items[i], "quantity": 1} for i in items]
        return {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "customer_name": "Ali",
            "fire": fire,
            "lines": lines,
        }

    def ticket(self, code: str, order: dict) -> dict:
        """The order's ticket at station `code`."""
        station = self.stations[code]
        status, snap = self.http(Twin("/kds", "", {}, "GET", f"/stations/{station}/snapshot", None))
        assert status == 200, snap
        [ticket] = [t for t in snap["tickets"] if t["order_id"] == order["id"]]
        return ticket


@pytest.fixture
def shop(demo, client, db, token_for):
    return Shop(demo, client, db, token_for)


# Every socket command with an HTTP twin, on a fresh order or ticket of its own.
def create_order(shop: Shop) -> Twin:
    body = shop.takeaway("Hummus")
    return Twin("/floor", "create_order", body, "POST", "/orders", body)


def fire_order(shop: Shop) -> Twin:
    status, order = shop.http(create_order_unfired(shop))
    assert status == 201, order
    body = {"version": order["version"]}
    data = {"order_id": order["id"], **body}
    return Twin("/floor", "fire_order", data, "POST", f"/orders/{order['id']}/fire", body)


def create_order_unfired(shop: Shop) -> Twin:
    body = shop.takeaway("Hummus", fire=False)
    return Twin("/floor", "create_order", body, "POST", "/orders", body)


def start_ticket(shop: Shop) -> Twin:
    ticket = shop.ticket("cold", shop.order("Hummus"))
    path = f"/tickets/{ticket['id']}/start"
    return Twin("/kds", "start_ticket", {"ticket_id": ticket["id"]}, "POST", path, None)


def bump_ticket(shop: Shop) -> Twin:
    ticket = shop.ticket("cold", shop.order("Hummus"))
    path = f"/tickets/{ticket['id']}/bump"
    return Twin("/kds", "bump_ticket", {"ticket_id": ticket["id"]}, "POST", path, None)


def bump_line(shop: Shop) -> Twin:
    ticket = shop.ticket("cold", shop.order("Hummus"))
    line = ticket["lines"][0]["id"]
    return Twin("/kds", "bump_line", {"line_id": line}, "POST", f"/ticket-lines/{line}/bump", None)


def ready_anyway(shop: Shop) -> Twin:
    card = shop.ticket("expo", shop.order("Hummus"))  # the cold station has not bumped
    body = {"reason": "the guest is leaving"}
    path = f"/tickets/{card['id']}/ready-anyway"
    return Twin("/kds", "ready_anyway", {"ticket_id": card["id"], **body}, "POST", path, body)


def recall_ticket(shop: Shop) -> Twin:
    ticket = shop.ticket("cold", shop.order("Hummus"))
    status, _ = shop.http(Twin("/kds", "", {}, "POST", f"/tickets/{ticket['id']}/bump", None))
    assert status == 200
    station = shop.stations["cold"]
    body = {"ticket_id": ticket["id"]}
    data = {"station_id": station, **body}
    return Twin("/kds", "recall_ticket", data, "POST", f"/stations/{station}/recall", body)


TWINS: list[Callable[[Shop], Twin]] = [
    create_order,
    fire_order,
    start_ticket,
    bump_ticket,
    bump_line,
    ready_anyway,
    recall_ticket,
]


def masked(value):
    """`value` with what differs between two fresh orders (ids, numbers, times) masked."""
    if isinstance(value, dict):
        return {k: "<masked>" if _volatile(k) else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _volatile(key: str) -> bool:
    return key in ("id", "number") or key.endswith(("_id", "_at"))


def test_every_socket_command_with_an_http_twin_is_compared_here(app):
    from pos_app.socket_commands import SocketCommand

    twins = {
        (namespace, name[3:])
        for namespace, handler in socketio.server.namespace_handlers.items()
        for name in dir(type(handler))
        if isinstance(getattr(type(handler), name), SocketCommand)
        and getattr(type(handler), name).twin is not None
    }
    compared = {("/floor" if f.__name__.endswith("order") else "/kds", f.__name__) for f in TWINS}
    assert twins == compared


@pytest.mark.parametrize("make", TWINS, ids=lambda f: f.__name__)
def test_a_command_answers_the_same_over_http_and_the_socket(shop, make):
    over_http = shop.http(make(shop))
    over_socket = shop.socket(make(shop))
    assert over_http[0] in (200, 201), over_http
    assert over_socket[0] == over_http[0]
    assert masked(over_socket[1]) == masked(over_http[1])


@pytest.mark.parametrize("make", TWINS, ids=lambda f: f.__name__)
def test_a_retry_with_the_same_key_gets_the_stored_answer_both_ways(shop, make):
    answers = {}
    for send in (shop.http, shop.socket):
        twin, key = make(shop), str(uuid.uuid4())
        first = send(twin, key)
        assert first[0] in (200, 201), first
        assert send(twin, key) == first  # the stored answer, word for word
        answers[send.__name__] = first
    assert answers["socket"][0] == answers["http"][0]
    assert masked(answers["socket"][1]) == masked(answers["http"][1])


@pytest.mark.parametrize("make", TWINS, ids=lambda f: f.__name__)
def test_the_same_key_for_another_request_is_refused_both_ways(shop, make):
    for send, name in ((shop.http, "Idempotency-Key"), (shop.socket, "idempotency_key")):
        key = str(uuid.uuid4())
        first = send(make(shop), key)
        assert first[0] in (200, 201), first
        status, body = send(make(shop), key)  # another order or ticket: another request
        assert status == 422, body
        assert body["error"]["code"] == "idempotency_key_reused"
        assert list(body["error"]["fields"]) == [name]  # named as the caller sent it


def test_a_replay_does_nothing_twice_and_answers_what_the_first_try_did(shop, db):
    # A create retried without a key answers 200 (the order as it is); with its key, the
    # stored 201 of the first try. ready_anyway audits each run: a replay adds no entry.
    for send in (shop.http, shop.socket):
        twin, key = create_order(shop), str(uuid.uuid4())
        assert send(twin, key)[0] == 201
        assert send(twin, key)[0] == 201
        assert send(twin)[0] == 200
        twin, key = ready_anyway(shop), str(uuid.uuid4())
        before = audits(db, "kitchen.ready_anyway")
        assert send(twin, key)[0] == 200
        assert send(twin, key)[0] == 200
        assert audits(db, "kitchen.ready_anyway") == before + 1


def audits(db, action: str) -> int:
    with db(write=False) as s:
        return s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )


def test_a_key_used_over_one_transport_replays_over_the_other(shop):
    # The same caller's keys, fingerprints and answers: a retry may change transport.
    twin, key = create_order(shop), str(uuid.uuid4())
    over_socket = shop.socket(twin, key)
    assert over_socket[0] == 201
    assert shop.http(twin, key) == over_socket
    twin, key = bump_ticket(shop), str(uuid.uuid4())
    over_http = shop.http(twin, key)
    assert shop.socket(twin, key) == over_http


def test_another_callers_key_runs_their_own_request_both_ways(shop, token_for):
    other = token_for("waiter")
    for send in (shop.http, shop.socket):
        key = str(uuid.uuid4())
        assert send(create_order(shop), key)[0] == 201
        status, order = send(create_order(shop), key, other)
        assert status == 201 and order["waiter_name"] != "", order  # theirs, not a 422


@pytest.mark.parametrize("key", ["short", "x" * 81, "with space in it", 12345678])
def test_an_unusable_key_is_refused_both_ways(shop, key):
    if isinstance(key, int):  # a header is always text: only the socket can send a number
        status, body = shop.socket(create_order(shop), key)
        assert (status, body["error"]["code"]) == (422, "validation_failed")
        return
    over_http = shop.http(create_order(shop), key)
    over_socket = shop.socket(create_order(shop), key)
    assert over_http[0] == over_socket[0] == 422
    assert list(over_http[1]["error"]["fields"]) == ["Idempotency-Key"]
    assert list(over_socket[1]["error"]["fields"]) == ["idempotency_key"]


def test_a_refusal_of_the_database_is_the_same_conflict_both_ways(shop, db, monkeypatch):
    from pos_app.orders import services

    record_event = services.record_event

    def clash(session, *args, **kw):
        record_event(session, *args, **kw)
        name = session.scalar(select(Staff.name).limit(1))
        session.add(Staff(name=name, role=Role.waiter))  # a second staff of that name
        session.flush()  # the database refuses it: IntegrityError

    monkeypatch.setattr(services, "record_event", clash)
    over_http = shop.http(create_order(shop))
    over_socket = shop.socket(create_order(shop))
    assert over_http == over_socket
    assert over_http[0] == 409 and over_http[1]["error"]["code"] == "integrity_error"
    with db(write=False) as s:
        assert s.scalars(select(Order)).all() == []  # both rolled back


@pytest.mark.parametrize("make", TWINS, ids=lambda f: f.__name__)
def test_a_role_that_may_not_is_refused_the_same_both_ways(shop, db, make):
    # Connected while allowed, then the role changed (a role change revokes no socket, so
    # every command checks again); HTTP gets the same token.
    twin = make(shop)
    token = shop.token_of(twin.namespace)
    shop.screen(twin.namespace, token)
    outside = Role.waiter if twin.namespace == "/kds" else Role.kitchen
    with db() as s:
        staff_id = s.scalar(select(AuthToken.staff_id).where(AuthToken.token_hash == digest(token)))
        s.execute(update(Staff).where(Staff.id == staff_id).values(role=outside))
    over_http = shop.http(twin)
    assert over_http[0] == 403 and over_http[1]["error"]["code"] == "forbidden_role", over_http
    assert shop.socket(twin) == over_http


def digest(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


@pytest.mark.parametrize(
    "twin",
    [
        Twin("/kds", "bump_ticket", {"ticket_id": 999999}, "POST", "/tickets/999999/bump", None),
        Twin(
            "/kds",
            "recall_ticket",
            {"station_id": 999999},
            "POST",
            "/stations/999999/recall",
            {},
        ),
        Twin(
            "/floor",
            "fire_order",
            {"order_id": "00000000-0000-4000-8000-000000000999", "version": 1},
            "POST",
            "/orders/00000000-0000-4000-8000-000000000999/fire",
            {"version": 1},
        ),
    ],
    ids=["bump_ticket", "recall_ticket", "fire_order"],
)
def test_a_missing_thing_is_the_same_not_found_both_ways(shop, twin):
    over_http = shop.http(twin)
    assert over_http[0] == 404, over_http
    assert shop.socket(twin) == over_http


def test_a_stale_version_is_the_same_conflict_with_the_current_order_both_ways(shop):
    twin = fire_order(shop)
    stale = Twin(
        twin.namespace, twin.event, {**twin.data, "version": 99}, "POST", twin.path, {"version": 99}
    )
    over_http = shop.http(stale)
    assert over_http[0] == 409 and over_http[1]["error"]["code"] == "stale_version"
    assert shop.socket(stale) == over_http  # the same order, as it is now


@pytest.mark.parametrize(
    "change, field",
    [({"fire": "yes"}, "fire"), ({"guests": 2**63}, "guests"), ({"extra": 1}, "extra")],
    ids=["flag", "huge", "unknown"],
)
def test_a_body_that_is_not_valid_is_the_same_422_both_ways(shop, change, field):
    body = {**shop.takeaway("Hummus"), **change}
    twin = Twin("/floor", "create_order", body, "POST", "/orders", body)
    over_http = shop.http(twin)
    assert over_http[0] == 422 and field in over_http[1]["error"]["fields"], over_http
    assert shop.socket(twin) == over_http


def test_a_revoked_login_is_the_same_401_both_ways(shop, db):
    twin = bump_ticket(shop)
    shop.screen("/kds", shop.cook)
    with db() as s:
        s.execute(
            update(AuthToken)
            .where(AuthToken.token_hash == digest(shop.cook))
            .values(revoked_at=clock.utcnow())
        )
    over_http = shop.http(twin)
    assert over_http[0] == 401 and over_http[1]["error"]["code"] == "token_revoked"
    assert shop.socket(twin) == over_http
