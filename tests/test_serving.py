"""Serving: one start-up path for every way of serving, and the file-descriptor limit.

The servers here are real processes: `python -m pos_app.server`, gunicorn's gevent worker
over `wsgi:app`, and gevent's pywsgi over `wsgi:app`, each over the test database. Printers
are VirtualPrinter listeners on loopback in this process; screens are raw websockets.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests
import websocket
from conftest import TEST_SECRET
from live import eventually, free_port, wait_until_healthy
from sqlalchemy import select

from pos_app import startup
from pos_app.menu.models import MenuItem, Modifier, Station
from printers.models import Printer
from printers.render import decode_escpos
from printers.virtual import VirtualPrinter
from table_service.models import DiningTable

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py's browser fixture skips (or, on CI, fails) and says why
    expect = None

PROJECT_DIR = Path(__file__).resolve().parent.parent
REFUSED = "refusing new Socket.IO connections"


def server_env(database_url: str, folder: Path, **overrides) -> dict:
    """The environment a branch server gets in these tests (as tests/live.py gives it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_DATABASE_URL=database_url,
        POS_SECRET_KEY=TEST_SECRET,
        POS_PASSWORD_HASHING="fast",
        POS_INSTANCE_DIR=str(folder),
        POS_LOG_LEVEL="WARNING",
        POS_VIRTUAL_PRINTERS="0",
    )
    env.update(overrides)
    return env


def serve_commands(port: int) -> dict[str, list[str]]:
    """Every way the README offers to serve the app, listening on `port`."""
    pywsgi = (
        "import wsgi\n"  # monkey-patches first, as a deployment's import would
        "from gevent.pywsgi import WSGIServer\n"
        f"WSGIServer(('127.0.0.1', {port}), wsgi.app).serve_forever()\n"
    )
    return {
        "pos_app.server": [
            *(sys.executable, "-m", "pos_app.server", "--host", "127.0.0.1"),
            *("--port", str(port)),
        ],
        "gunicorn": [
            *(sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1"),
            *("-b", f"127.0.0.1:{port}", "wsgi:app"),
        ],
        "pywsgi": [sys.executable, "-c", pywsgi],
    }


@contextmanager
def serving(how: str, env: dict, folder: Path, preexec_fn=None):
    """Serve the app `how` in a subprocess; yields (url, path of its log)."""
    port = free_port()
    log = folder / f"{how}-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            serve_commands(port)[how],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=out,
            preexec_fn=preexec_fn,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, proc, log)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def open_files_limit(soft: int, hard: int):
    """preexec_fn: start the server with this RLIMIT_NOFILE, as a low-limit machine would."""

    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    return apply


def ids_of(db) -> dict:
    with db(write=False) as s:
        return {
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "mods": {m.name: m.id for m in s.scalars(select(Modifier))},
            "tables": {t.label: t.id for t in s.scalars(select(DiningTable))},
        }


def post_order(url: str, token: str, ids: dict, table: str) -> requests.Response:
    """POST a Mixed grill (with fries) for `table`, fired at once."""
    item, mods = "Mixed grill", ["French fries"]
    body = {
        "id": str(uuid.uuid4()),
        "type": "dine_in",
        "table_id": ids["tables"][table],
        "guests": 2,
        "fire": True,
        "lines": [
            {
                "id": str(uuid.uuid4()),
                "item_id": ids["items"][item],
                "quantity": 1,
                "modifier_ids": [ids["mods"][m] for m in mods],
            }
        ],
    }
    headers = {"Authorization": f"Bearer {token}"}
    return requests.post(f"{url}/api/v1/orders", json=body, headers=headers, timeout=10)


# -- one start-up path ----------------------------------------------------------------------


@pytest.fixture
def grill_printer(client, demo, db, auth):
    """The demo's grill printer pointed at a VirtualPrinter listening on loopback."""
    with db(write=False) as s:
        printer = s.scalars(
            select(Printer)
            .join(Station, Printer.station_id == Station.id)
            .where(Station.code == "grill")
        ).first()
    listener = VirtualPrinter("grill").start()
    response = client.patch(
        f"/api/v1/printers/{printer.id}",
        json={"host": "127.0.0.1", "port": listener.port},
        headers=auth("manager"),
    )
    assert response.status_code == 200, response.get_json()
    yield listener
    listener.stop()


@pytest.mark.parametrize("how", ["gunicorn", "pywsgi"])
def test_wsgi_py_served_by_a_wsgi_server_prints_a_fired_orders_chit(
    how, grill_printer, db, token_for, database_url, tmp_path
):
    ids = ids_of(db)
    env = server_env(database_url, tmp_path)
    with serving(how, env, tmp_path) as (url, log):
        response = post_order(url, token_for("waiter"), ids, table="4")
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        eventually(lambda: any(job.complete for job in grill_printer.jobs), seconds=15)
    [chit] = [decode_escpos(job.data) for job in grill_printer.jobs if job.complete]
    assert f"#{number} " in chit and "Mixed grill" in chit, log.read_text()


def test_every_way_of_serving_goes_through_start_services():
    sources = {
        "wsgi.py": (PROJECT_DIR / "wsgi.py").read_text(),
        "pos_app/server.py": (PROJECT_DIR / "pos_app" / "server.py").read_text(),
    }
    for name, source in sources.items():
        assert "start_services(app)" in source, f"{name} does not start the services"
        assert "scheduler.start" not in source, f"{name} starts the scheduler its own way"


@pytest.fixture
def fresh_process(monkeypatch):
    """start_services as in a process that has not started anything; records what starts."""
    started = []
    monkeypatch.setattr(startup, "_started_in_pid", None)
    monkeypatch.setattr(startup.descriptors, "raise_limit", lambda: started.append("fd limit"))
    monkeypatch.setattr(startup.scheduler, "start", lambda app: started.append("scheduler"))
    monkeypatch.setattr(startup, "freeze_heap", lambda: started.append("heap frozen"))
    return started


def test_services_start_exactly_once_per_process(app, fresh_process):
    assert startup.start_services(app) is True
    assert startup.start_services(app) is False  # a second import of wsgi.py, another app
    assert fresh_process == ["fd limit", "scheduler", "heap frozen"]


def test_pos_scheduler_0_turns_background_work_off_but_still_raises_the_limit(app, fresh_process):
    app.config["POS_SCHEDULER"] = False
    assert startup.start_services(app) is True
    assert fresh_process == ["fd limit", "heap frozen"]


def test_the_start_up_heap_is_left_out_of_full_collections():
    """A full collection walked the whole app under load, holding the hub 150-185 ms."""
    try:
        startup.freeze_heap()
        assert gc.get_freeze_count() > 10_000  # the app, SQLAlchemy, Flask: all frozen
    finally:
        gc.unfreeze()


# -- file descriptors -----------------------------------------------------------------------

# POS_TEST_FD_LIMIT=1024 measures a common limit (docs/security.md); 256 keeps the test quick.
HARD_LIMIT = int(os.environ.get("POS_TEST_FD_LIMIT", "256"))


class Screen:
    """A kitchen screen's Socket.IO connection, spoken by hand over a raw websocket."""

    def __init__(self, url: str, token: str, header: list[str] | None = None):
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(ws_url, timeout=10, header=header)
        opened = self.ws.recv()
        assert opened.startswith("0{"), opened  # engine.io open
        self.ws.send("40/kds," + json.dumps({"token": token}))
        answer = self.ws.recv()
        assert answer.startswith("40/kds,"), answer  # the namespace accepted the screen

    def close(self):
        self.ws.close()


def connect_until_refused(url: str, token: str, screens: list, most: int) -> int:
    """Connect screens until the server refuses one; the HTTP status of that refusal."""
    for _ in range(most):
        try:
            screens.append(Screen(url, token))
        except websocket.WebSocketBadStatusException as refused:
            return refused.status_code
    pytest.fail(f"{len(screens)} screens connected and none was refused")


def health(url: str) -> dict:
    response = requests.get(f"{url}/healthz", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_soft_descriptor_limit_is_raised_to_the_hard_one_at_start(database_url, tmp_path):
    env = server_env(database_url, tmp_path)
    low = open_files_limit(128, HARD_LIMIT)
    with serving("pos_app.server", env, tmp_path, preexec_fn=low) as (url, _log):
        descriptors = health(url)["descriptors"]
    assert descriptors["limit"] == HARD_LIMIT
    assert 0 < descriptors["in_use"] < descriptors["refuse_new_sockets_at"] < HARD_LIMIT
    assert descriptors["refusing_new_sockets"] is False


@pytest.mark.parametrize("how", ["pos_app.server", "gunicorn"])
def test_near_the_descriptor_limit_new_screens_are_refused_and_orders_still_go_through(
    how, demo, db, token_for, database_url, tmp_path
):
    ids = ids_of(db)
    cook, waiter = token_for("kitchen"), token_for("waiter")
    env = server_env(database_url, tmp_path)
    low = open_files_limit(HARD_LIMIT, HARD_LIMIT)
    with ExitStack() as stack, serving(how, env, tmp_path, preexec_fn=low) as (url, log):
        screens: list[Screen] = []
        stack.callback(lambda: [screen.close() for screen in screens])
        status = connect_until_refused(url, cook, screens, most=HARD_LIMIT)
        assert status == 503
        connected = len(screens)
        # Two more screens knock: refused too, and the log says it once, not per refusal.
        for _ in range(2):
            assert connect_until_refused(url, cook, screens, most=1) == 503
        assert len(screens) == connected

        # HTTP still has descriptors: an order goes through and the health check says why.
        response = post_order(url, waiter, ids, table="4")
        assert response.status_code == 201, response.text
        descriptors = health(url)["descriptors"]
        assert descriptors["limit"] == HARD_LIMIT
        assert descriptors["refusing_new_sockets"] is True
        assert descriptors["in_use"] >= descriptors["refuse_new_sockets_at"]
        assert log.read_text().count(REFUSED) == 1, log.read_text()

        # Screens leave: new ones are let in again.
        for screen in screens[: connected // 3]:
            screen.close()
        del screens[: connected // 3]
        eventually(lambda: not health(url)["descriptors"]["refusing_new_sockets"])
        screens.append(Screen(url, cook))
    print(f"\n{how}: {connected} screens connected under a limit of {HARD_LIMIT}, then 503;")
    print(f"  POST /api/v1/orders 201; /healthz descriptors {descriptors}")
    # A screen holds two descriptors under pos_app.server (simple-websocket dups the socket
    # gevent's pywsgi hands it), one under gunicorn; the refusal came near the threshold.
    assert connected >= HARD_LIMIT // 4, f"only {connected} screens connected"


# What Chromium and Node's `ws` offer in every WebSocket upgrade.
DEFLATE_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"


@pytest.mark.parametrize("how", ["pos_app.server", "gunicorn"])
def test_a_screen_offering_compression_gets_an_uncompressed_websocket(
    how, token_for, database_url, tmp_path
):
    cook = token_for("kitchen")
    with serving(how, server_env(database_url, tmp_path), tmp_path) as (url, _log):
        screen = Screen(url, cook, header=[DEFLATE_OFFER])
        try:
            answer = screen.ws.getheaders()
            # The upgrade took no extension; the namespace's answer came as a plain frame
            # (websocket-client would fail on a compressed one: it offers no deflate itself).
            assert screen.ws.getstatus() == 101
            assert "sec-websocket-extensions" not in answer, answer
        finally:
            screen.close()


def test_a_refused_kitchen_screen_shows_reconnecting_and_gets_in_once_there_is_room(
    browser, demo, make_staff, token_for, database_url, arabic_catalog, tmp_path
):
    make_staff("kitchen", pin="4831", locale="en")
    cook = token_for("kitchen")
    env = server_env(database_url, tmp_path)
    low = open_files_limit(HARD_LIMIT, HARD_LIMIT)
    with (
        ExitStack() as stack,
        serving("pos_app.server", env, tmp_path, preexec_fn=low) as (url, _log),
    ):
        screens: list[Screen] = []
        stack.callback(lambda: [screen.close() for screen in screens])
        assert connect_until_refused(url, cook, screens, most=HARD_LIMIT) == 503

        page = browser.new_page(base_url=url, viewport={"width": 1280, "height": 800})
        page.goto("/login?next=/kds?station=grill")  # HTTP still works: the sign-in goes
        page.fill("#pin", "4831")
        page.get_by_test_id("pin-submit").click()
        page.wait_for_url("**/kds*")
        expect(page.get_by_test_id("reconnecting")).to_be_visible()
        assert page.evaluate("document.getElementById('kds').dataset.live") != "1"

        for screen in screens[: len(screens) // 3]:
            screen.close()
        del screens[: len(screens) // 3]
        # socket.io's client retries the refused handshake by itself (0.5-4 s apart).
        page.wait_for_function(
            "() => document.getElementById('kds').dataset.live === '1'", timeout=20000
        )
        expect(page.get_by_test_id("reconnecting")).to_be_hidden()
