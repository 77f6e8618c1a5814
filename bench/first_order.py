"""The first order after a start: push latency to the kitchen screens, order 1 against the next.

One command (from the repository root):

    .venv/bin/python bench/first_order.py                      # 5 starts, about 2 minutes
    .venv/bin/python bench/first_order.py --quick              # 2 starts, a smoke run
    .venv/bin/python bench/first_order.py --starts 7 --priority -10 \
        --server-dir before=/tmp/old-checkout --server-dir after=.   # docs/benchmarks.md

Before the fix, the first chit's render (imports, font loading, Arabic shaping) ran on the
gevent hub and held every push for 0.6-1.6 s. What it does, all on 127.0.0.1, every wait
bounded in count and time:

1. A fresh SQLite database per code and variant in a temporary folder: `flask pos migrate`
   and `flask pos demo`, run by the code measured (`--server-dir`, default this checkout;
   several: each start runs each, interleaved, the same hour on the same machine).
2. **The floor**, in the same run: bench/echo_server.py (a bare Flask-SocketIO echo app on the
   same gevent stack) and sequential emit-with-ack round trips from the Node client.
3. For each start (`--starts`, default 5), for each code and variant, interleaved so that the
   machine's noise falls on all alike:
   - **printing**: the server as `make run` starts it: `python -m pos_app.server` with
     `POS_VIRTUAL_PRINTERS=1` and the scheduler on (the print worker, the demo's virtual
     printers inside the server). The demo printers' rows are moved to free ports first (the
     machine may run someone's `make run` on 9101-9105).
   - **no print worker** (`POS_SCHEDULER=0`): the same server and order with nothing printed,
     for what a first order costs without printing (first queries, first emits).
   The Node harness (bench/kds_load.mjs) connects one `/kds` screen per station (grill, fry,
   cold, bar, expo) and one handheld, then posts `--orders` takeaway orders with
   `fire: true`, one every `--gap` seconds (five lines in course 1: a ticket, a chit and a
   push at every station). Latency of an order = its POST written -> the last of its five
   screens got `ticket_created`. Meanwhile a probe thread asks `GET /healthz` every
   `--probe-ms` (20) on a keep-alive connection: the slowest answer to a probe sent in the
   second after order 1 shows the longest stall of the server's hub then (whichever push or
   request it fell on); the same after order 5 is the steady state. The server is stopped
   after each start; the print_job rows say whether every chit printed.
4. Medians over the starts: order 1 after the start, order 2 (sent while order 1's chits may
   still be rendering), and orders 3..N; and what the rest of the machine used meanwhile.

Results: a summary on stdout and JSON in bench/results/ (gitignored). Needs Node >= 18
(`npm ci` in bench/ when node_modules is missing).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import order_to_kds as base  # noqa: E402  (process, HTTP and statistics helpers)

STATIONS = ("grill", "fry", "cold", "bar", "expo")
PROBE_WINDOW_S = 1.0  # after an order is sent: the time its chits take to render and print
VARIANTS = {
    "printing": {"POS_VIRTUAL_PRINTERS": "1", "POS_SCHEDULER": "1"},
    "no print worker": {"POS_VIRTUAL_PRINTERS": "0", "POS_SCHEDULER": "0"},
}


server_python = base.server_python


def prepare(server_dir: Path, folder: Path) -> dict:
    """A migrated demo database in `folder`; returns the environment to serve it with."""
    env = base.base_env(folder)
    base.migrate_demo(server_dir, env)
    return env


def move_printers_to_free_ports(db_path: Path) -> list[int]:
    """The demo's loopback printers on ports nobody listens on (not 9101-9105)."""
    with contextlib.closing(sqlite3.connect(db_path)) as db, db:
        ids = [row[0] for row in db.execute("SELECT id FROM printer WHERE host = '127.0.0.1'")]
        ports = [base.free_port() for _ in ids]
        for printer_id, port in zip(ids, ports, strict=True):
            db.execute("UPDATE printer SET port = ? WHERE id = ?", (port, printer_id))
    return ports


def job_counts(db_path: Path) -> dict:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return dict(db.execute("SELECT status, count(*) FROM print_job GROUP BY status").fetchall())


class HubProbe:
    """GET /healthz every `every_s` on one keep-alive connection while the orders go: a stall
    of the server's hub (a render on it) shows as one slow answer, whatever a push met."""

    def __init__(self, url: str, every_s: float):
        self.host, self.port = url.split("//")[1].split(":")
        self.every_s, self.latencies_ms, self.sent_at = every_s, [], []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        deadline = time.monotonic() + 600  # bounded, whatever happens
        while not self.stopped.is_set() and time.monotonic() < deadline:
            started, wall = time.perf_counter(), time.time()
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.sent_at.append(wall)
            self.stopped.wait(self.every_s)
        conn.close()

    def slowest_after(self, wall_s: float, window_s: float) -> float | None:
        """The slowest answer to a probe sent in [wall_s, wall_s + window_s]."""
        return max(
            (
                ms
                for ms, at in zip(self.latencies_ms, self.sent_at, strict=True)
                if wall_s <= at <= wall_s + window_s
            ),
            default=None,
        )

    def __enter__(self) -> HubProbe:
        if self.every_s > 0:
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=35)


def one_start(args, code: Path, variant: str, env: dict, folder: Path, index: int) -> dict:
    """Start the server, post the orders, stop it; per order the POST -> all screens time."""
    db_path = folder / "pos.sqlite3"
    move_printers_to_free_ports(db_path)
    env = {**env, **VARIANTS[variant]}
    port = base.free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / f"server-{index}.log"
    command = [server_python(code), "-m", "pos_app.server", "--port", str(port)]
    started = time.monotonic()
    server = base.spawn([*command, "--host", "127.0.0.1"], log, env, cwd=code)
    try:
        base.wait_healthy(url, server, log, seconds=60)
        ready_s = time.monotonic() - started
        waiter = base.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": "1111"})["token"]
        cook = base.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": base.COOK_PIN})["token"]
        listed = base.http_json(f"{url}/api/v1/stations", token=cook)["items"]
        stations = {s["code"]: s["id"] for s in listed}
        menu = base.http_json(f"{url}/api/v1/menu", token=waiter)
        items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
        config = {
            "mode": "orders",
            "url": url,
            "server_pid": server.pid,
            "clock_ticks": os.sysconf("SC_CLK_TCK"),
            "cpus": os.cpu_count(),
            "handheld_tokens": [waiter],
            "screen_token": cook,
            "screen_stations": [stations[code] for code in STATIONS],
            "order_lines": [items[name] for name in base.ORDER_ITEMS],
            "order_course": 1,
            "rate": 1 / args.gap,
            "warmup_s": 0,  # the first order after the start is the one measured
            "duration_s": args.orders * args.gap,
            "throughput_orders": 0,
            "delivery_wait_ms": 10000,
            "request_timeout_ms": 30000,
            "watchdog_s": args.orders * args.gap + 60,
        }
        with HubProbe(url, args.probe_ms / 1000) as probe:
            result = base.node_harness(
                config, folder, f"orders-{index}", timeout=config["watchdog_s"] + 30
            )
        time.sleep(1.0)  # let the last chits print before the server stops
        if server.poll() is not None:
            raise RuntimeError(f"the server died:\n{base.tail(log)}")
    finally:
        base.stop(server)
    origin_s = result["time_origin_ms"] / 1000
    sent_wall = [origin_s + o["t_send"] / 1000 for o in result["latency"]["orders_detail"]]
    per_order = []
    for order in result["latency"]["orders_detail"]:
        got = [t for t in order["recv"] if t is not None]
        complete = order["status"] == 201 and len(got) == len(STATIONS)
        per_order.append(max(got) - order["t_send"] if complete else None)
    return {
        "variant": variant,
        "start": index,
        "ready_s": ready_s,
        "orders_ms": per_order,
        "post_answer_ms": [
            o["t_resp"] - o["t_send"] for o in result["latency"]["orders_detail"] if o["t_resp"]
        ],
        "print_jobs": job_counts(db_path),
        "probe_ms": {
            "n": len(probe.latencies_ms),
            "p50": base.pct(probe.latencies_ms, 50),
            "max": max(probe.latencies_ms, default=None),
            # the longest stall in the second after order 1 was sent, and after order 5
            "after_order_1": probe.slowest_after(sent_wall[0], PROBE_WINDOW_S),
            "after_order_5": probe.slowest_after(sent_wall[4], PROBE_WINDOW_S)
            if len(sent_wall) > 4
            else None,
        },
        "server_cpu_s": result["latency"]["cpu"]["server_cpu_s"],
        "others_cpu_pct": result["latency"]["cpu"]["others_cpu_pct"],
    }


def probe_summary(starts: list[dict], key: str) -> dict:
    values = [s["probe_ms"][key] for s in starts if s["probe_ms"].get(key) is not None]
    return {
        "median": statistics.median(values) if values else None,
        "max": max(values, default=None),
        "each": values,
    }


def summarise(starts: list[dict]) -> dict:
    """Medians over the starts: order 1, order 2 (it may wait for order 1's chits), the rest."""

    def nth(n: int) -> dict:
        values = [s["orders_ms"][n] for s in starts if len(s["orders_ms"]) > n]
        values = [v for v in values if v is not None]
        return {
            "median": statistics.median(values) if values else None,
            "min": min(values, default=None),
            "max": max(values, default=None),
            "each": values,
        }

    rest_medians = [
        statistics.median(rest)
        for s in starts
        if (rest := [v for v in s["orders_ms"][2:] if v is not None])
    ]
    rest_all = [v for s in starts for v in s["orders_ms"][2:] if v is not None]
    return {
        "starts": len(starts),
        "first_order_ms": nth(0),
        "second_order_ms": nth(1),
        "following_orders_ms": {
            "median_of_start_medians": statistics.median(rest_medians) if rest_medians else None,
            "p90": base.pct(rest_all, 90),
            "max": max(rest_all, default=None),
            "n": len(rest_all),
        },
        "orders_missing_a_screen": sum(v is None for s in starts for v in s["orders_ms"]),
        "others_cpu_pct": statistics.median(s["others_cpu_pct"] for s in starts),
        "probe_slowest_after_order_1_ms": probe_summary(starts, "after_order_1"),
        "probe_slowest_after_order_5_ms": probe_summary(starts, "after_order_5"),
        "print_jobs": [s["print_jobs"] for s in starts],
    }


def f(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=5, help="server starts per variant")
    parser.add_argument("--orders", type=int, default=8, help="orders per start")
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between two orders")
    parser.add_argument("--echo-count", type=int, default=2000)
    parser.add_argument(
        "--probe-ms", type=float, default=20, help="GET /healthz every N ms meanwhile (0: none)"
    )
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma separated")
    parser.add_argument(
        "--server-dir",
        action="append",
        default=[],
        metavar="[LABEL=]DIR",
        help="code to serve (repeat to compare: before=/tmp/old --server-dir after=.)",
    )
    parser.add_argument("--quick", action="store_true", help="2 starts, 4 orders")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--priority", type=int, default=0, help="nice value for the servers and harness (-10)"
    )
    args = parser.parse_args()
    base._niceness[0] = args.priority
    if args.quick:
        args.starts, args.orders, args.echo_count = 2, 4, 300
    codes = {}
    for given in args.server_dir or [str(base.PROJECT)]:
        label, _, path = given.rpartition("=")
        codes[label or Path(path).resolve().name] = Path(path).resolve()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    combos = [(code, variant) for code in codes for variant in variants]
    if not (base.BENCH / "node_modules" / "socket.io-client").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=base.BENCH, check=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    root = Path(tempfile.mkdtemp(prefix="pos-first-order-"))
    first_code = next(iter(codes.values()))
    try:
        folders, envs = {}, {}
        for code, variant in combos:
            folder = root / f"{code}-{variant}".replace(" ", "-")
            folder.mkdir()
            folders[code, variant] = folder
            envs[code, variant] = prepare(codes[code], folder)
        floor = base.measure_floor(server_python(first_code), root, args)
        print(f"echo floor: p50 {f(floor['rtt_ms']['p50'], 3)} ms, "
              f"p99 {f(floor['rtt_ms']['p99'], 3)} ms", flush=True)  # fmt: skip
        runs: dict[str, list[dict]] = {f"{c}: {v}": [] for c, v in combos}
        for index in range(args.starts):
            for code, variant in combos:
                key = (code, variant)
                run = one_start(args, codes[code], variant, envs[key], folders[key], index)
                runs[f"{code}: {variant}"].append(run)
                print(
                    f"[start {index + 1}/{args.starts}] {code}: {variant:<16} order 1: "
                    f"{f(run['orders_ms'][0])} ms, then "
                    f"{', '.join(f(v) for v in run['orders_ms'][1:])} ms; "
                    f"slowest /healthz after order 1 {f(run['probe_ms']['after_order_1'])} ms, "
                    f"after order 5 {f(run['probe_ms']['after_order_5'])} ms; "
                    f"jobs {run['print_jobs']}; "
                    f"others {run['others_cpu_pct']:.0f}% of a core",
                    flush=True,
                )
    finally:
        base.stop_all()
        shutil.rmtree(root, ignore_errors=True)

    summary = {v: summarise(r) for v, r in runs.items()}
    print(f"\n== medians over {args.starts} starts (POST -> all five screens, ms) ==")
    print(f"  echo floor round trip p50 {f(floor['rtt_ms']['p50'], 3)}, "
          f"p99 {f(floor['rtt_ms']['p99'], 3)}")  # fmt: skip
    for variant, s in summary.items():
        first, second, rest = s["first_order_ms"], s["second_order_ms"], s["following_orders_ms"]
        p1, p5 = s["probe_slowest_after_order_1_ms"], s["probe_slowest_after_order_5_ms"]
        print(
            f"  {variant:<26} order 1: {f(first['median'])} ({f(first['min'])}-{f(first['max'])})"
            f"  order 2: {f(second['median'])} ({f(second['min'])}-{f(second['max'])})"
            f"  orders 3+: {f(rest['median_of_start_medians'])} (p90 {f(rest['p90'])})"
            f"  slowest /healthz in the second after order 1: {f(p1['median'])}"
            f" (max {f(p1['max'])}), after order 5: {f(p5['median'])} (max {f(p5['max'])})"
            f"  missing: {s['orders_missing_a_screen']}"
            f"  others: {s['others_cpu_pct']:.0f}% of a core"
        )
    out = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": {
            label: {
                "dir": str(path),
                "git": subprocess.run(
                    ["git", "-C", str(path), "describe", "--always", "--dirty"],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.strip(),
            }
            for label, path in codes.items()
        },
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": base.machine_info(server_python(first_code)),
        "floor": floor,
        "summary": summary,
        "runs": runs,
    }
    base.RESULTS.mkdir(exist_ok=True)
    path = args.output or base.RESULTS / f"first_order-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
