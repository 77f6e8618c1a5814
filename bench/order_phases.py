"""Where one order's CPU goes, phase by phase, from a py-spy profile of the bench (issue 17).

    .venv/bin/python bench/order_to_kds.py --rates 20 --socket-rates --duration 20 \\
        --closed-orders 0 --idle-screens 0 --profile --settle 0
    .venv/bin/python bench/order_phases.py bench/results/profile-<stamp>.txt --orders 425

py-spy's raw output (`record --format raw --subprocesses`) holds one line per distinct stack
with its sample count. Each on-CPU sample goes to the phase of the innermost frame of the app
that names one (PHASES, tried in order for each frame, innermost first), so SQLAlchemy, json or
Socket.IO work lands in the phase of the app code that asked for it; a sample with no such frame
goes to the library layer of its innermost frame (LAYERS). Samples whose innermost frame is a
blocking wait (a thread parked on a condition, a recv from a printer, the hub's loop with
nothing to do) are counted apart as idle: py-spy cannot always tell them from work. With
`--orders`, samples become milliseconds of CPU per order at the sampling rate (`--rate`,
py-spy's 100 Hz by default).

Sampling costs the process some speed (py-spy pauses it to read its stacks): read the figures
as shares, never as the headline CPU of docs/benchmarks.md. Standard library only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# (phase, substrings of a frame). The innermost frame matching any wins; COMMIT and the
# pushes sent after it are matched before the app code that contains them. Frames of pos_app.db
# (unit_of_work, BEGIN) belong to no phase: they count for the code that opened the transaction.
# The printing phases name both layouts: the print process of issue 17 and the in-process
# worker before it.
PHASES = (
    ("commit: SQLite COMMIT and fsync", ("do_commit (sqlalchemy/", "commit_in_thread (pos_app/")),
    (
        "pushes to screens after commit (emit, JSON, frames)",
        ("emit_pushes (pos_app/", "_after_commit (pos_app/"),
    ),
    ("station events numbered and stored", ("number_and_store (kds/",)),
    ("outbox and audit rows", ("(pos_app/outbox", "(pos_app/audit")),
    ("print jobs queued (chit documents, rows)", ("queue_chits (printers/", "queue_jobs (")),
    (
        "kitchen tickets, lines and expo cards",
        ("on_order_fired (kds/", "insert_tickets (kds/", "(kds/routing", "(kds/services"),
    ),
    ("other commit-time work (pipeline)", ("_before_commit (pos_app/",)),
    ("sign-in check (token, staff, role)", ("_actor (pos_app/", "resolve_token (pos_app/")),
    (
        "body read and validated (JSON, marshmallow)",
        ("load_json_body (pos_app/", "_asked.<locals>.read (pos_app/", "load (pos_app/commands"),
    ),
    ("order and its lines (ORM, prices, totals)", ("create_order (pos_app/orders/services",)),
    ("idempotency keys", ("(pos_app/idempotency",)),
    ("command run, transaction begun (pos_app.commands)", ("(pos_app/commands",)),
    ("virtual printers (the simulated hardware)", ("VirtualPrinter.", "(printers/virtual")),
    ("printing: render the chit", ("render_pool.py", "render (printers/documents")),
    ("printing: send to the printer (TCP)", ("send (printers/transport",)),
    (
        "printing: claim jobs and record outcomes (SQLite)",
        ("GroupWriter.", "(printers/worker", "(printers/outcomes", "claim_", "has_due_job ("),
    ),
    ("scheduler and health jobs", ("apscheduler/", "(printers/health", "(pos_app/scheduler")),
)

# where a sample with no frame of PHASES goes: the library layer of its innermost frame
LAYERS = (
    ("Socket.IO / Engine.IO (sockets, packets)", ("socketio/", "engineio/", "simple_websocket/")),
    ("Flask / Werkzeug request handling", ("flask/", "werkzeug/")),
    ("gevent (hub, pywsgi, HTTP)", ("gevent/",)),
)

# innermost frames of a thread or greenlet waiting, not working
IDLE = (
    "Condition.wait (threading",
    "Event.wait (threading",
    "_ask (printers/transport",
    "Hub.run (gevent/hub",
    "acquire_with_timeout (gevent/",
    "read_wakes (printers/",
    "SocketMixin.recv (gevent/",
    "select (",
    "poll (",
)


def _process(frames: list[str]) -> str:
    names = [f for f in frames if f.startswith("process ")]
    if not names:
        return "?"
    command = names[-1].split(":", 1)[-1].strip('"')
    return "print process" if "print_process" in command else "server"


def innermost(frames: list[str], table) -> str | None:
    """The name in `table` ((name, substrings) pairs) of the innermost frame matching one."""
    for frame in reversed(frames):
        for name, needles in table:
            if any(needle in frame for needle in needles):
                return name
    return None


def phase_of(frames: list[str]) -> str:
    return innermost(frames, PHASES) or innermost(frames, LAYERS) or "other"


def summarise(raw: Path) -> dict:
    """{process: {"busy": n, "idle": n, "phases": {phase: n}}} from py-spy's raw output."""
    out: dict[str, dict] = {}
    for text in raw.read_text(errors="replace").splitlines():
        stack, _, count = text.rpartition(" ")
        if not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        proc = out.setdefault(_process(frames), {"busy": 0, "idle": 0, "phases": {}})
        if any(needle in frames[-1] for needle in IDLE):
            proc["idle"] += n
            continue
        proc["busy"] += n
        phase = phase_of(frames)
        proc["phases"][phase] = proc["phases"].get(phase, 0) + n
    return out


def report(summary: dict, orders: int | None, rate: float) -> str:
    lines = []
    total = sum(p["busy"] for p in summary.values())
    unit = "ms/order" if orders else "samples"
    for proc, data in sorted(summary.items(), key=lambda kv: -kv[1]["busy"]):
        per = (1000.0 / rate / orders) if orders else 1.0
        lines.append(
            f"{proc}: {data['busy']} busy samples ({100 * data['busy'] / max(total, 1):.0f} % of "
            f"all), {data['idle']} idle; {data['busy'] * per:.1f} {unit}"
        )
        for phase, n in sorted(data["phases"].items(), key=lambda kv: -kv[1]):
            lines.append(
                f"  {n * per:7.2f} {unit:8s} {100 * n / max(data['busy'], 1):5.1f} %  {phase}"
            )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("raw", type=Path, help="py-spy raw output (bench/results/profile-*.txt)")
    p.add_argument("--orders", type=int, help="orders served while it sampled: ms per order")
    p.add_argument("--rate", type=float, default=100.0, help="py-spy's samples per second")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    summary = summarise(args.raw)
    print(json.dumps(summary, indent=1) if args.json else report(summary, args.orders, args.rate))


if __name__ == "__main__":
    main()
