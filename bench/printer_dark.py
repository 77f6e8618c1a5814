"""A station printer and its backup both dark: what one order costs the server.

One command (from the repository root):

    .venv/bin/python bench/printer_dark.py                  # SQLite, both printers refuse
    .venv/bin/python bench/printer_dark.py --mode drop      # they accept and hang up at once
    .venv/bin/python bench/printer_dark.py --mode blackhole # connections time out
    .venv/bin/python bench/printer_dark.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test  # a schema of its own

What it does, all on 127.0.0.1:

1. A fresh SQLite database in a temporary folder (or a fresh schema on the PostgreSQL
   database given, dropped at the end), `flask pos migrate` and `flask pos demo`, then the real
   server (`python -m pos_app.server`, its print worker inside) as a subprocess, logging at
   INFO as a shop runs it.
2. Over the API the demo's grill printer and its backup, the fry printer (the demo backs them
   up both ways), are pointed at dark ports: `refused` (nobody listens), `drop` (a listener
   that accepts and closes at once, counting the connections) or `blackhole` (a full backlog:
   connections time out, like a printer switched off). Every other printer points at a
   virtual printer of this process.
3. Two kitchen screens (python-socketio clients on /kds, the demo cook) join the grill and
   the fry stations and count the `printer_status` pushes they get.
4. The server's CPU (utime + stime from /proc/<pid>/stat, its print process's added) is read
   over an idle window, then one order with a grill dish is fired and, after a settling
   delay, over `--seconds`: server CPU (% of one core), log lines and pushes per second, and
   connections per second reaching the dark ports (drop mode only: a refused port cannot
   count them).
5. The grill printer comes back (a virtual printer on its port): the seconds until the chit
   is out, and how many copies of it printed (one is right).

Standard library, python-socketio and the project's own printers package only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
for _path in (str(BENCH), str(PROJECT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import order_to_kds as base  # noqa: E402  (process and HTTP helpers)
import socketio  # noqa: E402

from printers.render import decode_escpos  # noqa: E402
from printers.virtual import VirtualPrinter  # noqa: E402

MANAGER = {"email": "manager@example.com", "password": "manager-demo-pass"}
RESULTS = BENCH / "results"
clock = time.monotonic


class DropListener:
    """Accepts every connection and closes it at once; counts them."""

    def __init__(self, port: int = 0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.port, self.accepted = self.sock.getsockname()[1], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class Blackhole:
    """A listener that never accepts, its backlog filled: further connections time out."""

    def __init__(self, port: int = 0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(0)
        self.port, self.accepted, self.fill = self.sock.getsockname()[1], None, []
        for _ in range(4):
            client = socket.socket()
            client.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                client.connect(("127.0.0.1", self.port))
            self.fill.append(client)

    def close(self) -> None:
        for client in self.fill:
            client.close()
        self.sock.close()


class Refused:
    """A port nobody listens on."""

    def __init__(self):
        self.port, self.accepted = base.free_port(), None

    def close(self) -> None:
        pass


DARK = {"refused": Refused, "drop": DropListener, "blackhole": Blackhole}


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and of its children (the server's print process), in s."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # it, or its child
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def log_lines(log: Path) -> list[str]:
    return log.read_text(errors="replace").splitlines()


class Window:
    """Counters read at the start and end of a measured window."""

    def __init__(self, pid, log, screens, dark):
        self.pid, self.log, self.screens, self.dark = pid, log, screens, dark

    def read(self) -> dict:
        lines = log_lines(self.log)
        return {
            "t": clock(),
            "cpu": cpu_seconds(self.pid),
            "lines": len(lines),
            "failed_lines": sum("failed" in line for line in lines),
            "pushes": sum(len(s.pushes) for s in self.screens),
            "connections": sum(d.accepted or 0 for d in self.dark),
        }

    def measure(self, seconds: float) -> dict:
        first = self.read()
        time.sleep(seconds)
        last = self.read()
        wall = last["t"] - first["t"]
        per_s = {k: (last[k] - first[k]) / wall for k in first if k not in ("t", "cpu")}
        counted = all(d.accepted is not None for d in self.dark)
        return {
            "seconds": round(wall, 2),
            "server_cpu_pct_of_a_core": round(100 * (last["cpu"] - first["cpu"]) / wall, 1),
            "log_lines_per_s": round(per_s["lines"], 2),
            "failed_log_lines_per_s": round(per_s["failed_lines"], 2),
            "printer_status_pushes_per_s": round(per_s["pushes"], 2),
            "dark_connections_per_s": round(per_s["connections"], 2) if counted else None,
        }


class Screen:
    """A kitchen screen joined to one station, keeping its printer_status pushes."""

    def __init__(self, url: str, token: str, station_id: int):
        self.pushes: list[tuple[float, dict]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("printer_status", self._got, namespace="/kds")
        self.client.connect(
            url, namespaces=["/kds"], auth={"token": token}, transports=["websocket"]
        )
        joined = self.client.call(
            "join_station", {"station_id": station_id}, namespace="/kds", timeout=10
        )
        if not joined.get("ok"):
            raise RuntimeError(f"join_station: {joined}")

    def _got(self, payload) -> None:
        self.pushes.append((clock(), payload))

    def close(self) -> None:
        self.client.disconnect()


def postgres_schema(url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def configure(url: str, manager: str, dark: dict, virtual: dict) -> dict[str, dict]:
    """Point grill and fry at the dark ports, every other printer at a virtual printer."""
    stations = {
        s["id"]: s["code"] for s in base.http_json(f"{url}/api/v1/stations", token=manager)["items"]
    }
    found = {}
    for p in base.http_json(f"{url}/api/v1/printers", token=manager)["items"]:
        code = stations.get(p.get("station_id"), p["role"])
        if code in dark:
            port = dark[code].port
        else:
            virtual[code] = virtual.get(code) or VirtualPrinter(code).start()
            port = virtual[code].port
        body = {"host": "127.0.0.1", "port": port}
        base.http_json(f"{url}/api/v1/printers/{p['id']}", "PATCH", body, manager)
        found[code] = {"id": p["id"], "station_id": p.get("station_id"), "port": port}
    if found["grill"].get("station_id") is None or "fry" not in found:
        raise RuntimeError(f"the demo's grill and fry printers were not found: {found}")
    return found


def fire_grill_order(url: str, waiter: str) -> dict:
    menu = base.http_json(f"{url}/api/v1/menu", token=waiter)
    items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": "DARK000001",
        "fire": True,
        "lines": [
            {"id": str(uuid.uuid4()), "item_id": items["Lentil soup"], "quantity": 1, "course": 1}
        ],
    }
    return base.http_json(f"{url}/api/v1/orders", "POST", body, waiter)


def run(args) -> dict:
    python = str(base.VENV_PYTHON if base.VENV_PYTHON.exists() else Path(sys.executable))
    folder = Path(tempfile.mkdtemp(prefix="pos-dark-printer-"))
    env = base.base_env(folder)
    env.update(POS_SCHEDULER="1", POS_VIRTUAL_PRINTERS="0", POS_LOG_LEVEL="INFO")
    schema = None
    if args.database_url:
        schema = f"pos_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        postgres_schema(args.database_url, f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in args.database_url else "?"
        env["POS_DATABASE_URL"] = f"{args.database_url}{sep}options=-csearch_path%3D{schema}"
    dark = {code: DARK[args.mode]() for code in ("grill", "fry")}
    virtual: dict[str, VirtualPrinter] = {}
    screens: list[Screen] = []
    server = None
    try:
        base.prepare_database(python, env, 2)
        port = base.free_port()
        url, log = f"http://127.0.0.1:{port}", folder / "server.log"
        server = base.spawn(
            [python, "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)], log, env
        )
        base.wait_healthy(url, server, log)
        manager = base.http_json(f"{url}/api/v1/auth/login", "POST", MANAGER)["token"]
        found = configure(url, manager, dark, virtual)
        cook = base.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": base.COOK_PIN})
        waiter = base.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": "1111"})["token"]
        for code in ("grill", "fry"):
            screens.append(Screen(url, cook["token"], found[code]["station_id"]))
        window = Window(server.pid, log, screens, list(dark.values()))
        time.sleep(1)
        idle = window.measure(args.idle)
        print(f"idle, both printers dark, nothing queued: {idle}", flush=True)

        fired = clock()
        fire_grill_order(url, waiter)
        time.sleep(args.settle)
        steady = window.measure(args.seconds)
        print(f"one order, {args.settle:.0f} s later, for {args.seconds:.0f} s: {steady}")
        states = [
            (round(t - fired, 2), p["name"], p["online"], p.get("backup_in_use"))
            for s in screens
            for t, p in s.pushes
        ]
        print(f"printer_status pushes since the order (s, printer, online, backup): {states[:12]}")

        dark["grill"].close()  # the grill printer comes back on its port
        back = VirtualPrinter("grill", port=found["grill"]["port"]).start()
        virtual["grill (back)"] = back
        came_back = clock()
        deadline = came_back + args.recover_timeout
        while clock() < deadline and not any(j.complete for j in back.jobs):
            time.sleep(0.05)
        out_after = clock() - came_back if any(j.complete for j in back.jobs) else None
        time.sleep(3)  # nothing else turns up a moment later
        copies = sum(
            "DARK000001" in decode_escpos(j.data)
            for vp in virtual.values()
            for j in vp.jobs
            if j.complete
        )
        recovered = {"chit_out_after_s": out_after and round(out_after, 2), "copies": copies}
        print(f"the grill printer back: {recovered}")
        return {
            "mode": args.mode,
            "database": "postgresql" if schema else "sqlite",
            "idle": idle,
            "steady": steady,
            "pushes": states,
            "recovered": recovered,
        }
    finally:
        for screen in screens:
            with contextlib.suppress(Exception):
                screen.close()
        if server is not None:
            base.stop(server)
        for d in dark.values():
            with contextlib.suppress(OSError):
                d.close()
        for vp in virtual.values():
            vp.stop()
        if schema:
            postgres_schema(args.database_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mode", choices=sorted(DARK), default="refused")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window")
    parser.add_argument("--idle", type=float, default=5.0, help="idle window before the order")
    parser.add_argument("--settle", type=float, default=5.0, help="after the order, before")
    parser.add_argument("--recover-timeout", type=float, default=40.0)
    parser.add_argument("--database-url", help="PostgreSQL (a schema of its own is used)")
    args = parser.parse_args()
    result = run(args)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"printer_dark-{args.mode}-{result['database']}-{int(time.time())}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
