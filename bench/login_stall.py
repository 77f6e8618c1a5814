"""How long an order waits while five staff sign in with their PINs at once.

    .venv/bin/python bench/login_stall.py            # 8 rounds, this checkout

A fresh demo database served by `python -m pos_app.server` (bench/socket_memory.py's
demo_server, print worker off). Each round posts one order alone, then starts five PIN logins
(argon2 `standard`, the server's default) and posts an order 20 ms later. Before issue 17 each
login held SQLite's write lock through its argon2 check and the order waited behind all five.
Medians and maxima on stdout. A small probe, not a load test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import socket_memory  # noqa: E402
import support as bench  # noqa: E402

PINS = ("1111", "1112", "2222", "1111", "1112")  # the demo's waiters and cook


def post(port: int, path: str, body: dict, token: str | None = None) -> float:
    """POST on a fresh connection; milliseconds until the answer was read."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    conn.request("POST", path, json.dumps(body), headers)
    conn.getresponse().read()
    conn.close()
    return 1000 * (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--server-dir", type=Path, default=bench.PROJECT)
    args = parser.parse_args()
    with socket_memory.demo_server(args.server_dir, ["-m", "pos_app.server"]) as served:
        url, port, _server = served
        waiter = bench.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": "1111"})["token"]
        menu = bench.http_json(f"{url}/api/v1/menu", token=waiter)
        names = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
        items = [names[name] for name in bench.ORDER_ITEMS]

        def order() -> dict:
            lines = [{"id": str(uuid.uuid4()), "item_id": i, "quantity": 1} for i in items]
            return {"id": str(uuid.uuid4()), "type": "takeaway", "fire": True, "lines": lines}

        alone, during = [], []
        for _ in range(args.rounds):
            alone.append(post(port, "/api/v1/orders", order(), waiter))
            time.sleep(0.3)
            logins = [
                threading.Thread(target=post, args=(port, "/api/v1/auth/login", {"pin": pin}))
                for pin in PINS
            ]
            for login in logins:
                login.start()
            time.sleep(0.02)
            during.append(post(port, "/api/v1/orders", order(), waiter))
            for login in logins:
                login.join()
            time.sleep(0.3)
    result = {
        "server_dir": str(args.server_dir),
        "rounds": args.rounds,
        "order_alone_ms": {"p50": round(statistics.median(alone), 1), "max": round(max(alone), 1)},
        "order_during_5_pin_logins_ms": {
            "p50": round(statistics.median(during), 1),
            "max": round(max(during), 1),
        },
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
