"""Order to kitchen screen, told truthfully: the project as `make run` serves it, beside a floor
and an echo measured in the same run (issue 17).

One command (from the repository root):

    .venv/bin/python bench/order_to_kds.py                 # full run (see docs/benchmarks.md)
    .venv/bin/python bench/order_to_kds.py --quick         # a smoke run, under a minute
    .venv/bin/python bench/order_to_kds.py --repeat 3      # three fresh runs and their medians
    .venv/bin/python bench/order_to_kds.py --server-dir before=/work/wt/before --server-dir main=.

What it does, all on 127.0.0.1, every wait bounded, every server killed with its process group
on exit, error or Ctrl-C:

1. **Echo**: bench/echo_server.py (Flask-SocketIO emit-with-ack on plain gevent pywsgi), the
   round trip of sequential emits.
2. **Floor**: bench/floor_server.py, the same stack doing only the essentials (parse, one SQLite
   WAL synchronous=FULL transaction with the order and its lines, emit `ticket_created` per
   station, answer 201), over HTTP and over the handheld's socket; its group-commit path for
   the closed loop.
3. **Project**, for each `--server-dir` (default this checkout): a fresh SQLite database in a
   temporary folder (`flask pos migrate`, `flask pos demo` run by that checkout, the demo
   printers moved to free ports, extra tables for the dine-in orders), then
   `python -m pos_app.server` as `make run` starts it: POS_VIRTUAL_PRINTERS=1 and the
   scheduler on, so every chit is rendered and printed to the virtual printers.
4. The same load on floor and project (bench/order_load.mjs, one Node process, one clock):
   50 handhelds (each one keep-alive HTTP connection and one open /floor socket), 20 screens
   (4 per station), phases of Poisson arrivals (seeded) with the order mix of ORDER_KINDS;
   after each phase the harness waits until the virtual printers printed every chit (the
   print_job rows) and reads the server's CPU (its whole process tree) and memory.

Results: the table of issue 17 on stdout (every figure beside the floor's and the echo's, and
their ratios), per-phase detail, and JSON in bench/results/ (gitignored). Needs Node >= 18
(`npm ci` runs in bench/ when node_modules is missing). Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import order_report
from support import (  # noqa: F401  (other bench scripts import these from here)
    BENCH,
    COOK_PIN,
    ORDER_ITEMS,
    PROJECT,
    RESULTS,
    STATIONS,
    VENV_PYTHON,
    _niceness,
    base_env,
    dist,
    f,
    finish_profiler,
    free_port,
    http_json,
    line,
    machine_info,
    measure_floor,
    migrate_demo,
    node_harness,
    pct,
    prepare_database,
    proc_stat,
    process_tree,
    server_python,
    settle,
    spawn,
    start_profiler,
    stop,
    stop_all,
    tail,
    wait_healthy,
)

SCREENS_PER_STATION = 4
QUICK = {
    "rates": [20.0],
    "socket_rates": [20.0],
    "duration": 2.0,
    "warmup": 0.5,
    "closed_orders": 60,
    "idle_screens": 50,
    "idle_orders": 3,
    "echo_count": 300,
    "settle": 0,
    "drain_limit": 30,
}

# The order mix: each kind's share, its lines (menu names; course; modifiers by name; notes)
# and what it reaches. Every kind reaches every station and expo, so each of the 20 screens
# gets at least one `ticket_created` per order: its FIRST is timed; more (a dine-in's held
# course 2 at grill and fry, shown as held) are counted and reported per station.
ORDER_KINDS = {
    "takeaway": {
        "share": 0.5,
        "order": {"type": "takeaway", "fire": True},
        # five lines, all course 1: one ticket at each kitchen station and one at expo
        "lines": [(name, 1, (), "") for name in ORDER_ITEMS],
    },
    "dine_in": {
        "share": 0.5,
        "order": {"type": "dine_in", "guests": 3, "fire": True, "notes": "birthday: candles"},
        "lines": [
            ("Lentil soup", 1, (), "extra lemon"),
            ("Falafel (6 pieces)", 1, (), ""),
            ("Hummus", 1, (), "no garlic"),
            ("Lemon mint", 0, ("Less sugar",), ""),  # drinks: course 0, sent at once
            ("Mixed grill", 2, ("Saffron rice",), ""),  # course 2: held until fired
            ("Classic beef burger", 2, ("Medium", "No onion"), "cut in half"),
            ("French fries", 2, (), ""),
        ],
    },
}


# ---- phases ---------------------------------------------------------------------------------


def phases_for(args, target: str) -> list[dict]:
    """The phases in the order they run on one server (`target`: floor or project)."""
    out = []
    # Each rate over HTTP, then over the socket, then the next rate: both transports of a rate
    # meet the same state (tables, WAL, heap). With every HTTP rate first, the socket's 20/s
    # ran after the 50/s overload and looked slower than HTTP for that alone (issue 17).
    rates = list(dict.fromkeys([*args.rates, *args.socket_rates]))
    pairs = [
        (transport, rate)
        for rate in rates
        for transport, given in (("http", args.rates), ("socket", args.socket_rates))
        if rate in given
    ]
    for transport, rate in pairs:
        out.append(
            {
                "name": f"{transport} {rate:g}/s",
                "kind": "open",
                "transport": transport,
                "rate": rate,
                "warmup_s": args.warmup,
                "duration_s": args.duration,
                "group": False,
            }
        )
        if transport == "http" and rate == args.rates[0] and args.idle_screens:
            # after the first phase (its first order is the first after the start): the idle
            # screens join cheaply (from the latest seq), few tickets are open yet
            out.append(
                {
                    "name": f"{args.idle_screens} idle screens",
                    "kind": "idle",
                    "idle_screens": args.idle_screens,
                    "count": args.idle_orders,
                    "gap_ms": 300,
                }
            )
    if args.closed_orders:
        closed = {
            "kind": "closed",
            "transport": "http",
            "count": args.closed_orders,
            "concurrency": args.closed_concurrency,
            "max_s": 300,
        }
        out.append({**closed, "name": "closed loop", "group": False})
        if target == "floor":
            out.append({**closed, "name": "closed loop, group commit", "group": True})
    return out


def orders_expected(phases: list[dict]) -> int:
    n = 0
    for ph in phases:
        if ph["kind"] == "open":
            n += ph["rate"] * (ph["warmup_s"] + ph["duration_s"])
        else:
            n += ph["count"]
    return int(n * 1.3) + 100  # Poisson counts vary


# ---- the machine and the server's process tree -------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_s(root: int) -> float:
    """CPU seconds of the tree: user + system of the living, and of the reaped children."""
    ticks = 0
    for pid in process_tree(root):
        if fields := proc_stat(pid):
            ticks += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ticks / TICK


def own_cpu_s(pid: int) -> float:
    """CPU seconds of the process alone (user + system), its children apart."""
    fields = proc_stat(pid)
    return sum(int(v) for v in fields[11:13]) / TICK if fields else 0.0


def tree_rss_kb(root: int) -> int:
    total = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError):
            for text in Path(f"/proc/{pid}/status").read_text().splitlines():
                if text.startswith("VmRSS:"):
                    total += int(text.split()[1])
    return total


def machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return sum(values), values[3] + values[4]


class Meter:
    """CPU of the server's tree and of the harness, and what the rest of the machine used."""

    def __init__(self, server_pid: int, harness_pid: int):
        self.pids = (server_pid, harness_pid)
        self.start()

    def start(self) -> None:
        self.t0, self.m0 = time.monotonic(), machine_ticks()
        self.s0, self.h0 = (tree_cpu_s(p) for p in self.pids)
        self.own0 = own_cpu_s(self.pids[0])

    def read(self) -> dict:
        wall = time.monotonic() - self.t0
        server, harness = (tree_cpu_s(p) for p in self.pids)
        total, idle = machine_ticks()
        busy_s = ((total - self.m0[0]) - (idle - self.m0[1])) / TICK
        return {
            "wall_s": wall,
            "server_cpu_s": server - self.s0,
            "server_own_cpu_s": own_cpu_s(self.pids[0]) - self.own0,
            "harness_cpu_s": harness - self.h0,
            "others_cpu_pct": 100
            * max(0.0, busy_s - (server - self.s0) - (harness - self.h0))
            / max(wall, 1e-9),
            "loadavg": os.getloadavg(),
        }


# ---- the project's database ------------------------------------------------------------------


def project_env(folder: Path, printing: bool) -> dict:
    """`make run`'s settings on a database of our own."""
    env = base_env(folder)
    env.update(
        POS_VIRTUAL_PRINTERS="1" if printing else "0", POS_SCHEDULER="1" if printing else "0"
    )
    return env


def prepare_project(code: Path, folder: Path, env: dict, tables: int) -> None:
    """Migrate and load the demo (by `code`), move the printers, add `tables` free tables."""
    migrate_demo(code, env)
    with contextlib.closing(sqlite3.connect(folder / "pos.sqlite3")) as db, db:
        # The demo printers on ports nobody listens on: someone's `make run` may hold 9101-9105.
        for (printer_id,) in db.execute("SELECT id FROM printer WHERE host = '127.0.0.1'"):
            db.execute("UPDATE printer SET port = ? WHERE id = ?", (free_port(), printer_id))
        # A dine-in order claims a free table, and these stay open: one table each. Copies of
        # the demo's first table (whatever the schema's columns), labelled B1, B2, ...
        columns = [row[1] for row in db.execute("PRAGMA table_info(dining_table)")]
        kept = [c for c in columns if c not in ("id", "label")]
        template = db.execute(f"SELECT {', '.join(kept)} FROM dining_table ORDER BY id LIMIT 1")
        values = template.fetchone()
        db.executemany(
            f"INSERT INTO dining_table ({', '.join(kept)}, label) VALUES "
            f"({', '.join('?' * (len(kept) + 1))})",
            [(*values, f"B{i + 1}") for i in range(tables)],
        )


def count_rows(db_path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def project_tables(db_path: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return [r[0] for r in db.execute("SELECT id FROM dining_table WHERE label LIKE 'B%'")]


def print_jobs(db_path: Path) -> dict:
    """Counts per status and the last printed_at (epoch seconds)."""
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)) as db:
        counts = dict(db.execute("SELECT status, count(*) FROM print_job GROUP BY status"))
        last = db.execute("SELECT max(printed_at) FROM print_job WHERE status = 'printed'")
        last = last.fetchone()[0]
    return {"counts": counts, "last_printed_at": epoch_s(last)}


def epoch_s(value) -> float | None:
    """A stored timestamp (ISO text, naive meaning UTC, or epoch seconds) as epoch seconds."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return float(value)
    stamp = datetime.fromisoformat(str(value))
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def drain_printing(db_path: Path, limit_s: float) -> dict:
    """Wait (at most `limit_s`) until no print job is pending or sending."""
    deadline = time.monotonic() + limit_s
    while True:
        jobs = print_jobs(db_path)
        waiting = sum(v for k, v in jobs["counts"].items() if k != "printed")
        if not waiting or time.monotonic() > deadline:
            return {**jobs, "waiting": waiting}
        time.sleep(0.1)


# ---- one target: a server and the load against it ---------------------------------------------


def order_kinds(menu: dict, station_ids: dict, tables: bool) -> dict:
    """ORDER_KINDS with the menu's ids (the dine-in kind only when there are tables)."""
    items = {i["name"]["en"]: i for c in menu["categories"] for i in c["items"]}
    modifiers = {m["name"]["en"]: m["id"] for g in menu["modifier_groups"] for m in g["modifiers"]}
    kinds = {}
    for name, kind in ORDER_KINDS.items():
        if name == "dine_in" and not tables:
            continue
        kinds[name] = {
            "share": kind["share"],
            "needs_table": kind["order"]["type"] == "dine_in",
            "body": {
                **kind["order"],
                "lines": [
                    {
                        "item_id": items[item]["id"],
                        "quantity": 2 if note == "cut in half" else 1,
                        "course": course,
                        "modifier_ids": [modifiers[m] for m in mods],
                        "note": note,
                    }
                    for item, course, mods, note in kind["lines"]
                ],
            },
        }
    total = sum(k["share"] for k in kinds.values())
    for k in kinds.values():
        k["share"] /= total
    return kinds


def drive(args, target: dict, folder: Path) -> dict:
    """Start the target's server, run the phases against it, stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / f"{target['name']}-server.log"
    started = time.monotonic()
    server = spawn([*target["command"], "--port", str(port)], log, target["env"], cwd=target["cwd"])
    try:
        wait_healthy(url, server, log, seconds=90)
        ready_s = time.monotonic() - started
        config = {**target["load"](url), "url": url}
        config.update(
            seed=args.seed,
            handheld_tokens=[
                config["tokens"][i % len(config["tokens"])] for i in range(args.handhelds)
            ],
            phases=target["phases"],
            delivery_wait_ms=10000,
            request_timeout_ms=30000,
            warm_path="/api/v1/auth/me",
        )
        config["watchdog_s"] = watchdog_s(args, target["phases"])
        profiler = None
        if target["name"] != "floor":
            profiler = start_profiler(args, server.pid, folder, config["watchdog_s"])
        result, marks = run_load(config, folder, target, server)
        profile = finish_profiler(profiler)
        if server.poll() is not None:
            raise RuntimeError(f"{target['name']} died:\n{tail(log)}")
    finally:
        stop(server)
    return {
        "ready_s": ready_s,
        "result": result,
        "marks": marks,
        "server_log": str(log),
        "profile": profile,
    }


def watchdog_s(args, phases: list[dict]) -> float:
    bound = 120 + args.drain_limit * len(phases)
    for ph in phases:
        if ph["kind"] == "open":
            bound += ph["warmup_s"] + ph["duration_s"] + 15
        elif ph["kind"] == "idle":
            bound += ph["idle_screens"] * 0.2 + ph["count"] * 12 + 30
        else:
            bound += ph["max_s"] + 15
    return bound


def run_load(config: dict, folder: Path, target: dict, server) -> tuple[dict, dict]:
    """The Node harness, answering its handshakes: CPU marks, printing drained, memory."""
    name = target["name"]
    (folder / f"{name}-load.json").write_text(json.dumps(config))
    result_path = folder / f"{name}-result.json"
    node = spawn(
        [
            "node",
            str(BENCH / "order_load.mjs"),
            str(folder / f"{name}-load.json"),
            str(result_path),
        ],
        folder / f"{name}-node.log",
        dict(os.environ),
        cwd=BENCH,
        pipes=True,
    )
    marks: dict[str, dict] = {}
    meter = None
    deadline = time.monotonic() + config["watchdog_s"] + 30
    try:
        while True:
            ready, _, _ = select.select(
                [node.stdout], [], [], max(0.1, deadline - time.monotonic())
            )
            if not ready:
                raise RuntimeError(f"the Node harness said nothing for too long ({name})")
            text = node.stdout.readline()
            if not text:
                break
            event = json.loads(text)
            if event["event"] == "done":
                break
            mark = marks.setdefault(event["phase"], {})
            if event["event"] == "phase_start":
                meter = Meter(server.pid, node.pid)
            elif event["event"] == "phase_sent":
                if target["db"] is not None:
                    mark["printing"] = drain_printing(target["db"], target["drain_limit"])
                mark["cpu"] = meter.read()
            elif event["event"] == "idle_before":
                mark["rss_before_kb"] = tree_rss_kb(server.pid)
            elif event["event"] == "idle_connected":
                mark["rss_after_kb"] = tree_rss_kb(server.pid)
                mark["screens"] = event["screens"]
            node.stdin.write("go\n")
            node.stdin.flush()
        code = node.wait(timeout=60)
    finally:
        stop(node)
    if code != 0:
        raise RuntimeError(
            f"the Node harness failed ({code}):\n{tail(folder / f'{name}-node.log')}"
        )
    return json.loads(result_path.read_text()), marks


def floor_target(args, folder: Path, routing: dict, menu_kinds: dict) -> dict:
    (folder / "floor-routing.json").write_text(json.dumps(routing))
    python = str(VENV_PYTHON)
    tables = list(range(1, orders_expected(phases_for(args, "floor")) + 1))
    return {
        "name": "floor",
        "folder": folder,
        "command": [
            python,
            str(BENCH / "floor_server.py"),
            "--host",
            "127.0.0.1",
            "--db",
            str(folder / "floor.sqlite3"),
            "--routing",
            str(folder / "floor-routing.json"),
        ],
        "env": {k: v for k, v in os.environ.items() if not k.startswith("POS_")},
        "cwd": PROJECT,
        "phases": phases_for(args, "floor"),
        "db": None,
        "db_file": folder / "floor.sqlite3",
        "order_table": "floor_order",
        "drain_limit": 0,
        "load": lambda _url: {
            "tokens": ["floor-token"],
            "screen_token": "floor-token",
            "screen_stations": routing["screens"],
            "kinds": menu_kinds,
            "fallback_kind": "takeaway",
            "tables": tables,
        },
    }


def project_target(args, label: str, code: Path, folder: Path) -> dict:
    phases = phases_for(args, "project")
    env = project_env(folder, not args.no_printing)
    prepare_project(code, folder, env, orders_expected(phases))
    db = folder / "pos.sqlite3"
    setup = setup_project(code, env, args.handhelds)
    ids = {s["code"]: s["id"] for s in setup["stations"]}

    def load(_url: str) -> dict:
        return {
            "tokens": setup["waiter_tokens"],
            "screen_token": setup["cook_token"],
            "screen_stations": [ids[c] for c in STATIONS] * args.screens_per_station,
            "kinds": order_kinds(setup["menu"], ids, tables=True),
            "fallback_kind": "takeaway",
            "tables": project_tables(db),
        }

    return {
        "name": label,
        "folder": folder,
        "command": [server_python(code), "-m", "pos_app.server", "--host", "127.0.0.1"],
        "env": env,
        "cwd": code,
        "phases": phases,
        "db": db if not args.no_printing else None,
        "db_file": db,
        "order_table": "order",
        "drain_limit": args.drain_limit,
        "load": load,
        "setup": setup,
    }


def setup_project(code: Path, env: dict, waiters: int) -> dict:
    """Waiters, tokens, stations and menu of a prepared database (bench/project_setup.py, run
    by the checkout measured)."""
    done = subprocess.run(
        [
            server_python(code),
            "-c",
            (BENCH / "project_setup.py").read_text(),
            str(waiters),
            COOK_PIN,
        ],  # fmt: skip
        cwd=code,
        # the waiters' PINs hashed with the cheapest argon2 parameters: 50 standard hashes and
        # logins took a minute on a busy 2-core machine; logins are not what is measured
        env={**env, "POS_PASSWORD_HASHING": "fast"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"setting up {code} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor_routing(setup: dict, args) -> tuple[dict, dict]:
    """From a project's set-up: item -> station for the floor, and the kinds with menu ids."""
    ids = {s["code"]: s["id"] for s in setup["stations"]}
    menu = setup["menu"]
    routing = {
        "item_station": {
            str(i["id"]): ids[i["station"]]
            for c in menu["categories"]
            for i in c["items"]
            if i.get("station") in ids
        },
        "expo_station": ids["expo"],
        "screens": [ids[c] for c in STATIONS] * args.screens_per_station,
    }
    return routing, order_kinds(menu, ids, tables=True)


# ---- one repetition --------------------------------------------------------------------------


def one_run(args, index: int, codes: dict[str, Path]) -> dict:
    root = Path(tempfile.mkdtemp(prefix="pos-order-bench-"))
    print(f"[run {index}] working in {root}", flush=True)
    try:
        quiet = settle(args.settle)
        load_before = os.getloadavg()
        projects = {}
        for label, code in codes.items():  # the databases first: the floor needs the menu
            folder = root / label.replace("/", "_")
            folder.mkdir()
            projects[label] = project_target(args, label, code, folder)
        first = next(iter(projects.values()))
        routing, kinds = floor_routing(first["setup"], args)
        (root / "floor").mkdir()
        echo = measure_floor(str(VENV_PYTHON), root, args)
        print(
            f"[run {index}] echo p50 {f(echo['rtt_ms']['p50'], 3)} ms, "
            f"p99 {f(echo['rtt_ms']['p99'], 3)} ms",
            flush=True,
        )
        out = {
            "index": index,
            "echo": echo,
            "machine_busy_before_pct": quiet,
            "loadavg_before": load_before,
            "targets": {},
        }
        targets = {"floor": floor_target(args, root / "floor", routing, kinds), **projects}
        for name, target in targets.items():
            started = time.monotonic()
            print(f"[run {index}] {name}: {len(target['phases'])} phases", flush=True)
            raw = drive(args, target, Path(target["folder"]))
            out["targets"][name] = order_report.summarise_target(raw, target)
            summary = out["targets"][name]
            if target["db"] is not None:
                summary["print_jobs_at_end"] = print_jobs(target["db"])
            answered = sum(p["statuses"].get("201", 0) for p in summary["phases"])
            rows = count_rows(target["db_file"], target["order_table"])
            summary["durable_check"] = {"answered_201": answered, "rows": rows}
            summary["wall_s"] = time.monotonic() - started
            order_report.print_target(name, summary)
            order_report.print_durability(summary)
        out["loadavg_after"] = os.getloadavg()
        return out
    finally:
        if args.keep:
            print(f"[run {index}] kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


# ---- main --------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--handhelds", type=int, default=50)
    p.add_argument(
        "--screens-per-station",
        type=int,
        default=SCREENS_PER_STATION,
        help="screens on each of the 5 stations (default 4: 20 screens)",
    )
    p.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=[20.0, 50.0],
        help="orders/s over HTTP, Poisson (default 20 50)",
    )
    p.add_argument(
        "--socket-rates",
        type=float,
        nargs="*",
        default=[20.0, 50.0],
        help="orders/s over the handheld's open socket (default 20 50)",
    )
    p.add_argument("--duration", type=float, default=20.0, help="seconds per rate, measured")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds first, discarded")
    p.add_argument("--closed-orders", type=int, default=2000, help="closed loop; 0: none")
    p.add_argument("--closed-concurrency", type=int, default=8)
    p.add_argument("--idle-screens", type=int, default=1000, help="0: no fan-out phase")
    p.add_argument("--idle-orders", type=int, default=20, help="orders to all idle screens")
    p.add_argument(
        "--no-printing",
        action="store_true",
        help="POS_VIRTUAL_PRINTERS=0 and no scheduler (chits queued, never printed)",
    )
    p.add_argument(
        "--drain-limit",
        type=float,
        default=300,
        help="seconds to wait after a phase for the printers to print everything",
    )
    p.add_argument(
        "--server-dir",
        action="append",
        default=[],
        metavar="[LABEL=]DIR",
        help="checkout to serve (repeat: --server-dir before=/work/wt/before --server-dir main=.)",
    )
    p.add_argument("--echo-count", type=int, default=3000)
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--repeat", type=int, default=1, help="fresh runs; medians reported")
    p.add_argument(
        "--settle",
        type=float,
        default=60,
        help="wait up to N s for the machine to be under 20%% busy first",
    )
    p.add_argument("--priority", type=int, default=0, help="nice increment of the children")
    p.add_argument("--quick", action="store_true", help="a smoke run, under a minute")
    p.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the project's servers over all their phases (requirements-dev.txt; it "
        "costs CPU: never for headline figures)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--output", type=Path, help="JSON file (default bench/results/...)")
    args = p.parse_args()
    if args.quick:
        # One rate each way, short phases: it proves the harness, it measures nothing. An
        # option given explicitly keeps its value (--quick --idle-screens 1000).
        given = {
            action.dest
            for action in p._actions
            for word in sys.argv[1:]
            if word.split("=", 1)[0] in action.option_strings
        }
        for name, value in QUICK.items():
            if name not in given:
                setattr(args, name, value)
    if not 1 <= args.repeat <= 10:
        p.error("--repeat is 1 to 10")
    if args.closed_concurrency > args.handhelds or min(args.rates) <= 0:
        p.error("--closed-concurrency at most --handhelds; rates positive")
    return args


def codes_of(args) -> dict[str, Path]:
    codes = {}
    for given in args.server_dir or ["project=."]:
        label, _, path = given.rpartition("=")
        code = Path(path).resolve()
        if not (code / "pos_app" / "server.py").exists():
            raise SystemExit(f"{code} is not a checkout of this project")
        codes[label or code.name] = code
    return codes


def main() -> int:
    args = parse_args()
    codes = codes_of(args)
    _niceness[0] = args.priority
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with `&`
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 1,000 screens in one Node
    if hard < args.idle_screens + 500:
        print(f"descriptor limit {hard}: too low for {args.idle_screens} screens", file=sys.stderr)
        return 2
    if shutil.which("node") is None:
        print("node (>= 18) is needed for the load generator", file=sys.stderr)
        return 2
    if not (BENCH / "node_modules" / "socket.io-client").exists():
        print("installing the harness's npm packages (npm ci in bench/)", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True, timeout=300)
    machine = machine_info(str(VENV_PYTHON))
    print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['ram_gib']} GiB; "
        f"Python {machine['python']}, gevent {machine['gevent']}, SQLite {machine['sqlite']}, "
        f"Node {machine['node']}; servers: "
        f"{', '.join(f'{k}={v}' for k, v in codes.items())}",
        flush=True,
    )
    started = time.monotonic()
    runs = []
    try:
        for i in range(1, args.repeat + 1):
            runs.append(one_run(args, i, codes))
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        stop_all()
    table = order_report.table(runs, list(codes))
    order_report.print_table(table, runs, list(codes), args)
    RESULTS.mkdir(exist_ok=True)
    path = args.output or RESULTS / f"order_to_kds-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(
        json.dumps(
            {
                "benchmark": "order_to_kds",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
                "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                "code": {
                    label: {"dir": str(code), "git": git_describe(code)}
                    for label, code in codes.items()
                },
                "machine": machine,
                "order_kinds": ORDER_KINDS,
                "wall_s": time.monotonic() - started,
                "table": table,
                "runs": runs,
            },
            indent=1,
            default=str,
        )
    )
    print(f"\n{len(runs)} run(s) in {time.monotonic() - started:.0f} s; written {path}")
    return 0


def git_describe(code: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(code), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
