"""A small TCP proxy for one HTTP request per connection, with faults on demand: between the
branch and the cloud in the sync tests, it refuses, stalls, cuts the answer after k bytes,
sends the request twice, or delays it. Plain threads and sockets: nothing here is gevent."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


def _read_request(conn: socket.socket) -> bytes:
    """One whole HTTP request (headers, then Content-Length bytes of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _forward(request: bytes, port: int) -> bytes:
    """Send the request to 127.0.0.1:port and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as up:
        up.sendall(request)
        answer = b""
        while True:
            chunk = up.recv(65536)
            if not chunk:
                return answer
            answer += chunk


class FaultProxy:
    """Listens on a free port of 127.0.0.1 and forwards to `target_port`, as `mode` says:
    "pass", "refuse" (closed at once), "stall" (read, never answered), "cut" (the answer cut
    after `cut_after` bytes), "twice" (the request sent twice, the first answer returned),
    "delay" (`delay_s` before forwarding)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.mode, self.cut_after, self.delay_s = "pass", 40, 1.0
        self.requests = 0  # requests that reached the proxy
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self.listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        mode = self.mode
        with conn:
            if mode == "refuse":
                conn.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                return  # closed with a reset
            request = _read_request(conn)
            self.requests += 1
            if mode == "stall":
                self._stop.wait(60)
                return
            if mode == "delay":
                time.sleep(self.delay_s)
            answer = _forward(request, self.target_port)
            if mode == "twice":
                _forward(request, self.target_port)  # the network sent it again
            if mode == "cut":
                answer = answer[: self.cut_after]
            with contextlib.suppress(OSError):  # the branch gave up waiting
                conn.sendall(answer)
