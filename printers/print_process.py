"""The print process: the printer loops (printers/worker.py) in a process of their own, beside
the gevent server that started it (printers/print_link.py) as `python -m printers.print_process`.

Plain Python: no gevent, real threads, its own engine, so claiming, rendering, sending and
recording a chit costs the server's hub nothing. It speaks to the server through its pipes:

- stdin, from the server: one line of printer ids per wake ("3 7"), after the commits that
  queued their jobs. End of file: the server is gone, and this process exits at once.
- stdout, to the server: one JSON line per after-commit action of this process's
  transactions, in commit order: `{"push": [namespace, room, event, payload]}`,
  `{"drop": [room, code]}`, and `{"ready": true}` once the loops run. The server emits them
  (pos_app/realtime.py stays the only caller of socketio.emit); a station push keeps the seq
  numbered in this process's transaction.
- stderr: the log, the server's own.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading

log = logging.getLogger("pos.printers")


class Relay:
    """The after-commit phases of this process: what they would emit goes to the server."""

    def __init__(self, out):
        self.out, self.lock = out, threading.Lock()

    def send(self, message: dict) -> None:
        """One JSON line to the server; a server gone means this process ends too."""
        line = json.dumps(message, default=str, separators=(",", ":")) + "\n"
        try:
            with self.lock:  # printer loops commit in their own threads
                self.out.write(line)
                self.out.flush()
        except (BrokenPipeError, ValueError):
            os._exit(0)

    def drops(self, _session, work) -> None:
        """Commit phase "drop revoked sockets", relayed."""
        for room, code in work.drops:
            self.send({"drop": [room, code]})

    def pushes(self, _session, work) -> None:
        """Commit phase "emit the pushes", relayed in order."""
        for namespace, room, name, payload in work.pushes:
            self.send({"push": [namespace, room, name, payload]})


def die_with_parent() -> None:
    """Linux: the kernel ends this process when the server dies (the pipe's end of file says
    the same; this also holds if the reading thread were stuck)."""
    parent = os.environ.get("POS_PRINT_PARENT", "")
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if parent.isdigit() and os.getppid() != int(parent):  # it died before the call above
        os._exit(0)


def lower_priority() -> None:
    """Yield the CPU to the server when both want it (POS_PRINT_NICE, default 10; 0 keeps the
    server's priority).

    On a busy night the server's hub is the heartbeat: an order waits for it, every screen
    waits for the order. At 50 orders/s on two cores the server and this process wanted more
    CPU than there was and shared it equally: orders queued for seconds (POST -> screen p50
    4.5 s) while the chits were still printed 10-15 s behind. With a nice value the server
    gets the CPU first and this process everything the server leaves: at 20 orders/s that is
    all it needs, past the machine's capacity the chits fall behind and catch up after."""
    raw = os.environ.get("POS_PRINT_NICE", "10").strip() or "0"
    try:
        increment = int(raw)
    except ValueError:
        log.warning("POS_PRINT_NICE=%r is not a whole number: priority unchanged", raw)
        return
    if increment > 0:
        try:
            os.nice(min(increment, 19))
        except OSError as err:  # not permitted: printing still works, at the same priority
            log.warning("the print process cannot lower its priority: %s", err)


def read_wakes(source, worker) -> None:
    """Wake the loops of the printer ids the server writes, until its end of file."""
    for line in source:
        ids = [int(word) for word in line.split() if word.isdigit()]
        if ids:
            worker.wake(ids)


def main() -> None:
    """Start the printer loops and serve the server's wakes until it goes."""
    # Ctrl-C in a terminal (`make run`) reaches the whole process group: the server stops,
    # and this process with it when its stdin ends, without a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    relay_file = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything printed goes to the log, never into the relay
    die_with_parent()
    from pos_app import create_app, pipeline
    from pos_app.startup import configure_logging, freeze_heap
    from printers.worker import PrintWorker

    configure_logging()
    lower_priority()
    # No message queue here: what this process would emit goes through the server. SQLite's
    # write lock is waited for in short pauses, as the server does (pos_app/db.py).
    app = create_app(
        {"POS_REDIS_URL": None, "POS_ASYNC_MODE": "threading", "POS_SQLITE_WAIT_IN_PYTHON": True}
    )
    relay = Relay(relay_file)
    pipeline.register("drop revoked sockets", relay.drops)
    pipeline.register("emit the pushes", relay.pushes)
    worker = PrintWorker(app).start()
    freeze_heap()  # full collections walked the app and the fonts, holding every loop
    relay.send({"ready": True})
    read_wakes(sys.stdin, worker)
    os._exit(0)  # the server is gone: a send in flight is recovered by the next start


if __name__ == "__main__":
    main()
