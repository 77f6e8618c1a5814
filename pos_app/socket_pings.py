"""Engine.IO's pings from one task per process instead of one sleeping greenlet per socket.

python-engineio (4.15, pinned) starts a background task per socket for every ping: it sleeps
`ping_interval` (25 s) and sends PING. With 1,000 idle screens that is 1,000 greenlets asleep,
each with its own stack and frames: about 8 KB of an idle screen socket's memory
(docs/architecture.md). `install(eio)` takes those tasks over: the sockets wait in one queue in
the order they are due (one interval for all, so appending keeps it sorted) and a single task
pings each when its time comes, exactly as the library's own task would have.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from engineio import packet
from engineio.socket import Socket

log = logging.getLogger("pos.realtime")


class Pinger:
    """The one ping task of an Engine.IO server."""

    def __init__(self, eio):
        self.eio = eio
        self.due: deque[tuple[float, Socket]] = deque()
        self.running = False
        self._lock = threading.Lock()
        self._spawn = eio.start_background_task

    def start_background_task(self, target, *args, **kwargs):
        """The server's own, but a socket's ping task joins the queue instead."""
        if getattr(target, "__func__", None) is Socket._send_ping and not args and not kwargs:
            self.add(target.__self__)
            return None
        return self._spawn(target, *args, **kwargs)

    def add(self, socket: Socket) -> None:
        """Ping `socket` one interval from now."""
        with self._lock:
            self.due.append((time.monotonic() + self.eio.ping_interval, socket))
            if self.running:
                return
            self.running = True
        self._spawn(self._run)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self.due:
                    self.running = False
                    return
                when, socket = self.due[0]
                wait = when - time.monotonic()
                if wait <= 0:
                    self.due.popleft()
            if wait > 0:
                self.eio.sleep(wait)
            else:
                ping(socket)


def ping(socket: Socket) -> None:
    """What python-engineio's `Socket._send_ping` does once its sleep is over."""
    if socket.closing or socket.closed:
        return
    try:
        socket.last_ping = time.time()
        socket.send(packet.Packet(packet.PING))
    except Exception:  # noqa: BLE001 - one socket's failure must not stop the others' pings
        log.exception("pinging socket %s failed", getattr(socket, "sid", "?"))


def install(eio) -> Pinger:
    """Ping `eio`'s sockets from one task (returns it)."""
    pinger = Pinger(eio)
    eio.start_background_task = pinger.start_background_task
    return pinger
