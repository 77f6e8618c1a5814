"""Where the virtual printers listen (POS_VIRTUAL_PRINTER_PORT), and a port in use refused.

Before, every `make run` bound 127.0.0.1:9101-9105 and, when another one already did, logged a
warning and printed its chits on the other server's virtual printers. Now the first port is a
setting, `auto` picks free ports, and a port in use stops the server with a message.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import uuid
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import requests
from live import PROJECT_DIR, eventually, free_port, wait_until_healthy
from sqlalchemy import select

from pos_app.config import from_environment
from printers import queue
from printers.demo import SETTING, VirtualPrinterPortTaken, start_virtual_printers
from printers.models import Printer
from printers.render import decode_escpos
from printers.worker import process_one


def free_range(count: int = 5) -> int:
    """A first port with `count` free ports from it (below the ephemeral range)."""
    for _ in range(200):
        first = random.randint(20000, 32000)
        if all(_is_free(first + i) for i in range(count)):
            return first
    pytest.fail("no free range of ports found")


def _is_free(port: int) -> bool:
    with closing(socket.socket()) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextmanager
def someone_listening():
    """Another program's listener on a port; yields (port, the connections it accepted)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    try:
        yield sock.getsockname()[1], sock
    finally:
        sock.close()


def accepted(sock: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return count
        conn.close()
        count += 1


def loopback_ports(db) -> dict[str, int]:
    with db(write=False) as s:
        rows = s.scalars(select(Printer).where(Printer.host == "127.0.0.1").order_by(Printer.id))
        return {p.name: p.port for p in rows}


def stop_all(app) -> None:
    for vp in app.extensions.pop("virtual_printers", {}).values():
        vp.stop()


def test_a_port_in_use_stops_the_virtual_printers_with_a_message_naming_it(app, demo, db):
    with someone_listening() as (port, other):
        app.config[SETTING] = port
        try:
            with pytest.raises(VirtualPrinterPortTaken) as refused:
                start_virtual_printers(app)
        finally:
            stop_all(app)
        message = str(refused.value)
        assert f"127.0.0.1:{port}" in message
        assert "in use" in message and f"{SETTING}=auto" in message
        assert not app.extensions.get("virtual_printers")  # none left half started
        assert accepted(other) == 0  # nothing was sent to the other program


def test_a_first_port_moves_the_demo_printers_there_and_chits_follow(app, demo, db):
    first = free_range()
    app.config[SETTING] = first
    try:
        running = start_virtual_printers(app)
        ports = loopback_ports(db)
        assert sorted(ports.values()) == list(range(first, first + 5))
        assert sorted(vp.port for vp in running.values()) == list(range(first, first + 5))
        with db() as s:
            grill = s.scalar(select(Printer).where(Printer.name == "Grill printer"))
            queue.queue_job(s, grill, "test", {}, grill.station_id, "test")
            grill_id = grill.id
        assert process_one(app, grill_id)
        assert running[grill_id].wait_idle()
        assert "TEST PRINT" in decode_escpos(running[grill_id].jobs[-1].data)
    finally:
        stop_all(app)


def test_auto_picks_free_ports_when_the_demo_ports_are_taken(app, demo, db):
    with someone_listening() as (port, other):
        with db() as s:  # the demo's grill printer on a port another program holds
            s.scalar(select(Printer).where(Printer.name == "Grill printer")).port = port
        app.config[SETTING] = "auto"
        try:
            running = start_virtual_printers(app)
            ports = loopback_ports(db)
            assert ports["Grill printer"] != port
            assert sorted(ports.values()) == sorted(vp.port for vp in running.values())
        finally:
            stop_all(app)
        assert accepted(other) == 0


def test_the_setting_is_a_port_or_auto(monkeypatch):
    for good, expected in (("9201", 9201), ("auto", "auto"), ("", None), ("AUTO ", "auto")):
        monkeypatch.setenv(SETTING, good)
        assert from_environment()[SETTING] == expected
    for bad in ("0", "70000", "91o1", "-1", "9101-9105"):
        monkeypatch.setenv(SETTING, bad)
        with pytest.raises(ValueError, match=SETTING):
            from_environment()


# ---- two servers as two `make run`s on one machine -----------------------------------------


def make_run_env(folder: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_INSTANCE_DIR=str(folder),
        POS_PASSWORD_HASHING="fast",
        POS_LOG_LEVEL="INFO",
        POS_VIRTUAL_PRINTERS="1",
        **extra,
    )
    return env


def flask_pos(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "pos_app", "pos", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def serve(env: dict, folder: Path, name: str):
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", proc, log
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=20)


def printed(url: str, manager: str, printer_id: int) -> list[str]:
    response = requests.get(
        f"{url}/api/v1/printers/{printer_id}/virtual-output",
        headers={"Authorization": f"Bearer {manager}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [job["text"] for job in response.json()["items"]]


def login(url: str, **body) -> str:
    response = requests.post(f"{url}/api/v1/auth/login", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def test_a_second_make_run_never_prints_on_the_first_ones_printers(tmp_path):
    first = free_range()
    shops = {name: tmp_path / name for name in ("one", "two")}
    for folder in shops.values():
        folder.mkdir()
        flask_pos(make_run_env(folder), "migrate")
        flask_pos(make_run_env(folder), "demo", "--if-empty")

    welcome = subprocess.run(
        [sys.executable, "-m", "pos_app.welcome"],
        cwd=PROJECT_DIR,
        env=make_run_env(shops["one"], **{SETTING: str(first)}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"127.0.0.1:{first}-{first + 4}" in welcome.stdout, welcome.stdout
    assert f"{SETTING}=" in welcome.stdout

    one_env = make_run_env(shops["one"], **{SETTING: str(first)})
    with serve(one_env, shops["one"], "one") as (one, one_proc, one_log):
        wait_until_healthy(one, one_proc, one_log)
        # The second shop on the same ports: refused, loudly, before it serves anything.
        two_env = make_run_env(shops["two"], **{SETTING: str(first)})
        with serve(two_env, shops["two"], "two-refused") as (_url, proc, log):
            assert proc.wait(timeout=60) != 0
            said = log.read_text()
            assert f"127.0.0.1:{first}" in said and "in use" in said and SETTING in said

        # With free ports it starts, and its chits print on its own virtual printers.
        two_env[SETTING] = "auto"
        with serve(two_env, shops["two"], "two") as (two, two_proc, two_log):
            wait_until_healthy(two, two_proc, two_log)
            assert "virtual printers listening" in two_log.read_text()
            waiter = login(two, pin="1111")
            menu = requests.get(
                f"{two}/api/v1/menu", headers={"Authorization": f"Bearer {waiter}"}, timeout=10
            ).json()
            hummus = next(
                i["id"]
                for c in menu["categories"]
                for i in c["items"]
                if i["name"]["en"] == "Hummus"
            )
            order = {
                "id": str(uuid.uuid4()),
                "type": "takeaway",
                "customer_name": "SECOND-SHOP",
                "fire": True,
                "lines": [{"id": str(uuid.uuid4()), "item_id": hummus, "quantity": 1}],
            }
            response = requests.post(
                f"{two}/api/v1/orders",
                json=order,
                headers={"Authorization": f"Bearer {waiter}"},
                timeout=10,
            )
            assert response.status_code == 201, response.text
            manager = {"email": "manager@example.com", "password": "manager-demo-pass"}
            two_manager, one_manager = login(two, **manager), login(one, **manager)
            printers = requests.get(
                f"{two}/api/v1/printers", headers={"Authorization": f"Bearer {two_manager}"}
            ).json()["items"]
            cold = next(p for p in printers if p["name"] == "Cold kitchen printer")
            assert cold["port"] not in range(first, first + 5)
            papers = eventually(lambda: printed(two, two_manager, cold["id"]))
            assert "SECOND-SHOP" in papers[0]
            for printer in printers:  # the first shop's virtual printers got nothing
                assert printed(one, one_manager, printer["id"]) == []
