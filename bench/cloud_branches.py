"""A bounded simulation of many branches pushing to one cloud (issue 19): 1,000 branches, each
with its key, push their events signed as the product's push does (small batches, as a busy
branch sends every couple of seconds, and a heartbeat), all at once, at one cloud process on
loopback; then every branch's events are checked at the cloud: each held once, every high water
at the branch's head.

    .venv/bin/python bench/cloud_branches.py                    # 1,000 branches, 3 runs
    .venv/bin/python bench/cloud_branches.py --branches 200 --repeat 1

PostgreSQL database `pos_bench` (bench/cloud_ingest.py makes it). The clients are two
processes of 24 threads each (urllib, HMAC, JSON: as branches do), sharing the machine's two
cores with the cloud process and PostgreSQL: the figures are a floor of what one cloud
process takes, not what it would take on cores of its own. Results on stdout and in
bench/results/cloud_branches-*.json; the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from support import PROJECT, RESULTS, pct, stop_all

sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(Path(__file__).parent))

from cloud_ingest import (  # noqa: E402
    PG_URL,
    ensure_database,
    order_payload,
    push,
    reset,
    start_cloud,
)

CLIENT_PROCESSES = 2
THREADS = 24


def branch_events(branch: int, pushes: int, per_push: int) -> list[list[dict]]:
    """A branch's pushes: `pushes` batches of `per_push` order events, seq from 1."""
    out, seq = [], 0
    for _ in range(pushes):
        batch = []
        for _ in range(per_push):
            seq += 1
            payload = order_payload(seq)
            batch.append(
                {
                    "seq": seq,
                    "event_id": str(uuid.uuid4()),
                    "type": "order.created",
                    "aggregate_type": "order",
                    "aggregate_id": payload["id"],
                    "payload": payload,
                    "created_at": "2026-12-04T18:01:00+00:00",
                }
            )
        out.append(batch)
    return out


def client(url: str, branches: list[int], pushes: int, per_push: int) -> dict:
    """One client process: its branches' pushes in rounds (every branch's first push, then
    every branch's second...), `THREADS` at a time; each branch's pushes in order."""
    work = {b: branch_events(b, pushes, per_push) for b in branches}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    rounds = [[(b, work[b][n]) for b in branches] for n in range(pushes)]
    heartbeat = [(b, []) for b in branches]

    def send(branch: int, events: list[dict]) -> None:
        started = time.perf_counter()
        try:
            push(url, branch, events, head=None if events else pushes * per_push)
        except (OSError, ValueError) as err:  # counted, not raised: the run goes on
            with lock:
                errors.append(f"b{branch}: {err}")
            return
        with lock:
            latencies.append(time.perf_counter() - started)

    def drain(items: list) -> None:
        queue = list(reversed(items))

        def worker() -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    branch, events = queue.pop()
                send(branch, events)

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    started = time.perf_counter()
    for items in [*rounds, heartbeat]:
        drain(items)  # a round ends before the next: each branch's pushes stay in order
    return {"seconds": time.perf_counter() - started, "latencies": latencies, "errors": errors}


def check(engine, branches: int, head: int) -> dict:
    """Every branch's events held once at the cloud, its high water at its head."""
    from sqlalchemy import text

    with engine.connect() as conn:
        per_branch = dict(
            conn.execute(
                text("SELECT branch_id, count(*) FROM cloud_event GROUP BY branch_id")
            ).all()
        )
        marks = dict(conn.execute(text("SELECT id, high_water FROM cloud_branch")).all())
        orders = conn.execute(text("SELECT count(*) FROM cloud_order")).scalar()
        contact = conn.execute(
            text("SELECT count(*) FROM cloud_branch WHERE last_contact_at IS NOT NULL")
        ).scalar()
    wrong = [b for b in range(1, branches + 1) if per_branch.get(b) != head or marks.get(b) != head]
    return {
        "events_held": sum(per_branch.values()),
        "orders_held": orders,
        "branches_in_contact": contact,
        "branches_not_exact": len(wrong),
    }


def one_run(engine, folder: Path, branches: int, pushes: int, per_push: int) -> dict:
    reset(engine, branches)
    url, proc = start_cloud(folder, 1)
    try:
        halves = [
            list(range(1 + n, branches + 1, CLIENT_PROCESSES)) for n in range(CLIENT_PROCESSES)
        ]
        started = time.perf_counter()
        with ProcessPoolExecutor(CLIENT_PROCESSES) as pool:
            results = list(
                pool.map(client, [url] * len(halves), halves, [pushes] * 2, [per_push] * 2)
            )
        wall = time.perf_counter() - started
    finally:
        stop_all()
    latencies = [x for r in results for x in r["latencies"]]
    errors = [e for r in results for e in r["errors"]]
    requests = branches * (pushes + 1)
    events = branches * pushes * per_push
    return {
        "branches": branches,
        "requests": requests,
        "events": events,
        "seconds": round(wall, 1),
        "requests_per_s": round(requests / wall),
        "events_per_s": round(events / wall),
        "latency_ms": {
            "p50": round(pct(latencies, 50) * 1000),
            "p95": round(pct(latencies, 95) * 1000),
            "p99": round(pct(latencies, 99) * 1000),
            "max": round(max(latencies) * 1000),
        },
        "errors": len(errors),
        "first_errors": errors[:5],
        **check(engine, branches, pushes * per_push),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--pushes", type=int, default=5, help="batches per branch")
    parser.add_argument("--per-push", type=int, default=20, help="events per batch")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ensure_database()
    from sqlalchemy import create_engine

    from pos_app import migrate

    migrate.upgrade(PG_URL)
    engine = create_engine(PG_URL)
    folder = RESULTS / "cloud_branches"
    folder.mkdir(parents=True, exist_ok=True)
    runs = []
    for n in range(args.repeat):
        run = one_run(engine, folder, args.branches, args.pushes, args.per_push)
        runs.append(run)
        print(f"run {n + 1}: {json.dumps(run)}", flush=True)
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "branches": args.branches,
        "pushes_per_branch": args.pushes + 1,
        "events_per_push": args.per_push,
        "median_events_per_s": statistics.median(r["events_per_s"] for r in runs),
        "median_requests_per_s": statistics.median(r["requests_per_s"] for r in runs),
        "median_p95_ms": statistics.median(r["latency_ms"]["p95"] for r in runs),
        "all_exact": all(r["branches_not_exact"] == 0 and r["errors"] == 0 for r in runs),
        "runs": runs,
    }
    out = RESULTS / f"cloud_branches-{summary['when'].replace(':', '')}.json"
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
