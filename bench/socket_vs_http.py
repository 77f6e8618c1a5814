"""The same order sent over HTTP and over the handheld's open socket: which is faster, and where.

    .venv/bin/python bench/socket_vs_http.py --orders 200            # this checkout
    .venv/bin/python bench/socket_vs_http.py --server-dir /other/checkout

A fresh demo database (as bench/order_to_kds.py makes it) served by `python -m pos_app.server`
(print worker off); one waiter's handheld holding a keep-alive HTTP connection and a /floor
Socket.IO connection (python-socketio client), and a few /kds screens joined to expo (which
gets a ticket of every order). Orders (the bench's five-line takeaway, fired) go one at a
time with a pause between them, alternating HTTP and socket, so both see the same server.
For each: the answer's round trip (201 / the ack) and the time until every screen had its
`ticket_created`. Medians and p90 on stdout as JSON. A small comparison, not a load test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
import socket_memory  # noqa: E402
import support as bench  # noqa: E402


class Screens:
    """Kitchen screens on /kds joined to one station; when each order reached all of them."""

    def __init__(self, url: str, token: str, station_id: int, count: int):
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[float]] = {}
        self.done: dict[str, threading.Event] = {}
        self.count = count
        self.clients = []
        for _ in range(count):
            client = socketio.Client()
            client.on("ticket_created", self._arrived, namespace="/kds")
            client.connect(
                url, namespaces=["/kds"], transports=["websocket"], auth={"token": token}
            )
            ack = client.call("join_station", {"station_id": station_id}, namespace="/kds")
            assert ack["ok"], ack
            self.clients.append(client)

    def expect(self, order_id: str) -> threading.Event:
        with self.lock:
            self.arrivals[order_id] = []
            return self.done.setdefault(order_id, threading.Event())

    def _arrived(self, data):
        now = time.perf_counter()
        order_id = str((data.get("ticket") or data).get("order_id", ""))
        with self.lock:
            seen = self.arrivals.get(order_id)
            if seen is None:
                return
            seen.append(now)
            if len(seen) == self.count:
                self.done[order_id].set()

    def close(self):
        for client in self.clients:
            client.disconnect()


def order_body(items: list[int], i: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "customer_name": f"Bench {i}",
        "fire": True,
        "lines": [
            {"id": str(uuid.uuid4()), "item_id": item, "quantity": 1, "course": 1} for item in items
        ],
    }


def post_in_background(rate: float, port: int, headers: dict, items: list, stop) -> None:
    """Orders over HTTP at `rate` a second, Poisson arrivals (load on the server meanwhile)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rng = random.Random(17)
    i = 0
    while not stop.wait(rng.expovariate(rate)):
        i += 1
        conn.request("POST", "/api/v1/orders", json.dumps(order_body(items, -i)), headers)
        conn.getresponse().read()
    conn.close()


def dist(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200, help="per transport")
    parser.add_argument("--screens", type=int, default=5)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between orders")
    parser.add_argument(
        "--background-rate", type=float, default=0.0, help="other orders/s over HTTP meanwhile"
    )
    parser.add_argument("--server-dir", type=Path, default=bench.PROJECT)
    parser.add_argument(
        "--server-script",
        default="-m pos_app.server",
        help="what python runs (an instrumented copy)",
    )
    args = parser.parse_args()
    with socket_memory.demo_server(args.server_dir, args.server_script.split()) as served:
        url, port, server = served
        result = measure(args, url, port, server.pid)
    result["server_dir"] = str(args.server_dir)
    print(json.dumps(result, indent=2))
    return 0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(args, url: str, port: int, pid: int) -> dict:
    waiter = bench.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": "1111"})["token"]
    cook = bench.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": bench.COOK_PIN})["token"]
    stations = bench.http_json(f"{url}/api/v1/stations", token=cook)["items"]
    expo = next(s["id"] for s in stations if s["code"] == "expo")
    menu = bench.http_json(f"{url}/api/v1/menu", token=waiter)
    names = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    items = [names[name] for name in bench.ORDER_ITEMS]
    screens = Screens(url, cook, expo, args.screens)
    handheld = socketio.Client()
    handheld.connect(url, namespaces=["/floor"], transports=["websocket"], auth={"token": waiter})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {waiter}", "Content-Type": "application/json"}
    connections = set()

    def over_http(body: dict) -> None:
        conn.request("POST", "/api/v1/orders", json.dumps(body), headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 201, response.status
        connections.add(conn.sock.getsockname()[1] if conn.sock else None)

    def over_socket(body: dict) -> None:
        ack = handheld.call("create_order", body, namespace="/floor", timeout=30)
        assert ack["ok"] and ack["status"] == 201, ack

    timings = {"http": {"answer": [], "screens": []}, "socket": {"answer": [], "screens": []}}
    cpu = {"http": 0.0, "socket": 0.0}
    warmup = 10
    stop = threading.Event()
    background = threading.Thread(
        target=post_in_background, args=(args.background_rate, port, headers, items, stop)
    )
    if args.background_rate:
        background.start()
    try:
        for i in range(warmup + 2 * args.orders):
            how = "http" if i % 2 == 0 else "socket"
            body = order_body(items, i)
            done = screens.expect(body["id"])
            cpu_before = cpu_s(pid)
            started = time.perf_counter()
            (over_http if how == "http" else over_socket)(body)
            answered = time.perf_counter()
            assert done.wait(10), f"order {i} never reached every screen"
            last = max(screens.arrivals[body["id"]])
            if i >= warmup:
                cpu[how] += cpu_s(pid) - cpu_before
                timings[how]["answer"].append(1000 * (answered - started))
                timings[how]["screens"].append(1000 * (last - started))
            time.sleep(args.gap)
    finally:
        stop.set()
        if background.is_alive():
            background.join()
        handheld.disconnect()
        screens.close()
        conn.close()
    return {
        "orders_per_transport": args.orders,
        "screens": args.screens,
        "background_rate": args.background_rate,
        "http_connections_used": len(connections),
        **{how: {k: dist(v) for k, v in t.items()} for how, t in timings.items()},
        "server_cpu_ms_per_order": {
            how: round(1000 * spent / args.orders, 2) for how, spent in cpu.items()
        },
    }


if __name__ == "__main__":
    sys.exit(main())
