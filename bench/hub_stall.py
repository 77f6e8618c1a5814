"""How long the server's gevent hub is held, in CPU time, around the first orders after a start.

bench/first_order.py measures what the screens see, in wall time; on a shared 2-core machine
other processes' load adds hundreds of milliseconds of noise to that. This one counts what the
hub itself does: a greenlet ticks every millisecond, and the CPU time of the hub's thread
between two ticks (time.thread_time) is how long something held the hub without yielding.
CPU time, so time the operating system gave to other processes is not counted, and a render
in another native thread (printers/render_pool.py) is not either: only what stalls the hub.

    .venv/bin/python bench/hub_stall.py --server-dir before=/tmp/old --server-dir after=.

What it does: per code checkout, one migrated demo database (`flask pos migrate`, `flask pos
demo`, run by that code), copied afresh for each start. Each start is a new process,
monkey-patched by gevent first as the server is, running that code: `create_app()` and the
server's own start-up (`pos_app.startup.start_services`: the print worker and the virtual
printers, on free ports), a waiter signs in, then `--orders` takeaway orders (five lines, one
chit per kitchen station) are posted through the app one every `--gap` seconds, each
answered while the print worker prints the previous ones. Variants: `printing` (as
`make run`) and `no print worker` (POS_SCHEDULER=0). Reported per order: the longest hub stall
in the `--gap` after it was posted (CPU, and wall time, which adds GIL waits and the machine's
other work), the POST's own CPU time, and whether the chits reached the virtual printers.
Medians over `--starts` starts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
VARIANTS = {"printing": "1", "no print worker": "0"}  # POS_SCHEDULER
ITEMS = ("Hummus", "Fattoush", "Falafel (6 pieces)", "Lentil soup", "Lemon mint")


def probe(gap: float, orders: int) -> dict:
    """In a fresh gevent process of the code under test (sys.path set by the caller)."""
    import time
    import uuid

    import gevent

    from pos_app import create_app
    from pos_app.startup import start_services

    app = create_app()
    start_services(app)
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"pin": "1111"}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    menu = client.get("/api/v1/menu", headers=auth).get_json()
    ids = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
    ticks: list[tuple[float, float]] = []  # (wall, hub thread CPU) at each tick

    def ticker():
        while True:
            gevent.sleep(0.001)
            ticks.append((time.perf_counter(), time.thread_time()))

    beat = gevent.spawn(ticker)
    gevent.sleep(0.2)
    posted = []
    for n in range(orders):
        body = {
            "id": str(uuid.uuid4()),
            "type": "takeaway",
            "customer_name": f"STALL{n:03d}",
            "fire": True,
            "lines": [
                {"id": str(uuid.uuid4()), "item_id": ids[name], "quantity": 1, "course": 1}
                for name in ITEMS
            ],
        }
        wall, cpu = time.perf_counter(), time.thread_time()
        status = client.post("/api/v1/orders", json=body, headers=auth).status_code
        posted.append((wall, (time.thread_time() - cpu) * 1000, status))
        gevent.sleep(gap)
    beat.kill()
    printers = app.extensions.get("virtual_printers", {})
    got = sum(len(vp.jobs) for vp in printers.values())
    out = []
    for n, (wall, request_cpu, status) in enumerate(posted):
        end = posted[n + 1][0] if n + 1 < len(posted) else wall + gap
        pairs = [(a, b) for a, b in zip(ticks, ticks[1:], strict=False) if wall <= b[0] <= end]
        out.append(
            {
                "status": status,
                "request_cpu_ms": request_cpu,
                "longest_stall_cpu_ms": max(((b[1] - a[1]) * 1000 for a, b in pairs), default=None),
                # wall time: adds the GIL waits and whatever the machine's other work took
                "longest_stall_wall_ms": max(
                    ((b[0] - a[0]) * 1000 for a, b in pairs), default=None
                ),
            }
        )
    return {"orders": out, "chits_printed": got}


def run_probe(args) -> int:
    from gevent import monkey

    monkey.patch_all()
    sys.path.insert(0, os.environ["HUB_STALL_CODE"])
    result = probe(args.gap, args.orders)
    Path(args.probe).write_text(json.dumps(result))
    os._exit(0)  # the print worker's loops and the scheduler: nothing to wait for


def python_of(code: Path) -> str:
    own = code / ".venv" / "bin" / "python"
    return str(own if own.exists() else PROJECT / ".venv" / "bin" / "python")


def env_for(folder: Path, code: Path, scheduler: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_DATABASE_URL=f"sqlite:///{folder / 'pos.sqlite3'}",
        POS_SECRET_KEY="hub-stall-bench-secret-key-0123456789abcdef",
        POS_PASSWORD_HASHING="fast",
        POS_LOG_LEVEL="WARNING",
        POS_VIRTUAL_PRINTERS="1",
        POS_SCHEDULER=scheduler,
        HUB_STALL_CODE=str(code),
        PYTHONPATH=str(code),
    )
    return env


def prepare(code: Path, folder: Path) -> None:
    env = env_for(folder, code, "0")
    for step in ("migrate", "demo"):
        subprocess.run(
            [python_of(code), "-m", "flask", "--app", "pos_app", "pos", step],
            cwd=code,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )


def free_ports(db_path: Path) -> None:
    import socket

    with closing(sqlite3.connect(db_path)) as db, db:
        for (printer_id,) in db.execute("SELECT id FROM printer").fetchall():
            with closing(socket.socket()) as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            db.execute("UPDATE printer SET port = ? WHERE id = ?", (port, printer_id))


def one_start(args, code: Path, template: Path, scheduler: str, work: Path) -> dict:
    folder = Path(tempfile.mkdtemp(dir=work))
    shutil.copy(template / "pos.sqlite3", folder / "pos.sqlite3")
    free_ports(folder / "pos.sqlite3")
    out = folder / "probe.json"
    command = [python_of(code), str(Path(__file__).resolve()), "--probe", str(out)]
    command += ["--gap", str(args.gap), "--orders", str(args.orders)]
    done = subprocess.run(
        command, cwd=code, env=env_for(folder, code, scheduler), capture_output=True, timeout=300
    )
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(done.stderr.decode(errors="replace")[-3000:])
    return json.loads(out.read_text())


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def f(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--server-dir", action="append", default=[], metavar="[LABEL=]DIR")
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--orders", type=int, default=6)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between orders")
    args = parser.parse_args()
    if args.probe:
        return run_probe(args)
    codes = {}
    for given in args.server_dir or [str(PROJECT)]:
        label, _, path = given.rpartition("=")
        codes[label or Path(path).resolve().name] = Path(path).resolve()
    work = Path(tempfile.mkdtemp(prefix="pos-hub-stall-"))
    results: dict[str, list[dict]] = {}
    try:
        templates = {}
        for label, code in codes.items():
            templates[label] = work / f"template-{label}"
            templates[label].mkdir()
            prepare(code, templates[label])
        for index in range(args.starts):
            for label, code in codes.items():
                for variant, scheduler in VARIANTS.items():
                    run = one_start(args, code, templates[label], scheduler, work)
                    results.setdefault(f"{label}: {variant}", []).append(run)
                    stalls = [o["longest_stall_cpu_ms"] for o in run["orders"]]
                    print(
                        f"[start {index + 1}/{args.starts}] {label}: {variant:<16} longest hub "
                        f"stall per order (CPU ms): {', '.join(f(s) for s in stalls)}; "
                        f"chits printed {run['chits_printed']}",
                        flush=True,
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n== medians over {args.starts} starts: longest hub stall, CPU ms ==")
    for key, runs in results.items():
        first = med([r["orders"][0]["longest_stall_cpu_ms"] for r in runs])
        second = med([r["orders"][1]["longest_stall_cpu_ms"] for r in runs])
        rest = med([med([o["longest_stall_cpu_ms"] for o in r["orders"][2:]]) for r in runs])
        wall1 = med([r["orders"][0]["longest_stall_wall_ms"] for r in runs])
        wall_rest = med([med([o["longest_stall_wall_ms"] for o in r["orders"][2:]]) for r in runs])
        request = med([r["orders"][0]["request_cpu_ms"] for r in runs])
        later = med([med([o["request_cpu_ms"] for o in r["orders"][2:]]) for r in runs])
        print(
            f"  {key:<26} after order 1: {f(first)}  order 2: {f(second)}  orders 3+: {f(rest)}"
            f"   (the POST itself: order 1 {f(request)}, orders 3+ {f(later)}; wall time:"
            f" order 1 {f(wall1)}, orders 3+ {f(wall_rest)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
