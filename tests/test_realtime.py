"""Real time with real clients: python-socketio against the gevent server on loopback."""

from __future__ import annotations

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
        if "snapshot" in ack:
            snap = ack["snapshot"]
            self.seq = snap["seq"]
            self.created = [t["id"] for t in snap["tickets"]]
        for event in ack.get("events", []):
            self._apply(event["name"], event["payload"])
        return ack

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
    assert ack["ok"] and ack["created"], ack
    again = waiter.call("create_order", body, namespace="/floor", timeout=10)
    assert again["ok"] and not again["created"]

    cook = socketio.Client(reconnection=False)
    cook.connect(
        server, namespaces=["/kds"], auth={"token": shop["cook"]}, transports=["websocket"]
    )
    for code in ("cold", "expo"):
        snap = cook.call(
            "join_station", {"station_id": shop["stations"][code]}, namespace="/kds", timeout=10
        )["snapshot"]
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
    assert denied == {"ok": False, "error": denied["error"]}
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
