"""Logout to dropped socket: how long a revoked kitchen screen keeps its /kds connection.

From the repository root:

    .venv/bin/python bench/socket_revocation.py                 # one process, SQLite
    .venv/bin/python bench/socket_revocation.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        --redis-url redis://127.0.0.1:6379/0                    # socket on B, logout on A

Each round: a python-socketio client connects to /kds with a fresh token (on the second
server process when --redis-url is given), then `POST /api/v1/auth/logout` with that token
goes to the first process. Timed on one clock: from sending the logout to the client's
`disconnect` (and from the logout's 204 to it). The notice `session_revoked` must arrive
before the disconnect. Prints medians and p95; nothing is kept. On PostgreSQL the run gets
a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
SECRET = "bench-secret-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(database_url: str, folder: Path, redis_url: str | None):
    """`python -m pos_app.server` on a free port; yields its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_DATABASE_URL=database_url,
        POS_SECRET_KEY=SECRET,
        POS_PASSWORD_HASHING="fast",
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_LOG_LEVEL="WARNING",
        POS_SCHEDULER="0",
    )
    if redis_url:
        env["POS_REDIS_URL"] = redis_url
    log = (folder / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start; see {log.name}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@contextlib.contextmanager
def database(url: str | None, folder: Path):
    """A migrated database with the demo restaurant: SQLite in `folder`, or a PG schema."""
    from sqlalchemy import create_engine, text

    from pos_app import migrate

    if not url:
        scoped = f"sqlite:///{folder / 'bench.sqlite3'}"
        migrate.upgrade(scoped)
        yield scoped
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    try:
        migrate.upgrade(scoped)
        yield scoped
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def kitchen_tokens(url: str, count: int) -> list[str]:
    """The demo loaded, and `count` fresh tokens of its cook."""
    from sqlalchemy import select

    from pos_app import create_app
    from pos_app.auth.models import Role, Staff
    from pos_app.auth.tokens import issue_token
    from pos_app.db import unit_of_work
    from pos_app.demo import load_demo

    app = create_app(
        {
            "POS_DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "POS_PASSWORD_HASHING": "fast",
            "POS_ASYNC_MODE": "threading",
            "POS_REDIS_URL": None,
        }
    )
    with app.app_context(), unit_of_work() as s:
        load_demo(s, SECRET, "fast")
        s.flush()
        cook = s.scalars(select(Staff).where(Staff.role == Role.kitchen)).first()
        return [issue_token(s, cook, 8, "bench", "pin") for _ in range(count)]


def one_round(screen_url: str, logout_url: str, token: str) -> tuple[float, float]:
    """(ms from sending the logout to the disconnect, ms from its 204 to the disconnect)."""
    import socketio

    dropped, told = threading.Event(), []
    client = socketio.Client(reconnection=False)
    client.on("session_revoked", lambda notice: told.append(time.perf_counter()), "/kds")
    client.on("disconnect", lambda *_: dropped.set(), "/kds")
    client.connect(screen_url, namespaces=["/kds"], auth={"token": token}, transports=["websocket"])
    request = urllib.request.Request(
        f"{logout_url}/api/v1/auth/logout",
        data=b"",
        method="POST",
        headers={"Authorization": f"Bearer {token}"},
    )
    sent = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
    answered = time.perf_counter()
    if not dropped.wait(10):
        raise SystemExit("a revoked socket was not dropped within 10 s")
    gone = time.perf_counter()
    assert told and told[0] <= gone, "the notice must come before the disconnect"
    client.disconnect()
    return (gone - sent) * 1000, (gone - answered) * 1000


def hostile_acks(url: str, token: str, rounds: int) -> dict[str, list[float]]:
    """ms to the error ack of hostile commands (before the fix: no ack, the screen's 8 s)."""
    import json

    import socketio
    import websocket

    times: dict[str, list[float]] = {"id 2^63": [], "two arguments": [], "JSON 1,000 deep": []}
    client = socketio.Client(reconnection=False)
    client.connect(url, namespaces=["/kds"], auth={"token": token}, transports=["websocket"])
    ws = websocket.create_connection(
        url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=10
    )
    ws.recv()
    ws.send("40/kds," + json.dumps({"token": token}))
    ws.recv()
    deep = '["bump_ticket",{"ticket_id":' + "[" * 1000 + "]" * 1000 + "}]"
    for n in range(rounds):
        for name, data in (("id 2^63", {"ticket_id": 2**63}), ("two arguments", ({}, 1))):
            start = time.perf_counter()
            ack = client.call("bump_ticket", data, namespace="/kds", timeout=10)
            times[name].append((time.perf_counter() - start) * 1000)
            assert ack["ok"] is False
        start = time.perf_counter()
        ws.send(f"42/kds,{n}{deep}")
        while not ws.recv().startswith(f"43/kds,{n}["):
            pass
        times["JSON 1,000 deep"].append((time.perf_counter() - start) * 1000)
    ws.close()
    client.disconnect()
    return times


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{name}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, "
        f"max {ordered[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--redis-url", help="two processes joined by this Redis")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    if args.redis_url and not args.database_url:
        raise SystemExit("two processes need a shared PostgreSQL (--database-url)")
    with tempfile.TemporaryDirectory() as tmp, database(args.database_url, Path(tmp)) as url:
        tokens = kitchen_tokens(url, args.rounds + 4)
        with contextlib.ExitStack() as stack:
            first = stack.enter_context(server(url, Path(tmp), args.redis_url))
            second = first
            if args.redis_url:
                second = stack.enter_context(server(url, Path(tmp), args.redis_url))
            for token in tokens[:3]:  # warm-up, not counted
                one_round(second, first, token)
            rounds = [one_round(second, first, token) for token in tokens[3:-1]]
            acks = hostile_acks(first, tokens[-1], args.rounds)
    where = "socket on process B, logout on A (Redis)" if args.redis_url else "one process"
    print(f"{args.rounds} rounds, {where}, {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(summary("logout sent -> socket dropped", [r[0] for r in rounds]))
    print(summary("logout answered -> socket dropped", [r[1] for r in rounds]))
    for name, values in acks.items():
        print(summary(f"error ack to a command with {name}", values))


if __name__ == "__main__":
    main()
