"""What checking out costs on the branch server, without the network: one process, one thread.

    .venv/bin/python bench/checkout_cost.py [--tables 200]

Against a fresh SQLite database (WAL, synchronous=FULL, as the server runs it) with the demo
restaurant: for each table, a four-guest order is taken (not timed), then timed through
Flask's test client: the bill (GET), a split by seat, and four payments (two cash with
change, two card), each of which numbers a tax invoice, makes its QR code, snapshots the
receipt and queues it for the receipt printer in the payment's transaction. Reports median
and p99 per request kind, and invoices per second of server time.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SEATS = (
    ("Caesar salad", 1),
    ("Fresh orange juice", 1),
    ("Chicken burger", 2),
    ("Soft drink", 2),
    ("Fattoush", 3),
    ("Mineral water", 3),
    ("Falafel (6 pieces)", 4),
    ("Lemon mint", 4),
    ("Hummus", None),
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=200)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pos-checkout-"))
    atexit.register(shutil.rmtree, folder, True)
    os.environ.update(
        POS_DATABASE_URL=f"sqlite:///{folder / 'pos.sqlite3'}",
        POS_SECRET_KEY="bench-checkout-cost-secret-key-0123456789",
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_PASSWORD_HASHING="fast",
    )
    sys.path.insert(0, str(PROJECT))
    from pos_app import create_app

    app = create_app()
    runner = app.test_cli_runner()
    for command in (["pos", "migrate"], ["pos", "demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    client = app.test_client()

    def login(pin: str) -> dict:
        token = client.post("/api/v1/auth/login", json={"pin": pin}).get_json()["token"]
        return {"Authorization": f"Bearer {token}"}

    waiter, cashier = login("1111"), login("3333")
    menu = client.get("/api/v1/menu", headers=waiter).get_json()
    items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    assert (
        client.post("/api/v1/shifts", json={"float_minor": 0}, headers=cashier).status_code == 201
    )
    timings: dict[str, list[float]] = {"bill": [], "split": [], "cash": [], "card": []}

    def timed(kind: str, method: str, url: str, body=None) -> dict:
        start = time.perf_counter()
        response = client.open(url, method=method, json=body, headers=cashier)
        timings[kind].append((time.perf_counter() - start) * 1000)
        assert response.status_code < 300, response.get_json()
        return response.get_json()

    for _ in range(args.tables):
        lines = [
            {"id": str(uuid.uuid4()), "item_id": items[name], "quantity": 1, "seat": seat}
            for name, seat in SEATS
        ]
        body = {"id": str(uuid.uuid4()), "type": "takeaway", "lines": lines}
        order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
        base = f"/api/v1/orders/{order['id']}"
        timed("bill", "GET", f"{base}/bill")
        timed("split", "POST", f"{base}/split", {"kind": "seats"})
        for part in (1, 2, 3, 4):
            payment = {"id": str(uuid.uuid4()), "part": part}
            if part % 2:
                timed(
                    "cash",
                    "POST",
                    f"{base}/payments",
                    {**payment, "tender": "cash", "tendered_minor": 10_000},
                )
            else:
                timed(
                    "card",
                    "POST",
                    f"{base}/payments",
                    {**payment, "tender": "card", "card_method": "mada", "last4": "4242"},
                )

    print(f"{args.tables} tables of four, split by seat, four payments each (SQLite, one thread)")
    print(f"{'request':<8} {'median ms':>10} {'p99 ms':>8}")
    for kind, values in timings.items():
        print(f"{kind:<8} {statistics.median(values):>10.2f} {_pct(values, 0.99):>8.2f}")
    payments = timings["cash"] + timings["card"]
    print(f"invoices per second of server time: {1000 / statistics.mean(payments):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
