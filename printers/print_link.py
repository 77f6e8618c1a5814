"""The server's end of the print process (printers/print_process.py): starts it, starts it again
when it dies, hands it the commits' wakes, and emits the pushes it relays.

Under gevent (the server) the threads here are greenlets and the pipes cooperative: a wake
costs the hub one small pipe write, coalesced with the wakes queued meanwhile; a relayed push
one JSON line read and one emit. No chit costs the server a transaction (before, each cost
about four, every one of them holding the hub).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time

from pos_app.config import PROJECT_DIR
from pos_app.pipeline import Pending
from printers import worker

log = logging.getLogger("pos.printers")
RESTART_FIRST = 1.0  # seconds before starting a dead print process again, doubling
RESTART_CAP = 30.0
STEADY_AFTER = 60.0  # a process that ran this long died of something new: restart soon
READY_WAIT = 20.0  # at start, the server waits this long at most for the print process


class PrintLink:
    """The print process of this server, kept running while the server runs."""

    def __init__(self, app):
        self.app = app
        self.proc: subprocess.Popen | None = None
        self.ready = threading.Event()  # the current process's loops run
        self.starts = 0
        self._stopped = False
        self._wanted: set[int] = set()
        self._wanted_lock = threading.Lock()
        self._wanted_flag = threading.Event()

    def start(self) -> PrintLink:
        """Start the print process and the threads that watch it and write its wakes."""
        threading.Thread(target=self._supervise, daemon=True, name="print-process").start()
        threading.Thread(target=self._write_wakes, daemon=True, name="print-wakes").start()
        worker._wakers.append(self.wake)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """End the print process (its stdin closes: it exits) and stop starting it again."""
        self._stopped = True
        if self.wake in worker._wakers:
            worker._wakers.remove(self.wake)
        self._wanted_flag.set()
        proc = self.proc
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def wake(self, printer_ids) -> None:
        """Commit phase "wake the print workers", for the print process: queued, never waited on."""
        with self._wanted_lock:
            self._wanted.update(printer_ids)
        self._wanted_flag.set()

    def _write_wakes(self) -> None:
        while not self._stopped:
            self._wanted_flag.wait()
            self._wanted_flag.clear()
            with self._wanted_lock:
                ids, self._wanted = self._wanted, set()
            proc = self.proc
            if not ids or proc is None or proc.poll() is not None:
                continue  # a print process starting looks at every printer anyway
            try:
                proc.stdin.write((" ".join(map(str, sorted(ids))) + "\n").encode())
                proc.stdin.flush()
            except (OSError, ValueError):  # it died: the supervisor starts another
                continue

    def _spawn(self) -> subprocess.Popen:
        env = {
            **os.environ,
            # The app's own settings (a test's app differs from the environment).
            "POS_DATABASE_URL": self.app.config["POS_DATABASE_URL"],
            "POS_SECRET_KEY": self.app.config["SECRET_KEY"],
            "POS_PRINT_PARENT": str(os.getpid()),
        }
        self.starts += 1
        return subprocess.Popen(
            [sys.executable, "-m", "printers.print_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(PROJECT_DIR),
            env=env,
        )

    def _supervise(self) -> None:
        delay = RESTART_FIRST
        while not self._stopped:
            started = time.monotonic()
            self.ready.clear()
            self.proc = proc = self._spawn()
            self._relay(proc.stdout)  # until the process ends
            code = proc.wait()
            if self._stopped:
                return
            if time.monotonic() - started > STEADY_AFTER:
                delay = RESTART_FIRST
            log.error(
                "the print process exited (code %s); starting it again in %.0f s", code, delay
            )
            time.sleep(delay)
            delay = min(delay * 2, RESTART_CAP)

    def _relay(self, lines) -> None:
        """Emit what the print process's commits would have emitted, in their order."""
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("the print process wrote something unreadable: %r", line[:200])
                continue
            try:
                self._act(message)
            except Exception:  # noqa: BLE001 - one bad push must not stop the relay
                log.exception("relaying %s from the print process", next(iter(message), "?"))

    def _act(self, message: dict) -> None:
        from pos_app import realtime

        if "push" in message:
            namespace, room, name, payload = message["push"]
            realtime.emit_pushes(None, Pending(pushes=[(namespace, room, name, payload)]))
        elif "drop" in message:
            room, code = message["drop"]
            realtime.drop_rooms(None, Pending(drops=[(room, code)]))
        elif message.get("ready"):
            self.ready.set()


def start(app) -> PrintLink | worker.PrintWorker:
    """The print worker of a serving process: a print process of its own under gevent (the
    server: its hub then spends nothing on chits), else loops in this process's threads
    (POS_PRINT_PROCESS=0, or no gevent)."""
    from printers import render_pool

    if not (render_pool.on_gevent() and app.config.get("POS_PRINT_PROCESS", True)):
        return worker.PrintWorker(app).start()
    link = PrintLink(app).start()
    # Serve once printing is ready, as the loops inside the server did (their warm-up ran
    # before the first request): else the first orders' chits wait for the process to start.
    if link.ready.wait(READY_WAIT):
        log.info("print process %s ready", link.proc.pid)
    else:
        log.warning("the print process is not ready after %.0f s; serving anyway", READY_WAIT)
    return link
