"""A revoked or expired login loses its open sockets: right after the commit, in every process.

Real python-socketio clients (and one bare WebSocket that ignores what it is told) against
the real gevent server; two server processes joined by Redis for the cross-process drop. The
in-process tests (Flask-SocketIO's test client) pin down the transaction rules: nothing is
dropped before the commit, nor after a rollback.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import timedelta

import pytest
import requests
import socketio
from conftest import need
from live import running_server
from sqlalchemy import select

from pos_app import clock
from pos_app.auth.models import AuthToken, Staff
from pos_app.menu.models import MenuItem, Station

PUSHES = ("ticket_created", "ticket_updated", "order_updated", "table_updated", "order_ready")


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    with running_server(database_url, tmp_path_factory.mktemp("revoke")) as url:
        yield url


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


@pytest.fixture
def shop(demo, db):
    with db(write=False) as s:
        return {
            "hummus": s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus")),
            "cold": s.scalar(select(Station.id).where(Station.code == "cold")),
        }


class Screen:
    """A real Socket.IO client on one namespace that notes what it hears, and when."""

    def __init__(self, url: str, token: str, namespace: str, station_id: int | None = None):
        self.namespace = namespace
        self.heard: list[tuple[str, object]] = []
        self.revoked: list[dict] = []
        self.dropped = threading.Event()
        self.dropped_at: float | None = None
        self.client = socketio.Client(reconnection=False)
        self.client.on("session_revoked", self.revoked.append, namespace=namespace)
        self.client.on("disconnect", self._on_disconnect, namespace=namespace)
        for name in PUSHES:
            self.client.on(name, self._hear(name), namespace=namespace)
        self.client.connect(
            url, namespaces=[namespace], auth={"token": token}, transports=["websocket"]
        )
        if station_id is not None:
            ack = self.client.call(
                "join_station", {"station_id": station_id}, namespace=namespace, timeout=5
            )
            assert ack["ok"], ack

    def _hear(self, name: str):
        return lambda payload: self.heard.append((name, payload))

    def _on_disconnect(self, *_reason):
        self.dropped_at = time.monotonic()
        self.dropped.set()

    def close(self) -> None:
        self.client.disconnect()


def api(url: str, token: str, method: str, path: str, body=None):
    return requests.request(
        method,
        f"{url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def fire_takeaway(url: str, waiter: str, shop: dict) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "Ali",
        "fire": True,
        "lines": [{"id": str(uuid.uuid4()), "item_id": shop["hummus"], "quantity": 1}],
    }
    response = api(url, waiter, "POST", "/orders", body)
    assert response.status_code == 201, response.text


def refusal(url: str, token: str, namespace: str) -> str:
    """The error code a (re)connect with `token` is refused with."""
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", errors.append, namespace=namespace)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                url,
                namespaces=[namespace],
                auth={"token": token},
                transports=["websocket"],
                wait_timeout=5,
            )
    finally:
        client.disconnect()
    return errors[0]["data"]["error"]["code"]  # what socket.io-client gives as err.data


def assert_dropped(screen: Screen, code: str, seconds: float = 5) -> None:
    assert screen.dropped.wait(seconds), "the socket is still connected"
    assert [r["code"] for r in screen.revoked] == [code], screen.revoked


def staff_id_of(db, token: str) -> int:
    import hashlib

    with db(write=False) as s:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return s.scalar(select(AuthToken.staff_id).where(AuthToken.token_hash == digest))


# -- one server process ------------------------------------------------------------------------


def test_logout_drops_every_socket_of_that_token_and_no_other(server, shop, token_for):
    cook, other_cook, waiter = token_for("kitchen"), token_for("kitchen"), token_for("waiter")
    screen = Screen(server, cook, "/kds", shop["cold"])
    second_tab = Screen(server, cook, "/kds")
    colleague = Screen(server, other_cook, "/kds", shop["cold"])

    assert api(server, cook, "POST", "/auth/logout").status_code == 204
    assert_dropped(screen, "token_revoked")
    assert_dropped(second_tab, "token_revoked")
    fire_takeaway(server, waiter, shop)  # the kitchen goes on: the colleague hears it
    deadline = time.monotonic() + 5
    while not colleague.heard and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [name for name, _ in colleague.heard] == ["ticket_created"]
    assert not colleague.dropped.is_set() and colleague.revoked == []
    assert screen.heard == [] and second_tab.heard == []
    assert refusal(server, cook, "/kds") == "token_revoked"
    colleague.close()


def test_a_waiter_logout_drops_the_handheld(server, token_for):
    waiter = token_for("waiter")
    handheld = Screen(server, waiter, "/floor")
    assert api(server, waiter, "POST", "/auth/logout").status_code == 204
    assert_dropped(handheld, "token_revoked")
    assert refusal(server, waiter, "/floor") == "token_revoked"


def test_logout_from_the_page_drops_the_screen(server, shop, token_for):
    cook = token_for("kitchen")
    screen = Screen(server, cook, "/kds", shop["cold"])
    browser = requests.Session()
    home = browser.get(f"{server}/login/device", params={"token": cook}, timeout=10)
    assert home.status_code == 200, home.text[:500]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
    out = browser.post(
        f"{server}/logout", data={"csrf_token": csrf}, allow_redirects=False, timeout=10
    )
    assert out.status_code == 302
    assert_dropped(screen, "token_revoked")


def test_deactivating_a_kitchen_login_from_the_back_office_drops_its_screens(
    server, shop, db, token_for
):
    cook, owner = token_for("kitchen"), token_for("owner", method="password")
    screens = [Screen(server, cook, "/kds", shop["cold"]), Screen(server, cook, "/kds")]
    response = api(server, owner, "DELETE", f"/staff/{staff_id_of(db, cook)}")
    assert response.status_code in (200, 204), response.text
    for screen in screens:
        assert_dropped(screen, "token_revoked")
    assert refusal(server, cook, "/kds") in ("token_revoked", "staff_inactive")


def test_the_server_drops_a_client_that_ignores_the_notice(server, shop, token_for):
    import websocket

    cook, waiter = token_for("kitchen"), token_for("waiter")
    ws = websocket.create_connection(
        server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=5
    )
    ws.recv()  # Engine.IO open
    ws.send("40/kds," + json.dumps({"token": cook}))
    assert ws.recv().startswith("40/kds,")
    ws.send(f'42/kds,1["join_station",{{"station_id":{shop["cold"]}}}]')
    assert ws.recv().startswith("43/kds,1")

    assert api(server, cook, "POST", "/auth/logout").status_code == 204
    frames = [ws.recv(), ws.recv()]
    assert frames[0].startswith('42/kds,["session_revoked"'), frames
    assert frames[1] == "41/kds,", frames  # the namespace is disconnected by the server
    ws.send('42/kds,2["bump_ticket",{"ticket_id":1}]')  # and the client carries on as if not
    fire_takeaway(server, waiter, shop)
    ws.settimeout(1.5)
    later = []
    try:
        while True:
            frame = ws.recv()
            if frame == "2":
                ws.send("3")
            else:
                later.append(frame)
    except websocket.WebSocketTimeoutException:
        pass
    ws.close()
    assert later == [], "a dropped socket still heard something"


def test_an_expired_login_is_dropped_by_the_sweep(server, db, make_staff):
    from pos_app.auth.tokens import issue_token

    cook = make_staff("kitchen")
    with db() as s:
        raw = issue_token(s, s.get(Staff, cook.id), 8, "test", "pin")
    with db() as s:
        token = s.scalar(select(AuthToken).order_by(AuthToken.id.desc()).limit(1))
        token.expires_at = clock.utcnow() + timedelta(seconds=2)
    screen = Screen(server, raw, "/kds")
    assert not screen.dropped.wait(1)
    assert_dropped(screen, "token_expired", seconds=10)  # swept every 5 s
    assert refusal(server, raw, "/kds") == "token_expired"


@pytest.mark.parametrize(
    "role, path, live",
    [
        ("kitchen", "/kds?station=cold", "#kds[data-live='1']"),
        ("waiter", "/handheld", "[data-testid=link-state][data-state=live]"),
        ("cashier", "/cashier", "#cs-link[data-state=live]"),
    ],
    ids=["kds", "handheld", "cashier"],
)
def test_a_deactivated_login_sends_its_page_to_the_login_page(
    server, shop, db, make_staff, token_for, browser, role, path, live
):
    staff = make_staff(role, pin=f"{7400 + len(role)}", locale="en")
    owner = token_for("owner", method="password")
    context = browser.new_context(base_url=server, locale="en-US")
    page = context.new_page()
    page.goto(path)
    page.fill("#pin", staff.test_pin)
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url(re.compile(re.escape(path.split("?")[0])))
    page.wait_for_selector(live, timeout=10_000)

    response = api(server, owner, "DELETE", f"/staff/{staff.id}")
    assert response.status_code in (200, 204), response.text
    page.wait_for_url(re.compile(r"/login\b"), timeout=10_000)  # kds.js: after its toast
    context.close()


# -- several processes joined by Redis ------------------------------------------------------


def test_a_logout_on_one_process_drops_the_sockets_held_by_another(
    database_url, redis_url, shop, db, token_for, tmp_path
):
    if not database_url.startswith("postgresql"):
        need("postgres", "two server processes share PostgreSQL; this run is on SQLite")
    cook, waiter, other_cook = token_for("kitchen"), token_for("waiter"), token_for("kitchen")
    owner = token_for("owner", method="password")
    with (
        running_server(database_url, tmp_path, POS_REDIS_URL=redis_url) as first,
        running_server(database_url, tmp_path, POS_REDIS_URL=redis_url) as second,
    ):
        on_second = Screen(second, cook, "/kds", shop["cold"])
        on_first = Screen(first, cook, "/kds")
        handheld = Screen(second, waiter, "/floor")
        colleague = Screen(second, other_cook, "/kds", shop["cold"])

        assert api(first, cook, "POST", "/auth/logout").status_code == 204
        assert_dropped(on_second, "token_revoked")
        assert_dropped(on_first, "token_revoked")

        response = api(first, owner, "DELETE", f"/staff/{staff_id_of(db, waiter)}")
        assert response.status_code in (200, 204), response.text
        assert_dropped(handheld, "token_revoked")  # revoke_all_for: by staff member

        fire_takeaway(first, token_for("waiter"), shop)
        deadline = time.monotonic() + 5
        while not colleague.heard and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [name for name, _ in colleague.heard] == ["ticket_created"]
        assert on_second.heard == [] and not colleague.dropped.is_set()
        colleague.close()


# -- the transaction rules, in-process ------------------------------------------------------


def connect(app, client, token: str, namespace: str = "/kds"):
    from pos_app.extensions import socketio as extension

    screen = extension.test_client(
        app, namespace=namespace, auth={"token": token}, flask_test_client=client
    )
    assert screen.is_connected(namespace)
    return screen


def revoked_notices(screen, namespace: str = "/kds") -> list[dict]:
    return [m["args"][0] for m in screen.queue if m["name"] == "session_revoked"]


def test_the_drop_waits_for_the_commit_and_a_rollback_drops_nothing(app, client, token_for):
    from pos_app.auth.tokens import revoke_token
    from pos_app.db import unit_of_work

    cook = token_for("kitchen")
    screen = connect(app, client, cook)
    with app.app_context():
        with pytest.raises(RuntimeError), unit_of_work() as s:
            revoke_token(s, cook)
            raise RuntimeError("the rest of the request failed")
        assert screen.is_connected("/kds") and revoked_notices(screen) == []

        with unit_of_work() as s:
            revoke_token(s, cook)
            assert screen.is_connected("/kds"), "dropped before the commit"
        assert not screen.is_connected("/kds")
        assert revoked_notices(screen) == [screen_notice("token_revoked")]


def screen_notice(code: str) -> dict:
    from pos_app.socket_clients import notice

    return notice(code)


def test_a_new_pin_or_password_drops_every_socket_of_that_person(app, client, db, token_for):
    from pos_app.auth.tokens import revoke_all_for

    waiter, stranger = token_for("waiter"), token_for("waiter")
    phone, tablet = connect(app, client, waiter, "/floor"), connect(app, client, waiter, "/floor")
    other = connect(app, client, stranger, "/floor")
    staff_id = staff_id_of(db, waiter)
    with db() as s:
        revoke_all_for(s, staff_id)  # what a PIN, password or deactivation change calls
    assert not phone.is_connected("/floor") and not tablet.is_connected("/floor")
    assert other.is_connected("/floor")


def test_an_expired_login_is_swept_without_a_command(app, client, token_for):
    from pos_app.extensions import socketio as extension

    screen = connect(app, client, token_for("kitchen"))
    manager = extension.server.manager
    assert manager.drop_expired(clock.utcnow().timestamp()) == 0
    clock.advance(8 * 3600 + 1)  # the test tokens live 8 hours
    assert manager.drop_expired(clock.utcnow().timestamp()) == 1
    assert not screen.is_connected("/kds")
    assert revoked_notices(screen) == [screen_notice("token_expired")]


def test_a_command_that_finds_its_login_gone_refuses_and_drops_the_socket(
    app, client, db, token_for
):
    from pos_app.auth.models import AuthToken as Token

    cook = token_for("kitchen")
    screen = connect(app, client, cook)
    with db() as s:  # revoked behind the socket's back: as if the drop were lost
        s.execute(Token.__table__.update().values(revoked_at=clock.utcnow()))
    ack = screen.emit("bump_ticket", {"ticket_id": 1}, namespace="/kds", callback=True)
    assert ack["error"]["code"] == "token_revoked"
    deadline = time.monotonic() + 5
    while screen.is_connected("/kds") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not screen.is_connected("/kds")


@pytest.mark.parametrize("revoke_after_look", [1, 2], ids=["before joining", "while connecting"])
def test_a_revocation_committed_while_the_socket_connects_refuses_it(
    app, client, token_for, monkeypatch, revoke_after_look
):
    from pos_app import realtime
    from pos_app.auth.tokens import revoke_token
    from pos_app.db import unit_of_work
    from pos_app.extensions import socketio as extension

    cook = token_for("kitchen")
    looks = []
    real_check = realtime._check_login

    def check_then_revoke(raw, roles):
        looks.append(raw)
        result = real_check(raw, roles)
        if len(looks) == revoke_after_look:  # the logout lands right after this look
            with unit_of_work() as s:
                revoke_token(s, raw)
        return result

    monkeypatch.setattr(realtime, "_check_login", check_then_revoke)
    screen = extension.test_client(
        app, namespace="/kds", auth={"token": cook}, flask_test_client=client
    )
    assert not screen.is_connected("/kds")
    assert extension.server.manager.refused == set()  # nothing left behind
