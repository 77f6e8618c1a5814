"""Virtual network printers: real TCP listeners on loopback that behave like ESC/POS printers.

They answer DLE EOT status queries, keep every job they receive, count the connections they
accept, and can be switched to misbehave (refuse, stall, hang up at once, close mid-job, paper
out), so a new user sees the chits a kitchen
would get without hardware (`make run`), and the tests exercise real sockets.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

ONLINE = 0x12  # the fixed bits 1 and 4 set, nothing wrong
OFFLINE = 0x12 | 0x08
PAPER_OK = 0x12
PAPER_END = 0x12 | 0x60


KEEP_JOBS = 500  # a day of `make run` keeps the newest jobs, not every byte since the start


@dataclass
class ReceivedJob:
    """The bytes of one connection, status queries taken out."""

    data: bytes
    at: float
    complete: bool  # the sender finished and closed (not cut off)
    number: int = 0  # 1 for the first job this printer received, counting on
    preview: dict | None = field(default=None, compare=False, repr=False)  # made when asked


@dataclass
class VirtualPrinter:
    """One listener; `mode` is normal, stall, hangup, close_mid, paper_out or offline."""

    name: str
    host: str = "127.0.0.1"
    port: int = 0
    mode: str = "normal"
    close_after: int = 64  # close_mid: bytes read before hanging up
    jobs: list[ReceivedJob] = field(default_factory=list)  # the newest KEEP_JOBS, oldest first
    connections: int = 0  # accepted so far (a status check or a job each)
    received: int = 0  # jobs received so far (the number of the newest)
    _busy: int = field(default=0, init=False, repr=False)  # connections read, job not kept yet
    _idle: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)

    def start(self) -> VirtualPrinter:
        """Listen (port 0: any free port) and serve in a background thread."""
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:  # SO_REUSEADDR lets a port in TIME_WAIT go, never one another program listens on
            self._sock.bind((self.host, self.port))
        except OSError:
            self._sock.close()
            raise
        self.port = self._sock.getsockname()[1]
        self._sock.listen(16)
        self._stopped = False
        threading.Thread(
            target=self._serve, name=f"virtual-printer-{self.name}", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Go dark: stop listening (connections are refused)."""
        self._stopped = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        with contextlib.suppress(OSError):
            self._sock.close()

    def restart(self) -> VirtualPrinter:
        """Come back on the same port."""
        return self.start()

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Wait until every connection accepted so far has ended and its job is in `jobs`.

        (A sender is done when the printer answered its last status query; the printer keeps
        the job a moment later, when the connection closes.) Stalled connections do not
        count. False if still busy after `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def _serve(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            counted = self.mode != "stall"  # a stalled connection never ends by itself
            if counted:
                with self._idle:
                    self._busy += 1
            threading.Thread(target=self._run, args=(conn, counted), daemon=True).start()

    def _run(self, conn: socket.socket, counted: bool) -> None:
        try:
            self._handle(conn)
        finally:
            if counted:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def _handle(self, conn: socket.socket) -> None:
        data, complete, scanned = bytearray(), False, 0
        with conn:
            if self.mode == "hangup":  # accepts and closes at once: a port that drops
                return
            if self.mode == "stall":
                time.sleep(30)  # accepts, never reads, never answers
                return
            conn.settimeout(30)
            while True:
                try:
                    chunk = conn.recv(4096)
                except OSError:
                    break
                if not chunk:
                    complete = True
                    break
                data += chunk
                scanned = self._answer_status(conn, data, scanned)
                if self.mode == "close_mid" and len(self._payload(data)) >= self.close_after:
                    break
        payload = self._payload(data)
        if payload:
            with self._idle:  # numbered in order even when two senders finish at once
                self.received += 1
                self.jobs.append(ReceivedJob(bytes(payload), time.time(), complete, self.received))
                del self.jobs[:-KEEP_JOBS]

    def _answer_status(self, conn: socket.socket, data: bytearray, scanned: int) -> int:
        """Answer each DLE EOT query not answered yet; returns how far the data was read."""
        while True:
            at = data.find(b"\x10\x04", scanned)
            if at < 0 or at + 2 >= len(data):
                return scanned if at >= 0 else max(scanned, len(data) - 1)
            kind = data[at + 2]
            if kind == 1:
                conn.sendall(bytes([OFFLINE if self.mode == "offline" else ONLINE]))
            elif kind == 4:
                conn.sendall(bytes([PAPER_END if self.mode == "paper_out" else PAPER_OK]))
            scanned = at + 3

    @staticmethod
    def _payload(data: bytearray) -> bytes:
        return bytes(data).replace(b"\x10\x04\x01", b"").replace(b"\x10\x04\x04", b"")
