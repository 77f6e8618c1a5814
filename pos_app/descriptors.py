"""File descriptors of a serving process: raise the limit at start, count those in use, and
refuse new Socket.IO connections before the limit, so HTTP, the database and the printers
always keep some (the only place that reads or sets RLIMIT_NOFILE).

At a soft limit of 1,024 about 500 screens used to connect and then every `POST /orders`
failed with 500: the database and the next HTTP connection found no descriptor left. Every
open websocket holds one descriptor for as long as the screen is up; HTTP requests, database
files and printer connections take theirs for a moment. So new sockets (and only they) are
refused once `refuse_at` descriptors are in use, with a reserve kept free for the rest.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

try:
    import resource
except ImportError:  # not a Unix: no limits to read or raise
    resource = None

log = logging.getLogger("pos.descriptors")

SOCKET_PATH = "/socket.io/"  # Flask-SocketIO's default path (not changed in create_app)
RECOUNT_SECONDS = 1.0  # how stale a count may be before a handshake counts again
# What a websocket holds under pos_app.server: simple-websocket dups the socket gevent's
# pywsgi hands it (gunicorn's one is used as it is). The estimate between counts assumes 2.
DESCRIPTORS_PER_SOCKET = 2
LOW_HARD_LIMIT = 4096  # below this the start-up log says how few screens fit


def limits() -> tuple[int | None, int | None]:
    """(soft, hard) RLIMIT_NOFILE; None for unlimited or where there are no limits."""
    if resource is None:
        return None, None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    unlimited = resource.RLIM_INFINITY
    return (None if soft == unlimited else soft), (None if hard == unlimited else hard)


def raise_limit() -> tuple[int | None, int | None]:
    """Raise the soft limit of open files to the hard one; log both; returns (soft, hard)."""
    before, hard = limits()
    if resource is None:
        return before, hard
    target = hard if hard is not None else _system_ceiling()
    if before is not None and before < target:
        _soft, raw_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, raw_hard))
        except (ValueError, OSError) as err:
            log.warning("file descriptors: could not raise the soft limit to %s: %s", target, err)
    soft, hard = limits()
    log.info(
        "file descriptors: soft limit %s (was %s), hard limit %s",
        _show(soft),
        _show(before),
        _show(hard),
    )
    if soft is not None and soft < LOW_HARD_LIMIT:
        log.warning(
            "file descriptors: only %s may be open; new screens are refused from about %s in"
            " use. Raise the hard limit (LimitNOFILE= in a systemd unit, `ulimit -Hn` as root).",
            soft,
            refuse_threshold(soft, None),
        )
    return soft, hard


def _system_ceiling() -> int:
    """What an unlimited hard limit allows a process in practice (Linux's nr_open)."""
    try:
        with open("/proc/sys/fs/nr_open") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 10240  # macOS's OPEN_MAX, a safe value elsewhere


def _show(limit: int | None) -> str:
    return "unlimited" if limit is None else str(limit)


def count_in_use() -> int | None:
    """How many descriptors this process holds now (Linux /proc, or /dev/fd); None if unknown.

    About 0.5 ms at 1,000 open: too dear for every handshake, see SocketGuard.
    """
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder)) - 1  # less the one listdir itself opened
        except OSError:
            continue
    return None


def refuse_threshold(limit: int | None, reserve: int | None) -> int | None:
    """Descriptors in use from which new sockets are refused: the limit less the reserve.

    The reserve defaults to a quarter of the limit (at least 64): at 1,024 that keeps 256
    free for HTTP requests, database files and printers.
    """
    if limit is None:
        return None
    if reserve is None:
        reserve = max(64, limit // 4)
    return max(1, limit - reserve)


@dataclass
class Pressure:
    """What /healthz reports: descriptors in use, the limit, and whether sockets are refused."""

    in_use: int | None
    limit: int | None
    refuse_at: int | None
    refusing_new_sockets: bool

    def as_dict(self) -> dict:
        return {
            "in_use": self.in_use,
            "limit": self.limit,
            "refuse_new_sockets_at": self.refuse_at,
            "refusing_new_sockets": self.refusing_new_sockets,
        }


class SocketGuard:
    """WSGI middleware: answer a new Socket.IO handshake with 503 when descriptors run short.

    Only a handshake (a request under /socket.io/ without `sid`) is checked; requests of a
    connected socket and all other HTTP pass untouched. The check is cheap: a full count at
    most once a second, and in between the last count plus two per handshake let in since
    (sockets closed meanwhile are not subtracted: it errs high). Near the threshold it counts
    for every handshake. The refusal is logged once per crossing, not once per refusal; new
    sockets are let in again once usage falls a little below the threshold.
    """

    def __init__(self, wsgi_app, reserve: int | None = None):
        self.wsgi_app = wsgi_app
        self.reserve = reserve
        self.refusing = False
        self._lock = threading.Lock()
        self._counted = None
        self._counted_at = float("-inf")
        self._admitted_since = 0

    def __call__(self, environ, start_response):
        if self._is_handshake(environ) and not self.admit():
            return self._refuse(start_response)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _is_handshake(environ) -> bool:
        if not environ.get("PATH_INFO", "").startswith(SOCKET_PATH):
            return False
        return "sid" not in parse_qs(environ.get("QUERY_STRING", ""))

    def admit(self) -> bool:
        """Whether a new socket may connect now (and count it when it may)."""
        limit, _hard = limits()
        refuse_at = refuse_threshold(limit, self.reserve)
        if refuse_at is None:
            return True
        with self._lock:
            stale = time.monotonic() - self._counted_at >= RECOUNT_SECONDS
            if (
                stale
                or self.refusing
                or self._counted is None
                or self._counted + self._admitted_since >= refuse_at
            ):
                self._recount(limit, refuse_at)
            if self.refusing:
                return False
            self._admitted_since += DESCRIPTORS_PER_SOCKET
            return True

    def pressure(self) -> Pressure:
        """A fresh count, for /healthz (logs a crossing like a handshake would)."""
        limit, _hard = limits()
        refuse_at = refuse_threshold(limit, self.reserve)
        with self._lock:
            self._recount(limit, refuse_at)
            return Pressure(self._counted, limit, refuse_at, self.refusing)

    def _recount(self, limit: int | None, refuse_at: int | None) -> None:
        self._counted, self._counted_at = count_in_use(), time.monotonic()
        self._admitted_since = 0
        in_use = self._counted
        if in_use is None or refuse_at is None:
            self.refusing = False
            return
        resume_below = refuse_at - max(1, (limit - refuse_at) // 4)
        if not self.refusing and in_use >= refuse_at:
            self.refusing = True
            log.warning(
                "refusing new Socket.IO connections: %s of %s file descriptors in use"
                " (refused from %s, let in again below %s)",
                in_use,
                limit,
                refuse_at,
                resume_below,
            )
        elif self.refusing and in_use < resume_below:
            self.refusing = False
            log.warning(
                "letting new Socket.IO connections in again: %s of %s file descriptors in use",
                in_use,
                limit,
            )

    @staticmethod
    def _refuse(start_response):
        body = json.dumps(
            {
                "error": {
                    "code": "server_busy",
                    "message": "the server has too many open connections; try again shortly",
                }
            }
        ).encode()
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Retry-After", "5"),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]


def init_app(app) -> None:
    """Put the guard in front of the app (and of Flask-SocketIO's middleware)."""
    guard = SocketGuard(app.wsgi_app, app.config.get("POS_FD_RESERVE"))
    app.wsgi_app = guard
    app.extensions["pos_descriptors"] = guard
