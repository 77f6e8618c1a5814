"""Real time with real clients: python-socketio against the gevent server on loopback."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
import requests
import socketio
from conftest import need
from live import running_server
from sqlalchemy import select

from pos_app.menu.models import MenuItem, Station
from table_service.models import DiningTable


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    with running_server(database_url, tmp_path_factory.mktemp("rt")) as url:
        yield url


@pytest.fixture
def shop(demo, db, token_for):
    """Demo ids and tokens for a waiter and a cook."""
    with db(write=False) as s:
        ids = {
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "stations": {st.code: st.id for st in s.scalars(select(Station))},
            "tables": {t.label: t.id for t in s.scalars(select(DiningTable))},
        }
    return {**ids, "waiter": token_for("waiter"), "cook": token_for("kitchen")}


class Screen:
    """A kitchen screen: keeps tickets by id, applies pushes in sequence order, no doubles."""

    def __init__(self, url: str, token: str, station_id: int):
        self.url, self.token, self.station_id = url, token, station_id
        self.seq = 0
        self.created: list[int] = []  # ticket ids, in the order they were learnt
        self.changed = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on(
            "ticket_created", lambda p: self._apply("ticket_created", p), namespace="/kds"
        )
        self.client.on(
            "ticket_updated", lambda p: self._apply("ticket_updated", p), namespace="/kds"
        )

    def _apply(self, name: str, payload: dict) -> None:
        if payload["seq"] <= self.seq:
            return  # already applied (a replay overlapping a live push)
        assert payload["seq"] == self.seq + 1, f"gap: had {self.seq}, got {payload['seq']}"
        self.seq = payload["seq"]
        if name == "ticket_created":
            self.created.append(payload["id"])
        self.changed.set()

    def connect(self) -> dict:
        self.client.connect(
            self.url, namespaces=["/kds"], auth={"token": self.token}, transports=["websocket"]
        )
        ack = self.client.call(
            "join_station",
            {"station_id": self.station_id, "after_seq": self.seq or None},
            namespace="/kds",
            timeout=10,
        )
        assert ack["ok"], ack
        joined = ack["data"]
        if "snapshot" in joined:
            snap = joined["snapshot"]
            self.seq = snap["seq"]
            self.created = [t["id"] for t in snap["tickets"]]
        for event in joined.get("events", []):
            self._apply(event["name"], event["payload"])
        return joined

    def wait_for(self, count: int, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while len(self.created) < count and time.monotonic() < deadline:
            self.changed.wait(0.1)
            self.changed.clear()
        assert len(self.created) >= count, f"only {len(self.created)} tickets of {count}"


def post_order(url: str, shop: dict, table: str, item: str = "Mixed grill") -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "type": "dine_in",
        "table_id": shop["tables"][table],
        "guests": 2,
        "fire": True,
        "lines": [
            {"id": str(uuid.uuid4()), "item_id": shop["items"][item], "quantity": 1, "course": 1}
        ],
    }
    response = requests.post(
        f"{url}/api/v1/orders",
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {shop['waiter']}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_screen_that_reconnects_gets_every_missed_ticket_exactly_once(server, shop):
    screen = Screen(server, shop["cook"], shop["stations"]["cold"])
    assert "snapshot" in screen.connect()
    post_order(server, shop, "1", "Hummus")
    screen.wait_for(1)
    screen.client.disconnect()  # the cable is pulled

    for table in ("2", "3", "5"):
        post_order(server, shop, table, "Hummus")

    ack = screen.connect()  # plugged back in: asks for what came after its last number
    assert [e["name"] for e in ack["events"]] == ["ticket_created"] * 3
    assert len(screen.created) == len(set(screen.created)) == 4
    post_order(server, shop, "6", "Hummus")  # and live pushes carry on after the replay
    screen.wait_for(5)
    assert len(set(screen.created)) == 5
    screen.client.disconnect()


def test_sockets_check_the_token_and_the_role(server, shop):
    for token, namespace in (
        (None, "/kds"),
        ("bad", "/kds"),
        (shop["waiter"], "/kds"),
        (shop["cook"], "/floor"),
    ):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                server,
                namespaces=[namespace],
                auth={"token": token},
                transports=["websocket"],
                wait_timeout=2,
            )
        client.disconnect()


def test_waiter_hears_the_order_is_ready_when_expo_bumps(server, shop):
    waiter = socketio.Client(reconnection=False)
    ready = []
    waiter.on("order_ready", ready.append, namespace="/floor")
    waiter.connect(
        server, namespaces=["/floor"], auth={"token": shop["waiter"]}, transports=["websocket"]
    )
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "Ali",
        "fire": True,
        "lines": [{"id": str(uuid.uuid4()), "item_id": shop["items"]["Hummus"], "quantity": 1}],
    }
    ack = waiter.call("create_order", body, namespace="/floor", timeout=10)
    assert ack["ok"] and ack["status"] == 201, ack  # created, as over HTTP
    again = waiter.call("create_order", body, namespace="/floor", timeout=10)
    assert again["ok"] and again["status"] == 200 and again["data"]["id"] == body["id"]

    cook = socketio.Client(reconnection=False)
    cook.connect(
        server, namespaces=["/kds"], auth={"token": shop["cook"]}, transports=["websocket"]
    )
    for code in ("cold", "expo"):
        snap = cook.call(
            "join_station", {"station_id": shop["stations"][code]}, namespace="/kds", timeout=10
        )["data"]["snapshot"]
        bumped = cook.call(
            "bump_ticket", {"ticket_id": snap["tickets"][0]["id"]}, namespace="/kds", timeout=10
        )
        assert bumped["ok"], bumped
    deadline = time.monotonic() + 10
    while not ready and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready and ready[0]["order_id"] == body["id"]
    denied = waiter.call(
        "fire_order", {"order_id": body["id"], "version": 99}, namespace="/floor", timeout=10
    )
    assert denied == {"ok": False, "status": 409, "error": denied["error"]}
    assert denied["error"]["code"] in ("stale_version", "order_closed")
    waiter.disconnect()
    cook.disconnect()


@pytest.fixture
def redis_url():
    import os

    import redis

    url = os.environ.get("POS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError) as err:
        need("redis", f"Redis is not reachable at {url}: {err}")
    return url


def test_an_order_posted_to_one_process_reaches_a_screen_on_another(
    database_url, redis_url, shop, tmp_path
):
    if not database_url.startswith("postgresql"):
        need("postgres", "two server processes share PostgreSQL; this run is on SQLite")
    with (
        running_server(database_url, tmp_path, POS_REDIS_URL=redis_url) as first,
        running_server(database_url, tmp_path, POS_REDIS_URL=redis_url) as second,
    ):
        screen = Screen(second, shop["cook"], shop["stations"]["cold"])
        screen.connect()
        post_order(first, shop, "7", "Hummus")
        screen.wait_for(1)
        screen.client.disconnect()
        assert len(screen.created) == 1


def test_old_pushes_are_pruned_and_a_screen_that_far_behind_gets_a_snapshot(app, shop, db):
    from kds.events import events_after, prune_events
    from pos_app import clock
    from pos_app.scheduler import run_job

    client = app.test_client()
    headers = {"Authorization": f"Bearer {shop['waiter']}"}
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "Ali",
        "fire": True,
        "lines": [{"id": str(uuid.uuid4()), "item_id": shop["items"]["Hummus"], "quantity": 1}],
    }
    assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 201
    cold = shop["stations"]["cold"]
    with db(write=False) as s:
        assert [e["name"] for e in events_after(s, cold, 0)] == ["ticket_created"]
    clock.advance(3 * 86400)
    run_job(app, prune_events)
    with db(write=False) as s:
        assert events_after(s, cold, 0) is None  # too far behind: take a snapshot
        assert events_after(s, cold, 1) == []  # up to date: nothing missed


def test_the_till_hears_every_order_takeaways_too(server, shop, token_for):
    till = socketio.Client(reconnection=False)
    heard = []
    till.on("order_updated", heard.append, namespace="/floor")
    till.connect(
        server,
        namespaces=["/floor"],
        auth={"token": token_for("cashier")},
        transports=["websocket"],
    )
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "Huda",
        "lines": [{"id": str(uuid.uuid4()), "item_id": shop["items"]["Hummus"], "quantity": 1}],
    }
    headers = {"Authorization": f"Bearer {shop['waiter']}"}
    assert requests.post(f"{server}/api/v1/orders", json=body, headers=headers).status_code == 201
    deadline = time.monotonic() + 5
    while not heard and time.monotonic() < deadline:
        time.sleep(0.02)
    till.disconnect()
    assert heard and heard[0]["id"] == body["id"]


# -- Hostile input over Socket.IO: every command answers an ack, and refuses what HTTP refuses --

MISSING_UUID = "00000000-0000-4000-8000-000000000999"


def socket_of(app, client, token: str, namespace: str):
    """A Flask-SocketIO test client, connected."""
    from pos_app.extensions import socketio as extension

    screen = extension.test_client(
        app, namespace=namespace, auth={"token": token}, flask_test_client=client
    )
    assert screen.is_connected(namespace)
    return screen


def deep_json(depth: int) -> str:
    """An array nested `depth` levels deep, as JSON text."""
    return "[" * depth + "]" * depth


def takeaway(shop: dict, **changes) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "Ali",
        "lines": [{"id": str(uuid.uuid4()), "item_id": shop["items"]["Hummus"], "quantity": 1}],
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    "namespace, command, body, field",
    [
        ("/kds", "bump_ticket", {"ticket_id": 2**63}, "ticket_id"),
        ("/kds", "bump_ticket", {"ticket_id": 2**64 + 1}, "ticket_id"),
        ("/kds", "start_ticket", {"ticket_id": 2**31}, "ticket_id"),
        ("/kds", "bump_line", {"line_id": 2**63 - 1}, "line_id"),
        ("/kds", "join_station", {"station_id": 2**63}, "station_id"),
        ("/kds", "join_station", {"station_id": 1, "after_seq": 2**63}, "after_seq"),
        ("/kds", "recall_ticket", {"station_id": 1, "ticket_id": 2**70}, "ticket_id"),
        ("/kds", "bump_ticket", {"ticket_id": 0}, "ticket_id"),
        ("/kds", "bump_ticket", {"ticket_id": -1}, "ticket_id"),
        ("/floor", "join_floor", {"floor_id": 2**63}, "floor_id"),
        ("/floor", "fire_order", {"order_id": MISSING_UUID, "version": 2**63}, "version"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_socket_ids_beyond_the_id_columns_get_a_validation_ack(
    app, client, shop, token_for, namespace, command, body, field
):
    token = shop["cook"] if namespace == "/kds" else shop["waiter"]
    ack = socket_of(app, client, token, namespace).emit(
        command, body, namespace=namespace, callback=True
    )
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == "validation_failed", ack
    assert field in str(ack["error"]["fields"]), ack


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"customer_name": "A\x00li"}, "customer_name"),
        ({"notes": "no onions \x00"}, "notes"),
        ({"customer_name": "\ud800"}, "customer_name"),
        ({"notes": "half \udfff"}, "notes"),
        ({"guests": 2**64}, "guests"),
        ({"lines": json.loads(deep_json(20))}, "lines"),
    ],
    ids=["NUL name", "NUL notes", "surrogate name", "surrogate notes", "huge int", "deep"],
)
def test_nul_surrogates_and_huge_numbers_in_a_socket_order_get_a_validation_ack(
    app, client, shop, db, changes, field
):
    from pos_app.orders.models import Order

    ack = socket_of(app, client, shop["waiter"], "/floor").emit(
        "create_order", takeaway(shop, **changes), namespace="/floor", callback=True
    )
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == "validation_failed", ack
    assert field in str(ack["error"]["fields"]) or field in ack["error"]["message"], ack
    with db(write=False) as s:
        assert s.scalars(select(Order)).all() == []


@pytest.mark.parametrize(
    "command, changes, field",
    [
        ("create_order", {"fire": "yes"}, "fire"),
        ("create_order", {"rush": "true"}, "rush"),
        ("create_order", {"fire": 1}, "fire"),
        ("create_order", {"stagger": "on"}, "stagger"),
        ("create_order", {"id": f"{MISSING_UUID}\n"}, "id"),
        ("fire_order", {"stagger": "yes"}, "stagger"),
        ("fire_order", {"order_id": f"{MISSING_UUID}\n"}, "order_id"),
        ("fire_order", {"order_id": "not-a-uuid"}, "order_id"),
        ("fire_order", {"version": "1"}, "version"),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_socket_flags_and_uuids_are_strict(app, client, shop, db, command, changes, field):
    from pos_app.orders.models import Order

    if command == "create_order":
        body = takeaway(shop, **changes)
    else:
        body = {"order_id": MISSING_UUID, "version": 1, **changes}
    ack = socket_of(app, client, shop["waiter"], "/floor").emit(
        command, body, namespace="/floor", callback=True
    )
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == "validation_failed", ack
    assert field in ack["error"]["fields"], ack
    with db(write=False) as s:
        assert s.scalars(select(Order)).all() == []  # "fire": "yes" fired nothing


@pytest.mark.parametrize(
    "raised, code",
    [
        (RuntimeError("a bug"), "internal_error"),
        (KeyError("a bug"), "internal_error"),
        ("stale", "stale_version"),
        ("integrity", "integrity_error"),
        ("data", "value_out_of_range"),
    ],
    ids=["RuntimeError", "KeyError", "StaleDataError", "IntegrityError", "DataError"],
)
def test_a_command_that_fails_unexpectedly_still_answers_an_ack_and_rolls_back(
    app, client, shop, db, monkeypatch, caplog, raised, code
):
    from sqlalchemy.exc import DataError, IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from pos_app.orders import services
    from pos_app.orders.models import Order

    errors = {
        "stale": StaleDataError("UPDATE statement on table 'order' expected to update 1 row"),
        "integrity": IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed")),
        "data": DataError("SELECT ...", {}, Exception("integer out of range")),
    }

    def fail(*_args, **_kw):
        raise errors.get(raised, raised)

    monkeypatch.setattr(services, "order_dict", fail)  # after the order and its tickets
    ack = socket_of(app, client, shop["waiter"], "/floor").emit(
        "create_order", takeaway(shop, fire=True), namespace="/floor", callback=True
    )
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    with db(write=False) as s:
        assert s.scalars(select(Order)).all() == []  # rolled back: no order without tickets
    if code == "internal_error":
        assert "a bug" not in ack["error"]["message"]  # no internals to the client
        assert any(r.exc_info for r in caplog.records), "the traceback is logged"


@pytest.mark.parametrize(
    "args",
    [
        ("bump_ticket", [1, 2]),
        ("bump_ticket", "ticket 1"),
        ("bump_ticket", 7),
        ("bump_ticket", {"ticket_id": 1}, "extra"),
        ("no_such_command", {}),
        ("connect", {"token": "x"}),
        ("connect", None, {"token": "x"}),
        ("disconnect", {}),
    ],
    ids=repr,
)
def test_malformed_or_unknown_commands_get_an_error_ack(app, client, shop, args):
    screen = socket_of(app, client, shop["cook"], "/kds")
    ack = screen.emit(*args, namespace="/kds", callback=True)
    assert isinstance(ack, dict) and ack["ok"] is False, ack
    assert ack["error"]["code"] in ("invalid_json", "unknown_command", "validation_failed"), ack
    assert screen.is_connected("/kds")


@pytest.mark.parametrize("depth", [17, 200, 1000, 100_000])
def test_json_nested_too_deep_in_a_command_gets_an_error_ack(app, client, shop, depth):
    from pos_app.extensions import socketio as extension

    screen = socket_of(app, client, shop["cook"], "/kds")
    # A hand-made packet: no client library would encode this for us.
    extension.server._handle_eio_message(
        screen.eio_sid, f'2/kds,7["bump_ticket",{{"ticket_id":{deep_json(depth)}}}]'
    )
    ack = screen.acks["args"][0]
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] in ("invalid_json", "validation_failed"), ack
    assert screen.is_connected("/kds")


# -- the same over the wire, against the real server: the answer arrives, nobody waits ---------


def raw_socket(url: str, token: str, namespace: str):
    """A bare WebSocket speaking Engine.IO 4 / Socket.IO 5 by hand, connected to `namespace`."""
    import websocket

    ws = websocket.create_connection(
        url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=5
    )
    assert ws.recv().startswith("0")  # Engine.IO open
    ws.send(f"40{namespace}," + json.dumps({"token": token}))
    answer = ws.recv()
    assert answer.startswith(f"40{namespace},"), answer
    return ws


def next_ack(ws, namespace: str, ack_id: int, seconds: float = 5):
    """The data of the ack `ack_id`, skipping pings and pushes; None if nothing came."""
    import websocket

    deadline = time.monotonic() + seconds
    prefix = f"43{namespace},{ack_id}"
    while time.monotonic() < deadline:
        ws.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            message = ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        if message == "2":
            ws.send("3")  # Engine.IO pong
        elif message.startswith(prefix):
            return json.loads(message[len(prefix) :])[0]
    return None


def test_deep_json_over_the_wire_gets_an_error_ack_and_the_socket_carries_on(server, shop):
    ws = raw_socket(server, shop["cook"], "/kds")
    try:
        ws.send(f'42/kds,1["bump_ticket",{{"ticket_id":{deep_json(1000)}}}]')
        ack = next_ack(ws, "/kds", 1)
        assert ack is not None, "no ack: the screen would wait for its timeout"
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_json", ack
        ws.send(f"42/kds,2[{deep_json(5000)}]")  # even the command's name is unreadable
        ack = next_ack(ws, "/kds", 2)
        assert ack is not None and ack["error"]["code"] == "invalid_json", ack
        ws.send('42/kds,3["bump_ticket",{"ticket_id":999999}]')  # the socket still works
        assert next_ack(ws, "/kds", 3)["error"]["code"] == "not_found"
    finally:
        ws.close()


def test_a_connect_with_auth_too_deep_to_read_is_refused_with_a_reason(server):
    import websocket

    ws = websocket.create_connection(
        server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=5
    )
    try:
        assert ws.recv().startswith("0")
        ws.send(f'40/kds,{{"token":{deep_json(5000)}}}')
        answer = ws.recv()
        assert answer.startswith("44/kds,"), answer  # CONNECT_ERROR, not silence
        assert json.loads(answer[len("44/kds,") :])["data"]["error"]["code"] == "invalid_json"
    finally:
        ws.close()


@pytest.mark.parametrize(
    "frame", [f"4{deep_json(5000)}", "4hello", "49", "45-/kds,1[]"], ids=lambda f: f[:8]
)
def test_a_frame_that_is_not_socket_io_closes_that_connection_only(server, shop, frame):
    import websocket

    ws = raw_socket(server, shop["cook"], "/kds")
    ws.send(frame)  # an Engine.IO message that is no Socket.IO packet
    closed = False
    deadline = time.monotonic() + 5
    while not closed and time.monotonic() < deadline:
        try:
            closed = ws.recv() in ("", "1")  # a close frame, or Engine.IO's close packet
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            closed = True
        except websocket.WebSocketTimeoutException:
            pass
    ws.close()
    assert closed, "the server kept a connection that sent garbage"
    other = raw_socket(server, shop["cook"], "/kds")  # the server itself is fine
    other.send('42/kds,1["bump_ticket",{"ticket_id":999999}]')
    assert next_ack(other, "/kds", 1)["error"]["code"] == "not_found"
    other.close()


@pytest.mark.parametrize(
    "command, data",
    [
        ("bump_ticket", {"ticket_id": 2**63}),
        ("bump_ticket", ({"ticket_id": 1}, "extra")),
        ("no_such_command", {}),
    ],
    ids=["huge id", "two arguments", "unknown"],
)
def test_a_real_client_gets_its_ack_for_hostile_commands(server, shop, command, data):
    cook = socketio.Client(reconnection=False)
    cook.connect(
        server, namespaces=["/kds"], auth={"token": shop["cook"]}, transports=["websocket"]
    )
    try:
        ack = cook.call(command, data, namespace="/kds", timeout=5)  # TimeoutError before
        assert ack["ok"] is False, ack
    finally:
        cook.disconnect()


def test_a_real_client_with_a_hostile_order_gets_its_ack(server, shop):
    waiter = socketio.Client(reconnection=False)
    waiter.connect(
        server, namespaces=["/floor"], auth={"token": shop["waiter"]}, transports=["websocket"]
    )
    try:
        for changes in ({"notes": "\x00"}, {"customer_name": "\ud800"}, {"guests": 2**63}):
            ack = waiter.call("create_order", takeaway(shop, **changes), "/floor", timeout=5)
            assert ack["ok"] is False and ack["error"]["code"] == "validation_failed", ack
    finally:
        waiter.disconnect()


def test_a_surrogate_token_is_refused_at_connect_not_left_hanging(server):
    client = socketio.Client(reconnection=False)
    refusals = []
    client.on("connect_error", lambda *data: refusals.append(data), namespace="/kds")
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        client.connect(
            server,
            namespaces=["/kds"],
            auth={"token": "\ud800"},
            transports=["websocket"],
            wait_timeout=5,
        )
    client.disconnect()
    # The server answered with a refusal (left hanging, the client would give up after
    # wait_timeout with no answer and say "Unexpected connection error").
    assert "failed to connect: /kds" in str(refused.value), refused.value
    assert "token_invalid" in str(refusals), refusals
