"""Where an order's server time goes, without the network: one process, one thread, no gevent.

    .venv/bin/python bench/order_cost.py [--orders 300] [--profile] [--warm-up]

Posts the same five-line, fired takeaway order as bench/order_to_kds.py through Flask's test
client against a fresh SQLite database (WAL, synchronous=FULL, as the server runs it) and
reports, per order: wall time and CPU time (equal on a quiet machine), the SQL statements
issued (by kind and table), the time inside SQLite's COMMIT, and the time spent turning rows
into JSON with marshmallow, and the first order's time (the process cold, or after the
start-up rehearsal of pos_app.warmup with `--warm-up`, as start_services runs it).
`--profile` adds cProfile's top functions by cumulative time.
No screen is connected, so Socket.IO sends cost nothing here: order_to_kds.py measures them.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import cProfile
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ORDER_ITEMS = ("Hummus", "Fattoush", "Falafel (6 pieces)", "Lentil soup", "Lemon mint")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--warm-up", action="store_true", help="rehearse as start_services does")
    parser.add_argument(
        "--stock-scale",
        default="1000",
        help="the demo's opening stock times N (recipes on, never running out); 0: no stock",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pos-cost-"))
    atexit.register(shutil.rmtree, folder, True)
    os.environ.update(
        POS_DATABASE_URL=f"sqlite:///{folder / 'pos.sqlite3'}",
        POS_SECRET_KEY="bench-order-cost-secret-key-0123456789",
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE=args.stock_scale,
        POS_PASSWORD_HASHING="fast",
    )
    sys.path.insert(0, str(PROJECT))
    from sqlalchemy import event

    from pos_app import create_app

    app = create_app()
    runner = app.test_cli_runner()
    for command in (["pos", "migrate"], ["pos", "demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"pin": "1111"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    menu = client.get("/api/v1/menu", headers=headers).get_json()
    items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    lines = [items[name] for name in ORDER_ITEMS]

    engine = app.extensions["pos_engine"]
    statements: Counter = Counter()
    commit_time = [0.0]
    counting = [False]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, params, context, executemany):
        if counting[0]:
            words = statement.split()
            verb = words[0].upper()
            table = next(
                (w.strip('"') for w, prev in zip(words[1:], words, strict=False)
                 if prev.upper() in ("FROM", "INTO", "UPDATE")),
                "?",
            )  # fmt: skip
            statements[f"{verb} {table}"] += 1

    dialect = engine.dialect
    original_commit = dialect.do_commit

    def timed_commit(dbapi_connection):
        started = time.perf_counter()
        try:
            original_commit(dbapi_connection)
        finally:
            if counting[0]:
                commit_time[0] += time.perf_counter() - started

    dialect.do_commit = timed_commit

    from marshmallow import Schema

    dump_time = [0.0]
    original_dump = Schema.dump

    def timed_dump(self, obj, *, many=None):
        started = time.perf_counter()
        try:
            return original_dump(self, obj, many=many)
        finally:
            dump_time[0] += time.perf_counter() - started

    Schema.dump = timed_dump

    def post(i: int) -> None:
        body = {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "customer_name": f"Cost {i}",
            "fire": True,
            "lines": [
                {"id": str(uuid.uuid4()), "item_id": item, "quantity": 1, "course": 1}
                for item in lines
            ],
        }
        response = client.post("/api/v1/orders", json=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)

    warm_ms = None
    if args.warm_up:
        from pos_app import warmup

        started = time.perf_counter()
        assert warmup.warm_order_path(app)
        warm_ms = (time.perf_counter() - started) * 1000
    started = time.process_time()  # CPU: the machine's other load left out
    post(-1)
    first_ms = (time.process_time() - started) * 1000
    for i in range(args.warmup):
        post(i)
    counting[0] = True
    dump_time[0] = 0.0
    times, cpu_times = [], []
    profiler = cProfile.Profile() if args.profile else None
    with profiler or contextlib.nullcontext():
        for i in range(args.orders):
            started, cpu = time.perf_counter(), time.process_time()
            post(i)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
    n = args.orders
    print(f"{n} orders of {len(lines)} lines, fire: true, one transaction each (SQLite WAL, FULL)")
    print(
        f"  per order: median {statistics.median(times):.2f} ms, mean {statistics.fmean(times):.2f}"
        f" ms -> at most {1000 / statistics.fmean(times):.0f} orders/s on one core"
    )
    print(
        f"  CPU per order: median {statistics.median(cpu_times):.2f} ms (the figure to compare"
        " on a busy machine: wall time includes the waits for the other processes)"
    )
    tenth = max(1, n // 10)
    print(
        f"  first tenth median {statistics.median(times[:tenth]):.2f} ms, last tenth "
        f"{statistics.median(times[-tenth:]):.2f} ms (does the cost grow with the tables?)"
    )
    print(f"  SQL statements per order: {sum(statements.values()) / n:.1f}")
    for name, count in statements.most_common():
        print(f"    {count / n:5.1f}  {name}")
    commit_ms = 1000 * commit_time[0] / n
    print(
        f"  COMMIT (fsync included): {commit_ms:.2f} ms per order,"
        f" {100 * commit_ms / statistics.fmean(times):.0f} % of the order's time"
    )
    rehearsal = f"after a {warm_ms:.0f} ms warm-up" if warm_ms is not None else "no warm-up"
    print(f"  first order of the process ({rehearsal}): {first_ms:.1f} ms of CPU")
    print(f"  marshmallow dump: {1000 * dump_time[0] / n:.2f} ms per order")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative")
        print("  cProfile, cumulative, project functions:")
        mine = re.compile(r"/(pos_app|kds|table_service|printers)/")
        rows = [
            (func, data)
            for func, data in stats.stats.items()  # type: ignore[attr-defined]
            if mine.search(func[0])
        ]
        rows.sort(key=lambda r: -r[1][3])
        for (path, lineno, name), (_cc, calls, _tt, cum, _callers) in rows[:25]:
            short = path.split(str(PROJECT) + "/")[-1]
            print(f"    {1000 * cum / n:6.2f} ms  {calls / n:5.1f} calls  {short}:{lineno} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
