"""Kitchen printing: order POST to the last byte of each chit at its printer, and fail-over.

One command (from the repository root):

    .venv/bin/python bench/print_latency.py                 # full run, about 4 minutes
    .venv/bin/python bench/print_latency.py --quick         # a short smoke run
    .venv/bin/python bench/print_latency.py --priority -10  # what docs/benchmarks.md reports
    .venv/bin/python bench/print_latency.py --profile --failover-runs 0 --hung-runs 0 \
        --unreachable-runs 0                                 # py-spy on the server, phase 1

What it does, all on 127.0.0.1, every wait bounded in count and time:

1. A fresh SQLite database in a temporary folder, `flask pos migrate` and `flask pos demo`
   (helpers imported from bench/order_to_kds.py), then the real server
   (`python -m pos_app.server`, its print process beside it: one loop per printer) as a
   subprocess; the server's CPU counts its print process's.
2. Nine virtual printers run in THIS process (printers/virtual.py, subclassed to timestamp
   every recv), so a chit's arrival is measured on the same clock (time.perf_counter) as the
   POST. A manager logs in with email and password and, over the API, points the four demo
   kitchen printers (grill, fry, cold, bar; backups grill<->fry, cold<->bar) and the receipt
   printer at them, and creates a second kitchen printer per station (backups likewise):
   8 kitchen printers, each station's chit printed on two (`--per-station 1`: 4).
3. Phase 1, latency with 8 printers busy: takeaway orders with `fire: true` and five lines in
   course 1 (Hummus, Fattoush: cold; Falafel: fry; Lentil soup: grill; Lemon mint: bar), so
   every order makes one chit per station and 8 print jobs. After a discarded warm-up, orders
   go at a fixed open-loop rate (default 10/s for 20 s) from a pool of keep-alive HTTP
   connections. Each order's customer name is a unique tag ("PL000123") that the chit prints
   as text, which matches a received job to its order. Latency = last byte of the chit's
   payload at the printer socket (the recv that brought it; the worker's status queries after
   the job are not payload) minus the moment the POST was written; per printer, per chit and
   per order (all 8 chits). The print_job rows (created, claimed) split it up.
4. Phase 2, fail-over, orders still flowing (default 10/s): the grill printer goes dark and
   the bench waits for the fry printer's first chit marked "BACKUP FROM Grill printer"
   (decode_escpos). Measured: printer dark -> that chit's last byte, and first failing fire
   (the POST of the earliest order whose grill chit failed over) -> that chit. Three runs with
   VirtualPrinter.stop() (connections refused; it stays dark 8 s, then restarts and its queue
   must drain, health API queue_depth 0, before the next run), then one run where connections
   time out (a listener with a full backlog on the printer's port: a printer switched off) and
   one where the printer accepts but never answers (VirtualPrinter mode "stall": a hung
   printer); those two stay dark until the first backup chit (at most --hung-timeout). At the
   end every order of the phase must have its grill chit exactly once, on the grill printer
   or as a backup on the fry printer.

Results: a summary on stdout and JSON in bench/results/ (gitignored). The server is stopped at
the end, on errors, on Ctrl-C and by a watchdog (--max-seconds). Standard library and the
project's own printers package only.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
for _path in (str(BENCH), str(PROJECT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import order_to_kds as base  # noqa: E402  (the order benchmark's process and HTTP helpers)

from printers.render import decode_escpos  # noqa: E402
from printers.virtual import ReceivedJob, VirtualPrinter  # noqa: E402

RESULTS = BENCH / "results"
KITCHEN = ("grill", "fry", "cold", "bar")
BACKUP_PAIRS = {"grill": "fry", "fry": "grill", "cold": "bar", "bar": "cold"}
MANAGER = {"email": "manager@example.com", "password": "manager-demo-pass"}
WAITER_PINS = ("1111", "1112")
TARGET_FAILOVER_S = 10.0
TAG = re.compile(rb"PL(\d{6})")
STATUS_QUERIES = (b"\x10\x04\x01", b"\x10\x04\x04")
clock = time.perf_counter


# ---- virtual printers with timestamps -----------------------------------------------------


@dataclass
class TimedJob:
    tag: int | None  # the order's tag printed on the chit
    data: bytes  # payload (status queries taken out)
    accepted: float  # clock() when the connection was accepted
    last_byte: float  # clock() of the recv that brought the payload's last byte
    closed: float  # clock() when the sender closed
    wall_last_byte: float  # time.time() of the same moment (to compare with the server's rows)
    complete: bool


@dataclass
class TimedPrinter(VirtualPrinter):
    """A VirtualPrinter (normal mode) that timestamps every recv of a job."""

    timed: list[TimedJob] = field(default_factory=list)

    def _handle(self, conn: socket.socket) -> None:
        if self.mode != "normal":  # stall, close_mid, paper_out, offline: the original
            return super()._handle(conn)
        accepted = clock()
        data, marks, complete, scanned = bytearray(), [], False, 0
        with conn:
            conn.settimeout(30)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    complete = True
                    break
                marks.append((clock(), time.time(), len(data) + len(chunk)))
                data += chunk
                scanned = self._answer_status(conn, data, scanned)
        closed = clock()
        payload = self._payload(data)
        if not payload:
            return  # a status probe only
        end = len(data)  # the payload ends where the trailing status queries start
        while end >= 3 and bytes(data[end - 3 : end]) in STATUS_QUERIES:
            end -= 3
        at, wall = next((t, w) for t, w, n in marks if n >= end)
        found = TAG.search(payload)
        self.timed.append(
            TimedJob(
                int(found.group(1)) if found else None,
                payload,
                accepted,
                at,
                closed,
                wall,
                complete,
            )
        )
        self.jobs.append(ReceivedJob(payload, time.time(), complete))


class Blackhole:
    """A port where connections time out, like a printer switched off or unplugged: a listener
    that never accepts, its backlog filled, so the kernel drops further SYNs."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(0)
        self.fill = []
        for _ in range(4):
            client = socket.socket()
            client.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                client.connect(("127.0.0.1", port))
            self.fill.append(client)

    def close(self) -> None:
        for client in self.fill:
            client.close()
        self.sock.close()


# ---- orders at a fixed rate ---------------------------------------------------------------


@dataclass
class Sent:
    tag: int
    scheduled: float
    t_send: float = 0.0
    wall_send: float = 0.0
    t_resp: float = 0.0
    status: int = 0
    order_id: str = ""
    number: int | None = None
    error: str = ""


class Orders:
    """Takeaway orders with fire: true, posted by a pool of keep-alive HTTP connections."""

    def __init__(self, port: int, tokens: list[str], item_ids: list[int], connections: int):
        self.port, self.tokens, self.item_ids = port, tokens, item_ids
        self.pool = ThreadPoolExecutor(max_workers=connections, thread_name_prefix="handheld")
        self.local = threading.local()
        self.tags = itertools.count(1)
        self.sent: dict[int, Sent] = {}

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.local.conn = conn
        return conn

    def _post(self, sent: Sent) -> None:
        body = json.dumps(
            {
                "id": _uuid(),
                "type": "takeaway",
                "customer_name": f"PL{sent.tag:06d}",
                "fire": True,
                "lines": [
                    {"id": _uuid(), "item_id": item, "quantity": 1, "course": 1}
                    for item in self.item_ids
                ],
            }
        ).encode()
        token = self.tokens[sent.tag % len(self.tokens)]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        try:
            conn = self._conn()
            sent.wall_send, sent.t_send = time.time(), clock()
            conn.request("POST", "/api/v1/orders", body, headers)
            response = conn.getresponse()
            answer = response.read()
            sent.t_resp, sent.status = clock(), response.status
            if response.status in (200, 201):
                order = json.loads(answer)
                sent.order_id, sent.number = order.get("id", ""), order.get("number")
            else:
                sent.error = answer[:200].decode(errors="replace")
            if response.will_close:
                self.local.conn = None
        except (OSError, http.client.HTTPException) as err:
            sent.t_resp, sent.error = clock(), repr(err)
            with contextlib.suppress(Exception):
                self.local.conn.close()
            self.local.conn = None

    def run(self, rate: float, seconds: float | None, stop: threading.Event | None = None):
        """Post at `rate`/s, open loop, for `seconds` (or until `stop`); returns the orders."""
        out: list[Sent] = []
        start = clock()
        for i in itertools.count():
            due = start + i / rate
            if seconds is not None and i >= round(rate * seconds):
                break
            if stop is not None and stop.is_set():
                break
            pause = due - clock()
            if pause > 0:
                if stop is not None:
                    if stop.wait(pause):
                        break
                else:
                    time.sleep(pause)
            sent = Sent(next(self.tags), due)
            self.sent[sent.tag] = sent
            out.append(sent)
            self.pool.submit(self._post, sent)
        return out


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


# ---- server-side view (API and database) --------------------------------------------------


def health(url: str, token: str) -> dict[int, dict]:
    return {
        p["id"]: p for p in base.http_json(f"{url}/api/v1/printers/health", token=token)["items"]
    }


def wait_until(predicate, seconds: float, step: float = 0.1) -> bool:
    deadline = clock() + seconds
    while clock() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def job_rows(db_path: Path) -> list[dict]:
    """print_job rows (read only; WAL lets us read while the server writes)."""
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        return [
            dict(r)
            for r in db.execute(
                "SELECT id, printer_id, origin_printer_id, source, marks, status, attempts,"
                " created_at, claimed_at, printed_at FROM print_job"
            )
        ]


def _wall(text: str | None) -> float | None:
    if not text:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def proc_cpu_s(pid: int) -> float:
    """CPU seconds of the server and of its children: its print process
    (printers/print_process.py) does the server's printing."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields_ = stat.read_text().rsplit(")", 1)[1].split()
            if stat.parent.name == str(pid) or int(fields_[1]) == pid:  # it, or its child
                total += (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_cpu() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return sum(values), values[3] + values[4]


class CpuMeter:
    """CPU of the server, of this process and of the whole machine between start and stop."""

    def __init__(self, server_pid: int):
        self.pid = server_pid

    def __enter__(self):
        self.t0, self.s0, self.b0 = clock(), proc_cpu_s(self.pid), time.process_time()
        self.m0 = machine_cpu()
        return self

    def __exit__(self, *exc):
        wall = clock() - self.t0
        server, bench = proc_cpu_s(self.pid) - self.s0, time.process_time() - self.b0
        total, idle = (a - b for a, b in zip(machine_cpu(), self.m0, strict=True))
        busy_cores = (total - idle) / max(total, 1) * (os.cpu_count() or 1)
        self.result = {
            "wall_s": wall,
            "server_cpu_s": server,
            "server_cpu_pct": 100 * server / wall,
            "bench_cpu_pct": 100 * bench / wall,
            "machine_busy_pct_of_a_core": 100 * busy_cores,
            "others_cpu_pct": max(0.0, 100 * busy_cores - 100 * (server + bench) / wall),
        }


# ---- phase 1: latency ---------------------------------------------------------------------


def chits_by_tag(printers: dict[str, TimedPrinter]) -> dict[tuple[str, int], list[TimedJob]]:
    out: dict[tuple[str, int], list[TimedJob]] = {}
    for name, printer in printers.items():
        for job in list(printer.timed):
            if job.tag is not None:
                out.setdefault((name, job.tag), []).append(job)
    return out


def latency_phase(args, orders: Orders, printers, kitchen_names, server_pid, db_path, folder):
    print(f"[phase 1] warm-up {args.warmup} s at {args.rate}/s (discarded)", flush=True)
    warm = orders.run(args.rate, args.warmup)
    wait_until(lambda: all(s.status for s in warm), 30)
    expected = len(kitchen_names) * len(warm)
    wait_until(lambda: _received(printers, kitchen_names, warm) >= expected, 30, 0.2)

    profiler = start_profiler(args.profile, server_pid, folder, args.duration + 60)
    print(
        f"[phase 1] {args.rate} orders/s for {args.duration} s, "
        f"{len(kitchen_names)} kitchen printers",
        flush=True,
    )
    with CpuMeter(server_pid) as cpu:
        sent = orders.run(args.rate, args.duration)
        fired_until = clock()
        wait_until(lambda: all(s.status or s.error for s in sent), 60)
    ok = [s for s in sent if s.status in (200, 201)]
    drained = wait_until(
        lambda: _received(printers, kitchen_names, ok) >= len(kitchen_names) * len(ok),
        args.drain_timeout,
        0.2,
    )
    drain_s = clock() - fired_until
    profile = finish_profile(profiler)

    by_tag = chits_by_tag(printers)
    per_printer: dict[str, list[float]] = {n: [] for n in kitchen_names}
    per_chit, per_order, spread, accept_to_last, missing, doubles = [], [], [], [], 0, 0
    for s in ok:
        got = []
        for name in kitchen_names:
            jobs = by_tag.get((name, s.tag), [])
            if not jobs:
                missing += 1
                continue
            doubles += len(jobs) - 1
            latency = 1000 * (jobs[0].last_byte - s.t_send)
            got.append(latency)
            per_chit.append(latency)
            per_printer[name].append(latency)
            accept_to_last.append(1000 * (jobs[0].last_byte - jobs[0].accepted))
        if len(got) == len(kitchen_names):
            per_order.append(max(got))
            spread.append(max(got) - min(got))
    breakdown = server_breakdown(db_path, ok, by_tag, printers)
    statuses: dict[str, int] = {}
    for s in sent:
        statuses[str(s.status or s.error[:40])] = statuses.get(str(s.status or s.error[:40]), 0) + 1
    lateness = [1000 * (s.t_send - s.scheduled) for s in sent if s.t_send]
    return {
        "orders": len(sent),
        "statuses": statuses,
        "achieved_rate": (len(sent) - 1) / (sent[-1].t_send - sent[0].t_send)
        if len(sent) > 1 and sent[-1].t_send > sent[0].t_send
        else None,
        "chits_expected": len(kitchen_names) * len(ok),
        "chits_received": len(per_chit),
        "chits_missing": missing,
        "chits_doubled": doubles,
        "drained": drained,
        "drain_after_last_post_s": drain_s,
        "post_to_last_byte_ms": base.dist(per_chit),
        "printers": len(kitchen_names),
        "post_to_all_chits_of_order_ms": base.dist(per_order),
        "spread_first_to_last_chit_of_order_ms": base.dist(spread),
        "post_answer_ms": base.dist([1000 * (s.t_resp - s.t_send) for s in ok]),
        "per_printer_ms": {n: base.dist(v) for n, v in per_printer.items()},
        "socket_accept_to_last_byte_ms": base.dist(accept_to_last),
        "send_lateness_ms": base.dist(lateness),
        "server_breakdown_ms": breakdown,
        "cpu": cpu.result,
        "profile": profile,
    }


def _received(printers, names, sent: list[Sent]) -> int:
    tags = {s.tag for s in sent}
    return sum(1 for n in names for j in list(printers[n].timed) if j.tag in tags)


def server_breakdown(db_path: Path, ok: list[Sent], by_tag, printers) -> dict:
    """Split POST -> last byte with the print_job rows: created (the order's transaction wrote
    the job), claimed (a printer loop took it), last byte at the printer."""
    by_order = {s.order_id: s for s in ok}
    name_of = {p.id_: n for n, p in printers.items() if getattr(p, "id_", None)}
    post_created, created_claimed, claimed_last, claimed_printed, attempts = [], [], [], [], []
    for row in job_rows(db_path):
        s = by_order.get(row["source"].removeprefix("order:"))
        name = name_of.get(row["printer_id"])
        if s is None or name is None or row["claimed_at"] is None:
            continue
        created, claimed = _wall(row["created_at"]), _wall(row["claimed_at"])
        printed = _wall(row["printed_at"])
        jobs = by_tag.get((name, s.tag))
        post_created.append(1000 * (created - s.wall_send))
        created_claimed.append(1000 * (claimed - created))
        if printed:
            claimed_printed.append(1000 * (printed - claimed))
        if jobs:
            claimed_last.append(1000 * (jobs[0].wall_last_byte - claimed))
        attempts.append(row["attempts"])
    return {
        "post_to_job_written": base.dist(post_created),
        "job_written_to_claimed": base.dist(created_claimed),
        "claimed_to_last_byte": base.dist(claimed_last),
        "claimed_to_printed_row": base.dist(claimed_printed),
        "attempts_max": max(attempts) if attempts else None,
    }


# ---- phase 2: fail-over -------------------------------------------------------------------


def first_backup_chit(fry: TimedPrinter, after: float, mark: str) -> TimedJob | None:
    for job in list(fry.timed):
        if job.accepted >= after and b"BACKUP FROM" in job.data and mark in decode_escpos(job.data):
            return job
    return None


def failover_phase(args, orders: Orders, printers, ids, url, manager, server_pid, folder):
    grill, fry = printers["grill"], printers["fry"]
    mark = "BACKUP FROM Grill printer"
    stop = threading.Event()
    flow: list[Sent] = []
    feeder = threading.Thread(
        target=lambda: flow.extend(orders.run(args.failover_rate, None, stop)), daemon=True
    )
    plan = (
        ["refused"] * args.failover_runs
        + ["unreachable"] * args.unreachable_runs
        + ["hung"] * args.hung_runs
    )
    print(
        f"[phase 2] orders flowing at {args.failover_rate}/s; fail-overs of the grill printer "
        f"(backup: fry): {', '.join(plan)}",
        flush=True,
    )
    runs = []
    profiler = start_profiler(args.profile_failover, server_pid, folder, 60 * len(plan) + 120)
    with CpuMeter(server_pid) as cpu:
        feeder.start()
        time.sleep(2.0)
        for i, kind in enumerate(plan, start=1):
            drained = wait_until(
                lambda: health(url, manager)[ids["grill"]]["queue_depth"] == 0, 60, 0.1
            )
            time.sleep(1.0)
            t_dark, hole = clock(), None
            if kind == "refused":
                grill.stop()  # connections refused at once
            elif kind == "unreachable":
                grill.stop()
                hole = Blackhole(grill.port)  # connections time out (transport: 2 s)
            else:
                grill.mode = "stall"  # accepts, never reads nor answers (a hung printer)
            found = None
            deadline = t_dark + (args.failover_timeout if kind == "refused" else args.hung_timeout)
            while clock() < deadline and found is None:
                time.sleep(0.05)
                found = first_backup_chit(fry, t_dark, mark)
            print(
                f"  run {i} ({kind}): grill dark; first backup chit at fry after "
                f"{'-' if found is None else f'{found.last_byte - t_dark:.2f} s'}",
                flush=True,
            )
            hold = args.dark_hold if kind == "refused" else 1.0
            time.sleep(max(0.0, (t_dark if kind == "refused" else clock()) + hold - clock()))
            t_restart = clock()
            if hole is not None:
                hole.close()
            if kind in ("refused", "unreachable"):
                grill.restart()
            else:
                grill.mode = "normal"
            back = wait_until(
                lambda t=t_restart: any(j.accepted >= t for j in list(grill.timed)), 30, 0.02
            )
            t_back = min(
                (j.last_byte for j in list(grill.timed) if j.accepted >= t_restart), default=None
            )
            runs.append(
                {
                    "run": i,
                    "kind": kind,
                    "queue_drained_before": drained,
                    "t_dark": t_dark,
                    "t_restart": t_restart,
                    "first_backup": None
                    if found is None
                    else {"tag": found.tag, "last_byte": found.last_byte},
                    "grill_printing_again_s": None if t_back is None else t_back - t_restart,
                    "grill_back": back,
                }
            )
        wait_until(lambda: health(url, manager)[ids["grill"]]["queue_depth"] == 0, 60, 0.1)
        time.sleep(1.0)
        stop.set()
        feeder.join(timeout=30)
    wait_until(lambda: all(s.status or s.error for s in flow), 60)
    ok = [s for s in flow if s.status in (200, 201)]
    wait_until(
        lambda: all(
            any(j.tag == s.tag for j in list(grill.timed) + list(fry.timed)) for s in ok[-20:]
        ),
        args.drain_timeout,
        0.2,
    )
    wait_until(lambda: health(url, manager)[ids["grill"]]["queue_depth"] == 0, 30, 0.2)
    time.sleep(1.0)
    profile = finish_profile(profiler)
    out = summarise_failover(runs, ok, flow, printers, mark, cpu.result)
    out["profile"], out["timeline"] = profile, runs
    return out


def summarise_failover(runs, ok, flow, printers, mark, cpu) -> dict:
    grill, fry = printers["grill"], printers["fry"]
    on_grill: dict[int, list[TimedJob]] = {}
    for job in list(grill.timed):
        on_grill.setdefault(job.tag, []).append(job)
    backups: dict[int, list[TimedJob]] = {}
    for job in list(fry.timed):
        if b"BACKUP FROM" in job.data and mark in decode_escpos(job.data):
            backups.setdefault(job.tag, []).append(job)
    by_tag = {s.tag: s for s in ok}
    out_runs = []
    for index, r in enumerate(runs):
        t_dark, t_restart = r["t_dark"], r["t_restart"]
        until = runs[index + 1]["t_dark"] if index + 1 < len(runs) else float("inf")
        # the orders whose grill chit this outage sent to the backup (some were fired before
        # the printer went dark and were still queued or being retried)
        failed = [
            s for s in ok if s.tag in backups and t_dark <= backups[s.tag][0].accepted < until
        ]
        first_failed = min(failed, key=lambda s: s.t_send, default=None)
        after_dark = next(
            (s for s in sorted(ok, key=lambda s: s.t_send) if s.t_send >= t_dark), None
        )
        fb = r["first_backup"]
        dark_orders = [s for s in ok if t_dark <= s.t_send <= t_restart]
        grill_chit_latency, held_back = [], 0
        on_backup = 0
        for s in dark_orders:  # where and when the grill chit of an order fired while dark came
            if backups.get(s.tag):
                on_backup += 1
                grill_chit_latency.append(1000 * (backups[s.tag][0].last_byte - s.t_send))
            elif on_grill.get(s.tag):
                grill_chit_latency.append(1000 * (on_grill[s.tag][0].last_byte - s.t_send))
                held_back += 1
        others = {
            name: base.dist(
                [
                    1000 * (j.last_byte - by_tag[j.tag].t_send)
                    for j in list(p.timed)
                    if j.tag in by_tag
                    and t_dark <= by_tag[j.tag].t_send <= t_restart
                    and b"BACKUP FROM" not in j.data
                ]
            )["p50"]
            for name, p in printers.items()
            if name not in ("grill", "receipt")
        }
        dark_to_backup = None if fb is None else fb["last_byte"] - t_dark
        out_runs.append(
            {
                "run": r["run"],
                "kind": r["kind"],
                "queue_drained_before": r["queue_drained_before"],
                "dark_s": t_restart - t_dark,
                "dark_to_backup_last_byte_s": dark_to_backup,
                "first_failing_fire_to_backup_s": None
                if fb is None or first_failed is None
                else fb["last_byte"] - first_failed.t_send,
                "first_failing_fire_vs_dark_s": None
                if first_failed is None
                else first_failed.t_send - t_dark,
                "first_fire_after_dark_to_backup_s": None
                if fb is None or after_dark is None
                else fb["last_byte"] - after_dark.t_send,
                "first_backup_tag": None if fb is None else fb["tag"],
                "first_backup_is_first_failed": fb is not None
                and first_failed is not None
                and fb["tag"] == first_failed.tag,
                "chits_failed_over": len(failed),
                "orders_fired_while_dark": len(dark_orders),
                "their_grill_chits_on_backup": on_backup,
                "their_grill_chits_on_grill_after_restart": held_back,
                "their_grill_chit_post_to_last_byte_ms": base.dist(grill_chit_latency),
                "other_printers_p50_ms_while_dark": others,
                "grill_printing_again_after_restart_s": r["grill_printing_again_s"],
                "met_10s": dark_to_backup is not None and dark_to_backup <= TARGET_FAILOVER_S,
            }
        )
    lost = [s.tag for s in ok if s.tag not in on_grill and s.tag not in backups]
    twice = [s.tag for s in ok if len(on_grill.get(s.tag, [])) + len(backups.get(s.tag, [])) > 1]
    reprints = sum(1 for p in printers.values() for j in list(p.timed) if b"REPRINT" in j.data)
    refused = [r for r in out_runs if r["kind"] == "refused"]
    dark = [r["dark_to_backup_last_byte_s"] for r in refused]
    known = [d for d in dark if d is not None]
    return {
        "orders": len(flow),
        "orders_ok": len(ok),
        "runs": out_runs,
        "grill_chits_lost": len(lost),
        "grill_chits_lost_tags": lost[:20],
        "grill_chits_twice": len(twice),
        "reprint_chits": reprints,
        "dark_to_backup_s": {
            "values": dark,
            "max": max(known, default=None),
            "median": statistics.median(known) if known else None,
        },
        "target_10s_met": bool(refused) and all(r["met_10s"] for r in refused),
        "cpu": cpu,
    }


# ---- profile (py-spy through order_to_kds's helpers; printing buckets) -------------------

BUCKETS = (
    ("SQLite COMMIT (C, fsync)", ("do_commit (sqlalchemy/",)),
    ("SQLite execute (C)", ("do_execute (sqlalchemy/", "do_executemany (sqlalchemy/")),
    ("SQLAlchemy (Python)", ("sqlalchemy/",)),
    ("Arabic raster (Pillow, raqm)", ("PIL/", "printers/fonts.py")),
    ("ESC/POS writer", ("printers/escpos_text.py",)),
    ("marshmallow", ("marshmallow/",)),
    ("Socket.IO / WebSocket", ("socketio/", "engineio/", "wsproto/", "simple_websocket/")),
    ("json", ("json/",)),
    ("Flask / Werkzeug", ("flask/", "werkzeug/", "blinker/")),
    ("gevent", ("gevent/",)),
    ("app code", ("pos_app/", "kds/", "printers/", "table_service/")),
)
WATCHED = ("(pos_app/", "(printers/", "(kds/", "_begin_immediate (", "do_commit (sqlalchemy/")


def start_profiler(enabled: bool, pid: int, folder: Path, bound: float):
    """py-spy (100 Hz, on-CPU samples) on the server; raw output in bench/results/."""
    if not enabled:
        return None
    spy = next(
        (
            str(c)
            for c in (
                Path(sys.executable).parent / "py-spy",
                PROJECT / ".venv" / "bin" / "py-spy",
                Path(shutil.which("py-spy") or "/nonexistent"),
            )
            if c.exists()
        ),
        None,
    )
    if spy is None:
        print("py-spy not found: pip install py-spy into .venv to profile", flush=True)
        return None
    RESULTS.mkdir(exist_ok=True)
    raw = RESULTS / f"print-profile-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.txt"
    command = [
        spy,
        "record",
        "--pid",
        str(pid),
        "--rate",
        "100",
        "--format",
        "raw",
        "--output",
        str(raw),
        "--duration",
        str(int(bound)),
    ]
    proc = base.spawn(command, folder / "py-spy.log", dict(os.environ))
    time.sleep(1.0)  # let it attach
    return proc, raw


def finish_profile(profiler) -> dict | None:
    if profiler is None:
        return None
    proc, raw = profiler
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    finally:
        base.stop(proc)
    if not raw.exists():
        return None
    total, idle, buckets, inclusive = 0, 0, {}, {}
    for text in raw.read_text(errors="replace").splitlines():
        stack, _, count = text.rpartition(" ")
        if not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        if "acquire_with_timeout (gevent/_threading.py" in frames[-1]:
            idle += n  # a gevent threadpool thread (the resolver's) waiting for work
            continue
        total += n
        bucket = next(
            (
                name
                for frame in reversed(frames)
                for name, needles in BUCKETS
                if any(x in frame for x in needles)
            ),
            "other",
        )
        buckets[bucket] = buckets.get(bucket, 0) + n
        seen = set()
        for frame in frames:
            name = frame.rsplit(":", 1)[0] + ")" if ":" in frame else frame
            if any(w in name for w in WATCHED) and name not in seen:
                seen.add(name)
                inclusive[name] = inclusive.get(name, 0) + n
    if not total:
        return {"samples": 0, "raw": str(raw)}
    return {
        "samples": total,
        "idle_threadpool_samples_left_out": idle,
        "raw": str(raw),
        "buckets_pct": {
            k: 100 * v / total for k, v in sorted(buckets.items(), key=lambda x: -x[1])
        },
        "functions_inclusive_pct": [
            (k, 100 * v / total) for k, v in sorted(inclusive.items(), key=lambda x: -x[1])[:40]
        ],
    }


# ---- setup --------------------------------------------------------------------------------


def configure_printers(url: str, manager: str, printers: dict[str, TimedPrinter]) -> dict:
    """Point the demo printers at our listeners, add a second kitchen printer per station;
    returns {name: printer id}."""
    stations = {
        s["code"]: s for s in base.http_json(f"{url}/api/v1/stations", token=manager)["items"]
    }
    existing = base.http_json(f"{url}/api/v1/printers", token=manager)["items"]
    ids: dict[str, int] = {}
    code_of = {stations[c]["id"]: c for c in KITCHEN}
    for p in existing:
        if p["role"] == "kitchen" and p.get("station_id") in code_of:
            name = code_of[p["station_id"]]
        elif p["role"] == "receipt":
            name = "receipt"
        else:
            continue
        base.http_json(
            f"{url}/api/v1/printers/{p['id']}",
            "PATCH",
            {"host": "127.0.0.1", "port": printers[name].port},
            manager,
        )
        ids[name] = p["id"]
    missing = [c for c in (*KITCHEN, "receipt") if c not in ids]
    if missing:
        raise RuntimeError(f"the demo has no printer for {missing}: {existing}")
    for code in (c for c in KITCHEN if f"{c}2" in printers):
        created = base.http_json(
            f"{url}/api/v1/printers",
            "POST",
            {
                "name": f"{stations[code]['name']} printer 2",
                "connection": "network",
                "host": "127.0.0.1",
                "port": printers[f"{code}2"].port,
                "role": "kitchen",
                "station_id": stations[code]["id"],
                "paper_width_mm": 80,
            },
            manager,
        )
        ids[f"{code}2"] = created["id"]
    for code, backup in BACKUP_PAIRS.items():
        if f"{code}2" not in ids:
            continue
        base.http_json(
            f"{url}/api/v1/printers/{ids[code + '2']}",
            "PATCH",
            {"backup_printer_id": ids[backup + "2"]},
            manager,
        )
    configured = {
        p["id"]: p for p in base.http_json(f"{url}/api/v1/printers", token=manager)["items"]
    }
    for name, pid in ids.items():
        printers[name].id_ = pid
        if configured[pid]["port"] != printers[name].port:
            raise RuntimeError(f"printer {name} not pointed at the bench: {configured[pid]}")
    if configured[ids["grill"]]["backup_printer_id"] != ids["fry"]:
        raise RuntimeError("the demo's grill printer is not backed up by the fry printer")
    return ids


def code_version(label: str) -> dict:
    """The commit measured (a dirty tree says so), and the label given."""
    described = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "-C", str(PROJECT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        described = done.stdout.strip() or None
    return {"project": str(PROJECT), "git": described, "label": label}


def machine_info() -> dict:
    from importlib.metadata import version

    cpu_model, mem_kb = "?", 0
    with contextlib.suppress(OSError):
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu_model = text.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal"):
                mem_kb = int(text.split()[1])
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        **{p: version(p) for p in ("gevent", "flask", "sqlalchemy", "pillow")},
    }


def run_all(args) -> dict:
    python = str(base.VENV_PYTHON if base.VENV_PYTHON.exists() else Path(sys.executable))
    folder = Path(tempfile.mkdtemp(prefix="pos-print-bench-"))
    print(f"working in {folder}", flush=True)
    names = [*KITCHEN, *(f"{c}2" for c in KITCHEN if args.per_station == 2), "receipt"]
    printers = {n: TimedPrinter(n).start() for n in names}
    kitchen_names = [n for n in names if n != "receipt"]
    try:
        env = base.base_env(folder)
        env.update(POS_SCHEDULER="1", POS_VIRTUAL_PRINTERS="0")  # print, to our listeners
        env["POS_VIRTUAL_PRINTERS"] = "0"  # the bench's listeners are the printers
        started = clock()
        base.prepare_database(python, env, 2)
        print(f"database ready in {clock() - started:.1f} s", flush=True)
        port = base.free_port()
        url = f"http://127.0.0.1:{port}"
        log = folder / "server.log"
        server = base.spawn(
            [python, "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)], log, env
        )
        try:
            base.wait_healthy(url, server, log)
            manager = base.http_json(f"{url}/api/v1/auth/login", "POST", MANAGER)["token"]
            ids = configure_printers(url, manager, printers)
            quiet = base.settle(args.settle)
            tokens = [
                base.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": p})["token"]
                for p in WAITER_PINS
            ]
            menu = base.http_json(f"{url}/api/v1/menu", token=tokens[0])
            items = {i["name"]["en"]: i["id"] for c in menu["categories"] for i in c["items"]}
            orders = Orders(port, tokens, [items[n] for n in base.ORDER_ITEMS], args.connections)
            try:
                phase1 = latency_phase(
                    args,
                    orders,
                    printers,
                    kitchen_names,
                    server.pid,
                    folder / "pos.sqlite3",
                    folder,
                )
                print_phase1(phase1, args)
                phase2 = None
                if args.failover_runs or args.hung_runs or args.unreachable_runs:
                    phase2 = failover_phase(
                        args, orders, printers, ids, url, manager, server.pid, folder
                    )
                    print_phase2(phase2)
                if args.dump:
                    dump_detail(args.dump, orders, printers)
            finally:
                orders.close()
            if server.poll() is not None:
                raise RuntimeError(f"the server died:\n{base.tail(log)}")
            warnings = sum(
                1 for t in log.read_text(errors="replace").splitlines() if "WARNING" in t
            )
            errors = [t for t in log.read_text(errors="replace").splitlines() if "ERROR" in t]
        finally:
            base.stop(server)
        return {
            "machine_busy_before_pct": quiet,
            "printer_ids": ids,
            "latency": phase1,
            "failover": phase2,
            "server_log": {"warnings": warnings, "errors": len(errors), "first_errors": errors[:5]},
        }
    finally:
        for p in printers.values():
            p.stop()
        if args.keep_db:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def dump_detail(path: Path, orders: Orders, printers: dict[str, TimedPrinter]) -> None:
    """Every order and every received job with its times (clock() seconds), for digging."""
    path.write_text(
        json.dumps(
            {
                "orders": [
                    [s.tag, s.t_send, s.t_resp, s.status, s.order_id]
                    for s in list(orders.sent.values())
                ],
                "jobs": {
                    name: [
                        [j.tag, j.accepted, j.last_byte, j.closed, b"BACKUP FROM" in j.data]
                        for j in list(p.timed)
                    ]
                    for name, p in printers.items()
                },
                "printer_ids": {name: getattr(p, "id_", None) for name, p in printers.items()},
            }
        )
    )
    print(f"detail written to {path}")


# ---- report -------------------------------------------------------------------------------


def print_profile(p: dict | None) -> None:
    if not p:
        return
    print(f"  profile ({p['samples']} samples, {p['raw']}):")
    for name, share in p.get("buckets_pct", {}).items():
        print(f"    {share:5.1f}%  {name}")
    for name, share in p.get("functions_inclusive_pct", [])[:25]:
        print(f"    {share:5.1f}%  {name}")


def print_phase1(r: dict, args) -> None:
    print(
        f"\n== phase 1: latency, {r['orders']} orders at {args.rate}/s "
        f"(achieved {base.f(r['achieved_rate'], 2)}/s), {r['printers']} kitchen printers =="
    )
    print(
        f"  statuses {r['statuses']}; chits {r['chits_received']}/{r['chits_expected']} "
        f"(missing {r['chits_missing']}, doubled {r['chits_doubled']}); all printed "
        f"{r['drain_after_last_post_s']:.1f} s after the last POST"
    )
    print(base.line("POST -> last byte, each chit", r["post_to_last_byte_ms"]))
    print(base.line("POST -> last byte, all of an order", r["post_to_all_chits_of_order_ms"]))
    print(
        base.line("spread: last - first chit of order", r["spread_first_to_last_chit_of_order_ms"])
    )
    print(base.line("POST -> 201 answer", r["post_answer_ms"]))
    for name, d in r["per_printer_ms"].items():
        print(base.line(f"  printer {name}", d))
    b = r["server_breakdown_ms"]
    print(base.line("POST -> job row written", b["post_to_job_written"]))
    print(base.line("job written -> claimed by its loop", b["job_written_to_claimed"]))
    print(base.line("claimed -> last byte at printer", b["claimed_to_last_byte"]))
    print(base.line("socket accept -> last byte", r["socket_accept_to_last_byte_ms"], 2))
    c = r["cpu"]
    print(
        f"  CPU: server {c['server_cpu_pct']:.0f}% of a core, bench {c['bench_cpu_pct']:.0f}%, "
        f"others {c['others_cpu_pct']:.0f}%; send lateness p99 "
        f"{base.f(r['send_lateness_ms'].get('p99'))} ms"
    )
    print_profile(r.get("profile"))


def print_phase2(r: dict) -> None:
    print(
        f"\n== phase 2: fail-over of the grill printer (backup fry), {r['orders']} orders, "
        f"server CPU {r['cpu']['server_cpu_pct']:.0f}% of a core =="
    )
    for run in r["runs"]:
        print(
            f"  run {run['run']} ({run['kind']}): dark -> first BACKUP chit last byte "
            f"{base.f(run['dark_to_backup_last_byte_s'], 2)} s; first failing fire -> it "
            f"{base.f(run['first_failing_fire_to_backup_s'], 2)} s (that POST was "
            f"{base.f(run['first_failing_fire_vs_dark_s'], 2)} s from dark); "
            f"{run['chits_failed_over']} chits failed over in all; "
            f"grill printing again {base.f(run['grill_printing_again_after_restart_s'], 2)} s "
            f"after restart"
        )
        g = run["their_grill_chit_post_to_last_byte_ms"]
        print(
            f"    {run['orders_fired_while_dark']} orders fired in {run['dark_s']:.1f} s dark: "
            f"{run['their_grill_chits_on_backup']} grill chits on the backup, "
            f"{run['their_grill_chits_on_grill_after_restart']} on the grill printer after its "
            f"restart; POST -> grill chit p50 {base.f(g.get('p50'), 0)} ms, "
            f"max {base.f(g.get('max'), 0)} ms"
        )
        others = run["other_printers_p50_ms_while_dark"]
        print(
            "    other printers' p50 while dark (ms): "
            + ", ".join(f"{k} {base.f(v)}" for k, v in others.items())
        )
    print_profile(r.get("profile"))
    print(
        f"  grill chits lost {r['grill_chits_lost']}, printed twice {r['grill_chits_twice']}, "
        f"REPRINT chits {r['reprint_chits']}"
    )
    d = r["dark_to_backup_s"]
    print(
        f"  target: fail-over within {TARGET_FAILOVER_S:.0f} s of going dark (refused "
        f"connections, {len(d['values'])} runs): {'MET' if r['target_10s_met'] else 'NOT MET'} "
        f"(median {base.f(d['median'], 2)} s, max {base.f(d['max'], 2)} s)"
    )
    for run in r["runs"]:
        if run["kind"] != "refused":
            print(
                f"  {run['kind']} printer, run {run['run']}: dark -> backup "
                f"{base.f(run['dark_to_backup_last_byte_s'], 2)} s: "
                f"{'within' if run['met_10s'] else 'NOT within'} {TARGET_FAILOVER_S:.0f} s"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description="Print latency and fail-over (see the docstring).")
    parser.add_argument("--rate", type=float, default=10.0, help="orders/s in phase 1")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of phase 1")
    parser.add_argument("--warmup", type=float, default=2.0, help="discarded seconds first")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive HTTP clients")
    parser.add_argument("--failover-rate", type=float, default=10.0, help="orders/s in phase 2")
    parser.add_argument(
        "--failover-runs",
        type=int,
        default=3,
        help="fail-overs with the printer refusing connections (stop())",
    )
    parser.add_argument(
        "--hung-runs",
        type=int,
        default=1,
        help="then fail-overs with the printer hung: it accepts connections but "
        "never answers (VirtualPrinter mode stall); 0 to skip",
    )
    parser.add_argument(
        "--unreachable-runs",
        type=int,
        default=1,
        help="then fail-overs with connections timing out (a printer switched "
        "off: a listener with a full backlog); 0 to skip",
    )
    parser.add_argument(
        "--hung-timeout",
        type=float,
        default=60.0,
        help="bound on waiting for the backup in the unreachable and hung runs",
    )
    parser.add_argument(
        "--per-station",
        type=int,
        default=2,
        choices=(1, 2),
        help="kitchen printers per station (2: 8 printers)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=60,
        help="first wait up to this long for the machine to be under 20%% busy",
    )
    parser.add_argument(
        "--dark-hold",
        type=float,
        default=8.0,
        help="seconds the grill printer stays dark in each run",
    )
    parser.add_argument("--failover-timeout", type=float, default=30.0)
    parser.add_argument("--drain-timeout", type=float, default=60.0)
    parser.add_argument("--priority", type=int, default=0, help="nice increment for the server")
    parser.add_argument("--profile", action="store_true", help="py-spy the server in phase 1")
    parser.add_argument(
        "--profile-failover", action="store_true", help="py-spy the server in phase 2"
    )
    parser.add_argument(
        "--dump", type=Path, help="write every order and received job with its times here"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=600, help="watchdog")
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--label", default="", help="what code was measured (recorded), e.g. 'git archive 3d028d2'"
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.failover_runs, args.dark_hold = 5.0, 1.0, 1, 5.0
        args.hung_runs, args.unreachable_runs, args.settle = 0, 0, min(args.settle, 10)
    if args.rate <= 0 or args.duration <= 0 or args.failover_rate <= 0:
        parser.error("rates and duration must be positive")
    if not 0 <= args.failover_runs <= 10:
        parser.error("--failover-runs is 0 to 10")
    if not 0 <= args.hung_runs <= 3 or not 0 <= args.unreachable_runs <= 3:
        parser.error("--hung-runs and --unreachable-runs are 0 to 3")

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base._niceness[0] = args.priority

    def watchdog():
        print(f"\nwatchdog: over {args.max_seconds} s, stopping", file=sys.stderr, flush=True)
        base.stop_all()
        os._exit(3)

    timer = threading.Timer(args.max_seconds, watchdog)
    timer.daemon = True
    timer.start()
    machine = machine_info()
    print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['ram_gib']} GiB; "
        f"Python {machine['python']}, gevent {machine['gevent']}, SQLite {machine['sqlite']}",
        flush=True,
    )
    try:
        result = run_all(args)
    except KeyboardInterrupt:
        print("\ninterrupted; server stopped", file=sys.stderr)
        return 130
    finally:
        base.stop_all()
        timer.cancel()
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = args.output or RESULTS / f"print_latency-{stamp}.json"
    path.write_text(
        json.dumps(
            {
                "benchmark": "print_latency",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
                "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                "machine": machine,
                "code": code_version(args.label),
                **result,
            },
            indent=1,
            default=str,
        )
    )
    print(f"\nwritten {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
