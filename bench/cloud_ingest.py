"""The cloud's ingest, measured (issue 19): events per second into one cloud process and into
two, beside the raw PostgreSQL rate of the same rows inserted in batches with
`ON CONFLICT DO NOTHING` in the same run; and a branch's catch-up after seven days offline.

    .venv/bin/python bench/cloud_ingest.py               # 3 repetitions, medians (~5 min)
    .venv/bin/python bench/cloud_ingest.py --quick       # one small repetition

All on 127.0.0.1, in a PostgreSQL database of its own (`pos_bench`, made if missing; set
POS_BENCH_PG_URL for another). Each repetition:

1. **Raw**: the batches (500 events of order-sized payloads) inserted with SQLAlchemy Core,
   `INSERT ... ON CONFLICT (branch_id, seq) DO NOTHING` executed with the batch's rows
   (psycopg's multi-row "insertmanyvalues"), one transaction per batch, by as many
   connections as there are clients below. The floor: no HTTP, no JSON, no signature,
   no projection, no high water.
2. **One process**: `python -m pos_app.server` with POS_MODE=cloud; clients (threads, one per
   branch, urllib) push the same batches signed, as branches do. Events/s = events stored
   / wall time.
3. **Two processes**: the same with two cloud processes on two ports, half of the branches
   each (several processes behind one address, without the balancer).
4. **Catch-up**: a branch (SQLite, its own file) whose outbox holds seven days of a busy
   restaurant (2,000 orders a day, the events such an order writes: created, fired, two
   tickets created and bumped, paid, invoice issued) pushes with the product's push code to
   one cloud process: seconds until every event is confirmed.

Results on stdout and in bench/results/cloud_ingest-*.json; the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

from support import PROJECT, RESULTS, VENV_PYTHON, free_port, spawn, stop_all, wait_healthy

sys.path.insert(0, str(PROJECT))

from pos_app.cloud.signing import headers  # noqa: E402

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = os.environ.get(
    "POS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pos_bench"
)
BATCH = 500
KEY = "bench-key-" + "k" * 32


def order_payload(n: int) -> dict:
    """An order about the size the branch sends (two lines, one modifier)."""
    order_id = str(uuid.uuid4())
    line = {
        "id": str(uuid.uuid4()),
        "item_id": 3,
        "name": "Mixed grill",
        "name_ar": "مشاوي مشكلة",
        "quantity": 1,
        "unit_price_minor": 7900,
        "total_minor": 7900,
        "course": 2,
        "seat": 1,
        "status": "fired",
        "modifiers": [
            {"id": 4, "name": "Well done", "name_ar": "كامل الاستواء", "price_delta_minor": 0}
        ],
        "notes": "",
    }
    return {
        "id": order_id,
        "number": n,
        "business_day": "2026-12-04",
        "type": "dine_in",
        "status": "fired",
        "table_id": 7,
        "table_label": "7",
        "guests": 2,
        "waiter_id": 2,
        "waiter_name": "Sara",
        "version": 2,
        "opened_at": "2026-12-04T18:00:00+00:00",
        "fired_at": "2026-12-04T18:01:00+00:00",
        "paid_at": None,
        "total_minor": 15800,
        "lines": [line, {**line, "seat": 2}],
    }


def batches(branch: int, count: int, start: int = 1) -> list[list[dict]]:
    events = []
    for seq in range(start, start + count):
        payload = order_payload(seq)
        events.append(
            {
                "seq": seq,
                "event_id": str(uuid.uuid4()),
                "type": "order.fired",
                "aggregate_type": "order",
                "aggregate_id": payload["id"],
                "payload": payload,
                "created_at": "2026-12-04T18:01:00+00:00",
            }
        )
    return [events[i : i + BATCH] for i in range(0, len(events), BATCH)]


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname='pos_bench'").fetchone():
            conn.execute("CREATE DATABASE pos_bench")


def reset(engine, branches: int) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE cloud_event, cloud_order, cloud_payment, cloud_nonce, cloud_branch"
                " CASCADE"
            )
        )
        for n in range(1, branches + 1):
            conn.execute(
                text(
                    "INSERT INTO cloud_branch (id, code, name, key, active, high_water,"
                    " branch_head, created_at) VALUES (:id, :code, :code, :key, true, 0, 0,"
                    " now())"
                ),
                {"id": n, "code": f"b{n}", "key": KEY},
            )


def measure_raw(engine, work: dict[int, list[list[dict]]]) -> float:
    """Events/s of the plain batched insert, one connection per branch thread."""
    from sqlalchemy.dialects.postgresql import insert

    from pos_app.cloud.models import CloudEvent

    table = CloudEvent.__table__
    statement = insert(table).on_conflict_do_nothing(index_elements=["branch_id", "seq"])

    def run(branch: int) -> None:
        for batch in work[branch]:
            rows = [
                {
                    "branch_id": branch,
                    "seq": e["seq"],
                    "event_id": e["event_id"],
                    "type": e["type"],
                    "aggregate_type": e["aggregate_type"],
                    "aggregate_id": e["aggregate_id"],
                    "payload": e["payload"],
                    "created_at": datetime.fromisoformat(e["created_at"]),
                    "received_at": datetime.now(UTC),
                }
                for e in batch
            ]
            with engine.begin() as conn:
                conn.execute(statement, rows)  # psycopg's batched multi-row INSERTs

    return _timed(run, work)


def measure_raw_json(engine, work: dict[int, list[list[dict]]]) -> float:
    """Events/s of the ingest's own PostgreSQL statement (the events read by PostgreSQL from
    the batch's JSON text, pos_app/cloud/ingest.py) with nothing else: the floor of what the
    ingest does, so that its ratio is not measured against a slower way of writing the same
    rows. The texts are made before the clock starts (the ingest receives them as text)."""
    from pos_app.cloud.ingest import _PG_INSERT_FROM_BODY

    texts = {b: [json.dumps({"events": batch}) for batch in work[b]] for b in work}

    def run(branch: int) -> None:
        for body in texts[branch]:
            params = {
                "branch_id": branch,
                "received_at": datetime.now(UTC).replace(tzinfo=None),
                "body": body,
            }
            with engine.begin() as conn:
                conn.execute(_PG_INSERT_FROM_BODY, params).all()

    return _timed(run, work)


def _timed(run, work) -> float:
    total = sum(len(b) for batches_ in work.values() for b in batches_)
    threads = [threading.Thread(target=run, args=(branch,)) for branch in work]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total / (time.perf_counter() - started)


def push(url: str, branch: int, events: list[dict], head: int | None = None) -> dict:
    """A signed push of `events` (none: a heartbeat saying `head`), as a branch sends it."""
    head = events[-1]["seq"] if head is None else head
    body = json.dumps(
        {"branch": f"b{branch}", "head": head, "events": events}, separators=(",", ":")
    ).encode()
    request = urllib.request.Request(
        f"{url}/api/v1/sync/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            **headers(f"b{branch}", KEY, int(time.time()), body),
        },
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def measure_http(urls: list[str], work: dict[int, list[list[dict]]]) -> float:
    def run(branch: int) -> None:
        url = urls[branch % len(urls)]
        for batch in work[branch]:
            answer = push(url, branch, batch)
            assert answer["high_water"] == batch[-1]["seq"], answer

    return _timed(run, work)


def start_cloud(folder: Path, n: int) -> tuple[str, object]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_MODE="cloud",
        POS_DATABASE_URL=PG_URL,
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_PRINT_PROCESS="0",
        POS_SCHEDULER="0",
        POS_LOG_LEVEL="WARNING",
        POS_SECRET_KEY="bench" * 8,
    )
    log = folder / f"cloud-{n}.log"
    proc = spawn(
        [str(VENV_PYTHON), "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)],
        log,
        env,
    )
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc, log, 60)
    return url, proc


def measure_catch_up(cloud_url: str, folder: Path, orders: int, engine) -> dict:
    """A branch's outbox of `orders` orders' events, pushed by the product's code."""
    import sqlite3

    from sqlalchemy import text

    from pos_app import create_app, migrate
    from pos_app.cloud import push as pushing

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cloud_branch (id, code, name, key, active, high_water,"
                " branch_head, created_at) VALUES (999, 'catchup', 'catchup', :key,"
                " true, 0, 0, now()) ON CONFLICT DO NOTHING"
            ),
            {"key": KEY},
        )
    db = folder / "branch.sqlite3"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    migrate.upgrade(url)
    kinds = (
        "order.created",
        "order.fired",
        "ticket.created",
        "ticket.created",
        "ticket.updated",
        "ticket.updated",
        "order.paid",
        "payment.recorded",
        "invoice.issued",
    )
    rows, seq = [], 0
    for n in range(orders):
        payload = order_payload(n)
        for kind in kinds:
            seq += 1
            rows.append(
                (
                    seq,
                    str(uuid.uuid4()),
                    kind,
                    "order",
                    payload["id"],
                    json.dumps(payload),
                    "2026-12-04 18:00:00.000000",
                )
            )
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO outbox_event (seq, event_id, type, aggregate_type,"
            " aggregate_id, payload, created_at) VALUES (?,?,?,?,?,?,?)",
            rows,
        )
    app = create_app(
        {
            "POS_DATABASE_URL": url,
            "SECRET_KEY": "x" * 32,
            "POS_CLOUD_URL": cloud_url,
            "POS_BRANCH_CODE": "catchup",
            "POS_BRANCH_KEY": KEY,
            "POS_ASYNC_MODE": "threading",
            "POS_REDIS_URL": None,
        }
    )
    started = time.perf_counter()
    while pushing.push_once(app):
        pass
    seconds = time.perf_counter() - started
    app.extensions["pos_engine"].dispose()
    return {
        "orders": orders,
        "events": len(rows),
        "seconds": round(seconds, 2),
        "events_per_s": round(len(rows) / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--catch-up-only", action="store_true", help="only the week's catch-up")
    args = parser.parse_args()
    branches, per_branch = (4, 2_000) if args.quick else (8, 10_000)
    days_orders = 1_000 if args.quick else 14_000
    repeat = 1 if args.quick else args.repeat
    ensure_database()
    from sqlalchemy import create_engine

    from pos_app import migrate

    migrate.upgrade(PG_URL)
    engine = create_engine(PG_URL, pool_size=branches + 2)
    folder = RESULTS / "cloud_ingest"
    folder.mkdir(parents=True, exist_ok=True)
    runs = []
    try:
        for rep in range(repeat):
            work = {b: batches(b, per_branch) for b in range(1, branches + 1)}
            reset(engine, branches)
            url, _proc = start_cloud(folder, 1)
            raw = raw_json = one = two = 0.0
            if not args.catch_up_only:
                raw = measure_raw(engine, work)
                reset(engine, branches)
                raw_json = measure_raw_json(engine, work)
                reset(engine, branches)
                one = measure_http([url], work)
                reset(engine, branches)
                url2, _proc2 = start_cloud(folder, 2)
                two = measure_http([url, url2], work)
                reset(engine, branches)
            catch_up = measure_catch_up(url, folder, days_orders, engine)
            runs.append(
                {
                    "raw": round(raw),
                    "raw_json": round(raw_json),
                    "one_process": round(one),
                    "two_processes": round(two),
                    "catch_up": catch_up,
                }
            )
            print(
                f"rep {rep + 1}: raw {raw:,.0f} ev/s · raw as the ingest writes {raw_json:,.0f}"
                f" · one process {one:,.0f} ev/s ({one / (raw or 1):.0%} of raw,"
                f" {one / (raw_json or 1):.0%} of the ingest's statement) · two {two:,.0f} ev/s"
                f" ({two / (raw or 1):.0%})"
                " · catch-up"
                f" {catch_up['events']:,} events of {catch_up['orders']:,} orders in"
                f" {catch_up['seconds']} s",
                flush=True,
            )
            stop_all()
    finally:
        stop_all()
    med = {
        k: statistics.median(r[k] for r in runs)
        for k in ("raw", "raw_json", "one_process", "two_processes")
    }
    med["catch_up_s"] = statistics.median(r["catch_up"]["seconds"] for r in runs)
    print(json.dumps({"branches": branches, "events_per_branch": per_branch, "medians": med}))
    out = RESULTS / f"cloud_ingest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"runs": runs, "medians": med}, indent=2))


if __name__ == "__main__":
    main()
