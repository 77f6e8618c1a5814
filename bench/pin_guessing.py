"""How many PINs an attacker gets to try, and whether login time tells an email exists.

    .venv/bin/python bench/pin_guessing.py live [--seconds 30] [--project DIR]
    .venv/bin/python bench/pin_guessing.py simulate [--staff 5 20 50]

`live` starts the real server (`python -m pos_app.server`, gevent, SQLite, argon2 `standard`)
of the checkout in --project (this one by default: point it at an older checkout to measure
before a fix) with the demo restaurant, then, for --seconds each:
  - the shop Wi-Fi attacker: every guess from a new source address (127.0.0.2-254) and with
    no device id, PINs in order from 1000, as fast as the server answers;
  - the curious employee: signs in on their handheld with their own PIN (Sara, 1111), then
    guesses from that known device;
and measures login time (median of 20) for an email that exists and one that does not.

`simulate` runs the same attacks in-process against this checkout, with the clock moved
forward by each Retry-After instead of waiting, for an hour and for a day, and gives the
chance that the guesses hit one of N staff PINs (4 digits, distinct random PINs).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SECRET = "bench-pin-guessing-secret-key-0123456789"
DEMO_PINS = {"1111", "1112", "2222", "3333", "4444"}
PASSWORD = "bench password 123"


# -- live: the real server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, path: str, body: dict, source: str = "127.0.0.1", headers=None):
    """POST JSON from `source` on a new connection: (status, body, headers, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    started = time.perf_counter()
    conn.request(
        "POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})}
    )
    response = conn.getresponse()
    data = response.read()
    took = time.perf_counter() - started
    conn.close()
    return response.status, json.loads(data or b"{}"), dict(response.getheaders()), took


SETUP = """
import sys
from pos_app import create_app
from pos_app.auth import passwords
from pos_app.auth.models import Role, Staff
from pos_app.db import unit_of_work
from pos_app.demo import load_demo

app = create_app()
with app.app_context(), unit_of_work() as s:
    load_demo(s, app.config["SECRET_KEY"], "standard")
    for n in range(20):
        s.add(Staff(name=f"Bench manager {n}", role=Role.manager, email=f"m{n}@bench.example",
                    password_hash=passwords.hash_secret(sys.argv[1], "standard")))
"""


def start_server(project: Path, folder: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_DATABASE_URL=f"sqlite:///{folder / 'pos.sqlite3'}",
        POS_SECRET_KEY=SECRET,
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_PASSWORD_HASHING="standard",
        POS_LOG_LEVEL="ERROR",
        POS_SCHEDULER="0",
    )
    python = sys.executable
    subprocess.run(
        [python, "-m", "flask", "--app", "pos_app", "pos", "migrate"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [python, "-c", SETUP, PASSWORD], cwd=project, env=env, check=True, capture_output=True
    )
    port = free_port()
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(
        [python, "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start: " + (folder / "server.log").read_text())


def wifi_attack(port: int, seconds: float) -> dict:
    """New address, no device id, every guess; PINs in order from 1000."""
    tried, refused, found, first_refusal, retry_after = 0, 0, None, None, None
    started = time.monotonic()
    pin = 1000
    while time.monotonic() - started < seconds and found is None:
        source = f"127.0.0.{2 + (tried + refused) % 253}"
        status, body, headers, _ = post(port, "/api/v1/auth/login", {"pin": f"{pin:04d}"}, source)
        if status == 429:
            refused += 1
            first_refusal = first_refusal or time.monotonic() - started
            retry_after = headers.get("Retry-After")
            continue
        tried += 1
        if status == 200:
            found = (f"{pin:04d}", round(time.monotonic() - started, 2))
        pin += 1
    return {
        "guesses_checked": tried,
        "refused_429": refused,
        "found": found,
        "first_429_after_s": round(first_refusal, 2) if first_refusal else None,
        "retry_after_s": retry_after,
    }


def known_handheld(port: int) -> dict:
    """Sara signs in on her handheld (before any attack): its device id, as a header."""
    headers = {"X-POS-Device": secrets.token_urlsafe(32)}
    status, body, _, _ = post(port, "/api/v1/auth/login", {"pin": "1111"}, "127.0.1.1", headers)
    assert status == 200, body
    return headers


def employee_attack(port: int, seconds: float, headers: dict) -> dict:
    """From Sara's handheld, known to the server, she guesses colleagues' PINs."""
    tried = refused = 0
    retry_after = None
    started = time.monotonic()
    pins = (f"{n:04d}" for n in range(5000, 10_000) if f"{n:04d}" not in DEMO_PINS)
    pin = next(pins)
    while time.monotonic() - started < seconds:
        status, _, answer, _ = post(port, "/api/v1/auth/login", {"pin": pin}, "127.0.1.1", headers)
        if status == 429:
            refused += 1
            retry_after = answer.get("Retry-After")
            time.sleep(0.2)
            continue
        tried += 1
        pin = next(pins)
    return {"guesses_checked": tried, "refused_429": refused, "retry_after_s": retry_after}


def login_timing(port: int, tries: int = 20) -> dict:
    """Median login time, wrong password, for 20 emails that exist and 20 that do not."""
    times: dict[str, list[float]] = {"known email": [], "unknown email": []}
    for n in range(tries):
        emails = {"known email": f"m{n}@bench.example", "unknown email": f"x{n}@bench.example"}
        for kind, email in emails.items():
            source = f"127.0.2.{2 + n}"
            status, body, _, took = post(
                port, "/api/v1/auth/login", {"email": email, "password": "wrong"}, source
            )
            assert status == 401, (status, body)
            times[kind].append(took * 1000)
    return {k: f"median {statistics.median(v):.1f} ms (n={len(v)})" for k, v in times.items()}


def live(args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="pos-pin-bench-"))
    try:
        proc, port = start_server(Path(args.project).resolve(), folder)
        try:
            handheld = known_handheld(port)
            report = {
                "project": str(Path(args.project).resolve()),
                "wifi_attacker": wifi_attack(port, args.seconds),
                "curious_employee_known_handheld": employee_attack(port, args.seconds, handheld),
                "login_time_wrong_password": login_timing(port),
            }
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        shutil.rmtree(folder, True)
    print(json.dumps(report, indent=2))


# -- simulate: the same code, the clock moved forward ----------------------------------------


def simulate(args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="pos-pin-sim-"))
    os.environ.update(
        POS_DATABASE_URL=f"sqlite:///{folder / 'pos.sqlite3'}",
        POS_SECRET_KEY=SECRET,
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_PASSWORD_HASHING="fast",
    )
    sys.path.insert(0, str(PROJECT))
    from pos_app import clock, create_app

    app = create_app({"POS_ASYNC_MODE": "threading"})
    runner = app.test_cli_runner()
    for command in (["pos", "migrate"], ["pos", "demo"]):
        assert runner.invoke(args=command).exit_code == 0
    scenarios = {
        "wifi_attacker_new_address_and_device_each_guess": dict(known=0),
        "curious_employee_one_known_handheld": dict(known=1),
        "curious_employee_eight_known_handhelds": dict(known=8),
    }
    results = {}
    for name, options in scenarios.items():
        for hours in (1, 24):
            clock.reset()
            clock.advance(10 * 86_400 * (len(results) + 1))  # a fresh day: old failures gone
            results[f"{name}, {hours} h"] = run_attack(app, hours * 3600, **options)
    clock.reset()
    shutil.rmtree(folder, True)
    print(json.dumps(results, indent=2))
    print("\nchance that the guesses hit at least one of N staff PINs (4 digits):")
    for label, result in results.items():
        chances = ", ".join(
            f"N={n}: {hit_chance(result['guesses_checked'], n):.1%}" for n in args.staff
        )
        print(f"  {label}: {result['guesses_checked']} guesses -> {chances}")


def run_attack(app, seconds: int, known: int) -> dict:
    """Guess as fast as allowed (0.1 s a try) for `seconds`; wait out each 429."""
    from sqlalchemy import select

    from pos_app import clock
    from pos_app.audit import AuditEntry
    from pos_app.db import unit_of_work

    client = app.test_client()
    devices = []
    for n in range(known):
        device = secrets.token_urlsafe(32)
        answer = client.post(
            "/api/v1/auth/login",
            json={"pin": "1111"},
            headers={"X-POS-Device": device},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"},
        )
        assert answer.status_code == 200, answer.get_json()
        devices.append(device)
    pins = (f"{n:04d}" for n in range(10_000) if f"{n:04d}" not in DEMO_PINS)
    elapsed, tried, first_alert = 0.0, 0, None
    started_at = clock.utcnow()
    while elapsed < seconds:
        if known:  # a handheld keeps its address; the Wi-Fi attacker takes a new one each time
            headers, address = {"X-POS-Device": devices[tried % known]}, f"10.1.0.{tried % known}"
        else:
            headers, address = {}, f"10.{2 + tried // 250 % 200}.{tried % 250}.1"
        pin = next(pins, None)
        if pin is None:
            break  # every PIN tried (the code before the limits got there within minutes)
        answer = client.post(
            "/api/v1/auth/login",
            json={"pin": pin},
            headers=headers,
            environ_base={"REMOTE_ADDR": address},
        )
        if answer.status_code == 429:
            pins = itertools.chain([pin], pins)  # not tried: try it again after the wait
            wait = int(answer.headers["Retry-After"])
            clock.advance(wait)
            elapsed += wait
            continue
        tried += 1
        clock.advance(0.1)
        elapsed += 0.1
        if first_alert is None:
            with app.app_context(), unit_of_work(write=False) as s:
                alert = s.scalar(
                    select(AuditEntry.at).where(
                        AuditEntry.action == "auth.pin_guessing", AuditEntry.at >= started_at
                    )
                )
            if alert is not None:
                first_alert = (tried, round((alert - started_at).total_seconds() / 60, 1))
    return {
        "guesses_checked": tried,
        "minutes_taken": round(elapsed / 60, 1),
        "first_alert_after_guesses_and_minutes": first_alert,
    }


def hit_chance(guesses: int, staff: int, space: int = 10_000) -> float:
    """P(at least one of `staff` distinct PINs among `guesses` distinct guesses)."""
    if guesses >= space - staff + 1:
        return 1.0
    miss = math.comb(space - staff, guesses) / math.comb(space, guesses)
    return 1 - miss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    live_parser = sub.add_parser("live", help="against the real server")
    live_parser.add_argument("--seconds", type=float, default=30)
    live_parser.add_argument("--project", default=str(PROJECT))
    sim_parser = sub.add_parser("simulate", help="in-process, clock moved forward")
    sim_parser.add_argument("--staff", type=int, nargs="+", default=[5, 20, 50])
    args = parser.parse_args()
    live(args) if args.mode == "live" else simulate(args)


if __name__ == "__main__":
    main()
