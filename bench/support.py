"""What the benchmarks in bench/ share: processes (each in its own process group, killed whole),
setup HTTP, statistics, the machine's description, the echo, an optional py-spy profile.

Pure standard library. The scripts import it as `order_to_kds` did before (they still may:
bench/order_to_kds.py re-exports these names).
"""

import contextlib
import ctypes
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import order_phases

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
RESULTS = BENCH / "results"
VENV_PYTHON = PROJECT / ".venv" / "bin" / "python"

# Five lines, one ticket at each kitchen station and one at expo.
ORDER_ITEMS = ("Hummus", "Fattoush", "Falafel (6 pieces)", "Lentil soup", "Lemon mint")
STATIONS = ("grill", "fry", "cold", "bar", "expo")
DEMO_WAITER_PINS = ("1111", "1112")
COOK_PIN = "2222"


# ---- processes ----------------------------------------------------------------------------

_children: list[subprocess.Popen] = []
_niceness = [0]  # --priority: added to the children's nice value (negative needs root)


def _die_with_parent() -> None:
    """In the child: a process group of its own (stop() ends it with every process it started,
    a print process included), SIGTERM if this script dies without cleaning up (Linux), and
    the priority asked for."""
    os.setpgid(0, 0)
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if _niceness[0]:
        with contextlib.suppress(OSError):
            os.nice(_niceness[0])


def spawn(
    command: list[str], log: Path, env: dict, cwd: Path = PROJECT, pipes: bool = False
) -> subprocess.Popen:
    """Start `command` in its own process group, its output in `log` (`pipes`: stdin and
    stdout are pipes to this script, stderr goes to `log`)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if pipes else subprocess.DEVNULL,
            stdout=subprocess.PIPE if pipes else out,
            stderr=out if pipes else subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            text=pipes,
        )
    _children.append(proc)
    return proc


def proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def process_tree(root: int) -> list[int]:
    """`root` and every process below it (a print process the server started included)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := proc_stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the process and whatever it started (its group)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process's group, SIGKILL after 10 s; its children go with it (and any
    descendant that left the group: a print process started with a session of its own)."""
    tree = process_tree(proc.pid) if proc.poll() is None else []
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=10)
    # the leader gone, a child that outlived it still has the group's id
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    for pid in tree[1:]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ValueError):
        _children.remove(proc)


def stop_all() -> None:
    for proc in list(_children):
        stop(proc)


def server_python(code: Path) -> str:
    """The Python that serves checkout `code`: its own .venv, else this one's."""
    own = code / ".venv" / "bin" / "python"
    return str(own if own.exists() else VENV_PYTHON)


def migrate_demo(code: Path, env: dict) -> None:
    """`flask pos migrate` and `flask pos demo`, run by checkout `code` on env's database."""
    flask = [server_python(code), "-m", "flask", "--app", "pos_app", "pos"]
    for step in ("migrate", "demo"):
        done = subprocess.run(
            [*flask, step], cwd=code, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask pos {step} in {code} failed:\n{done.stdout}\n{done.stderr}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}:\n{tail(log)}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer /healthz in {seconds} s:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run(command: list[str], env: dict, timeout: float = 120) -> str:
    done = subprocess.run(
        command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# ---- HTTP (setup only; the measured traffic is the Node harness's) ------------------------


def http_json(url: str, method: str = "GET", body=None, token: str | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"{method} {url}: {err.code} {err.read()[:500]!r}") from err


# ---- statistics ---------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float | None:
    """Percentile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def dist(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p90": pct(values, 90),
        "p99": pct(values, 99),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def ratio(a, b):
    return None if a is None or not b else a / b


# ---- the steps ----------------------------------------------------------------------------


def base_env(folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_DATABASE_URL=f"sqlite:///{folder / 'pos.sqlite3'}",
        POS_SECRET_KEY=secrets.token_urlsafe(32),
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        PYTHONUNBUFFERED="1",
        # The demo's printers are virtual: with POS_BENCH_PRINTING=virtual the server prints
        # to in-process listeners (their CPU counts against the server); otherwise the print
        # jobs are queued with each order and nothing prints. order_to_kds.py overrides both
        # (project_env: printing on, as `make run`); some older scripts keep this default.
        POS_VIRTUAL_PRINTERS="1" if os.environ.get("POS_BENCH_PRINTING") == "virtual" else "0",
        POS_SCHEDULER="1" if os.environ.get("POS_BENCH_PRINTING") == "virtual" else "0",
    )
    return env


def prepare_database(python: str, env: dict, waiters: int) -> list[str]:
    """Migrate, load the demo, add waiters; returns the waiter PINs."""
    flask = [python, "-m", "flask", "--app", "pos_app", "pos"]
    run([*flask, "migrate"], env)
    run([*flask, "demo"], env)
    pins = list(DEMO_WAITER_PINS[:waiters])
    for i in range(max(0, waiters - len(DEMO_WAITER_PINS))):
        pin = str(7001 + i)
        run([*flask, "create-staff", "--name", f"Bench waiter {i + 1}", "--role", "waiter",
             "--pin", pin], env)  # fmt: skip
        pins.append(pin)
    return pins


def node_harness(config: dict, folder: Path, name: str, timeout: float) -> dict:
    config_path = folder / f"{name}-config.json"
    result_path = folder / f"{name}-result.json"
    config_path.write_text(json.dumps(config))
    log = folder / f"{name}-node.log"
    proc = spawn(
        ["node", str(BENCH / "kds_load.mjs"), str(config_path), str(result_path)],
        log,
        dict(os.environ),
        cwd=BENCH,
    )
    try:
        code = proc.wait(timeout=timeout)
    finally:
        stop(proc)
    if code != 0:
        raise RuntimeError(f"the Node harness failed ({code}):\n{tail(log)}")
    return json.loads(result_path.read_text())


def measure_floor(python: str, folder: Path, args) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "echo-server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    proc = spawn([python, str(BENCH / "echo_server.py"), "--port", str(port)], log, env)
    try:
        wait_healthy(url, proc, log)
        result = node_harness(
            {
                "mode": "echo",
                "url": url,
                "server_pid": proc.pid,
                "clock_ticks": os.sysconf("SC_CLK_TCK"),
                "cpus": os.cpu_count(),
                "echo_warmup": 200,
                "echo_count": args.echo_count,
                "echo_max_s": 30,
                "echo_payload_bytes": 32,
                "request_timeout_ms": 10000,
                "watchdog_s": 60,
            },
            folder,
            "echo",
            timeout=90,
        )
    finally:
        stop(proc)
    return {"rtt_ms": dist(result["rtts_ms"]), "cpu": result["cpu"]}


def machine_busy(seconds: float = 3.0) -> float:
    """Share of all CPUs busy over `seconds`, from /proc/stat (0-100)."""

    def ticks():
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(values), values[3] + values[4]

    total0, idle0 = ticks()
    time.sleep(seconds)
    total1, idle1 = ticks()
    return 100 * (1 - (idle1 - idle0) / max(1, total1 - total0))


def settle(limit_s: float, below_pct: float = 20.0) -> float | None:
    """Wait (at most `limit_s`) for the machine to be quiet; returns the last busy share seen."""
    if limit_s <= 0:
        return None
    deadline = time.monotonic() + limit_s
    busy = machine_busy()
    while busy >= below_pct and time.monotonic() < deadline:
        print(f"  machine {busy:.0f}% busy (other work); waiting for it to settle", flush=True)
        busy = machine_busy()
    return busy


# ---- optional profile (py-spy, if installed; it costs CPU: not for headline figures) ------


def start_profiler(args, pid: int, folder: Path, bound: float):
    if not args.profile:
        return None
    spy = shutil.which("py-spy") or str(PROJECT / ".venv" / "bin" / "py-spy")
    if not Path(spy).exists():
        print("py-spy not found: make .venv/.dev (requirements-dev.txt) to profile", flush=True)
        return None
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    raw = RESULTS / f"profile-{stamp}.txt"
    command = [spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw",
               "--output", str(raw), "--duration", str(int(bound)), "--subprocesses"]  # fmt: skip
    proc = spawn(command, folder / "py-spy.log", dict(os.environ))
    time.sleep(1.0)  # let it attach
    return proc, raw


def finish_profiler(profiler):
    if profiler is None:
        return None
    proc, raw = profiler
    proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
    try:
        proc.wait(timeout=30)
    finally:
        stop(proc)
    return summarise_profile(raw) if raw.exists() else None


PROFILE_BUCKETS = (
    # (bucket, substrings of a frame); a sample goes to the bucket of its innermost frame that
    # matches, buckets tried in this order for each frame
    ("SQLite COMMIT (C, fsync)", ("do_commit (sqlalchemy/",)),
    ("SQLite execute (C)", ("do_execute (sqlalchemy/", "do_executemany (sqlalchemy/")),
    ("SQLAlchemy (Python: ORM, Core, compile)", ("sqlalchemy/",)),
    ("marshmallow (dump/load)", ("marshmallow/",)),
    ("WebSocket frames (wsproto, permessage-deflate)", ("wsproto/", "simple_websocket/")),
    ("Socket.IO / Engine.IO", ("socketio/", "engineio/")),
    ("json", ("json/",)),
    ("argon2", ("argon2",)),
    ("Flask / Werkzeug / blinker", ("flask/", "werkzeug/", "blinker/")),
    ("gevent (hub, pywsgi)", ("gevent/",)),
    ("app code (pos_app, kds, table_service)", ("pos_app/", "kds/", "table_service/")),
)


# frames whose inclusive share is reported: the app's own, and a few costs named in the docs
WATCHED_FRAMES = (
    "(pos_app/",
    "(kds/",
    "(table_service/",
    "Schema.__init__ (marshmallow/",
    "do_commit (sqlalchemy/",
    "Server.emit (socketio/",
    "PerMessageDeflate.frame_outbound (wsproto/",
    "_LazyLoader._load_for_state (sqlalchemy/",
    "Session.flush (sqlalchemy/",
)


def _bucket(frames: list[str]) -> str:
    return order_phases.innermost(frames, PROFILE_BUCKETS) or "other"


def summarise_profile(raw: Path) -> dict:
    """Share of on-CPU samples per bucket and per app function (inclusive), from py-spy's raw
    output (idle greenlets are not sampled)."""
    total = 0
    buckets: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    for text in raw.read_text(errors="replace").splitlines():
        stack, _, count = text.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        bucket = _bucket(frames)
        buckets[bucket] = buckets.get(bucket, 0) + n
        seen = set()
        for frame in frames:
            name = frame.rsplit(":", 1)[0] + ")" if ":" in frame else frame
            if any(p in name for p in WATCHED_FRAMES) and name not in seen:
                seen.add(name)
                inclusive[name] = inclusive.get(name, 0) + n
    if not total:
        return {"samples": 0, "raw": str(raw)}
    top = sorted(inclusive.items(), key=lambda kv: -kv[1])[:40]
    return {
        "samples": total,
        "raw": str(raw),
        "phases": order_phases.summarise(raw),
        "buckets_pct": {
            k: 100 * v / total for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])
        },
        "functions_inclusive_pct": [(k, 100 * v / total) for k, v in top],
    }


def machine_info(python: str) -> dict:
    probe = (
        "import json, sqlite3, sys\n"
        "from importlib.metadata import version as v\n"
        "print(json.dumps({'python': sys.version.split()[0], 'sqlite': sqlite3.sqlite_version,"
        " 'gevent': v('gevent'), 'flask': v('flask'), 'flask_socketio': v('flask-socketio'),"
        " 'python_socketio': v('python-socketio'), 'python_engineio': v('python-engineio'),"
        " 'sqlalchemy': v('sqlalchemy')}))"
    )
    info = json.loads(subprocess.run([python, "-c", probe], capture_output=True, text=True,
                                     timeout=60, check=True).stdout)  # fmt: skip
    cpu_model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=30)
    client = json.loads((BENCH / "node_modules/socket.io-client/package.json").read_text())
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "node": node.stdout.strip(),
        "socket_io_client": client["version"],
        **info,
    }


def f(x, digits=1):
    return "-" if x is None else f"{x:.{digits}f}"


def line(name: str, d: dict, digits: int = 1) -> str:
    if not d.get("n"):
        return f"  {name:<34} (none)"
    return (
        f"  {name:<34} p50 {f(d['p50'], digits):>7}  p90 {f(d['p90'], digits):>7}  "
        f"p99 {f(d['p99'], digits):>7}  max {f(d['max'], digits):>7}  ms  (n={d['n']})"
    )
