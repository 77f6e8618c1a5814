"""Server memory per idle kitchen-screen socket, with and without WebSocket compression offered.

    .venv/bin/python bench/socket_memory.py                 # 500 screens, this checkout
    .venv/bin/python bench/socket_memory.py --screens 1000 --server-dir /path/to/other/checkout

A fresh demo database (as bench/order_to_kds.py makes it), `python -m pos_app.server` from
--server-dir, and N kitchen screens on /kds, each a raw WebSocket (wsproto) speaking
Engine.IO/Socket.IO by hand and signed in with the demo cook's token, opened one after the
other and then left idle. Each run offers permessage-deflate in its upgrade as Chromium and
Node do (--no-offer: none). The figure is the server's RSS growth divided by N (after 20
screens of warm-up), and whether the server accepted compression. Results on stdout as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Message, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

sys.path.insert(0, str(Path(__file__).resolve().parent))
import support as bench  # noqa: E402

WARMUP = 20


class Screen:
    """One idle /kds socket: the upgrade, Engine.IO's open, the namespace's connect."""

    def __init__(self, port: int, token: str | None, offer: bool, namespace: str = "/kds"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.deflate = False
        extensions = [PerMessageDeflate()] if offer else []
        target = "/socket.io/?EIO=4&transport=websocket"
        self._send(Request(host=f"127.0.0.1:{port}", target=target, extensions=extensions))
        opened = self._next_text()
        assert opened.startswith("0{"), opened
        self._send(TextMessage(f"40{namespace}," + json.dumps({"token": token})))
        answer = self._next_text()
        assert answer.startswith(f"40{namespace},"), answer

    def _send(self, event) -> None:
        self.sock.sendall(self.ws.send(event))

    def _next_text(self) -> str:
        parts = []
        while True:
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    self.deflate = bool(event.extensions)
                elif isinstance(event, Message):
                    parts.append(event.data)
                    if event.message_finished:
                        return "".join(parts)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the server closed the socket")
            self.ws.receive_data(data)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@contextlib.contextmanager
def demo_server(server_dir: Path, script: list[str]):
    """A fresh demo database served by `python *script --port N` from `server_dir`, the
    print worker off; yields (url, port, the server's Popen), stops it at the end."""
    python = str(server_dir / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="pos-bench-") as tmp:
        folder = Path(tmp)
        env = bench.base_env(folder)
        env["POS_SCHEDULER"] = "0"
        env["PYTHONPATH"] = str(server_dir)
        bench.prepare_database(python, env, 1)
        port = bench.free_port()
        url = f"http://127.0.0.1:{port}"
        log = folder / "server.log"
        server = bench.spawn([python, *script, "--port", str(port)], log, env, cwd=server_dir)
        try:
            bench.wait_healthy(url, server, log)
            yield url, port, server
        finally:
            bench.stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--server-dir", type=Path, default=bench.PROJECT)
    parser.add_argument("--no-offer", action="store_true", help="offer no compression")
    parser.add_argument(
        "--echo", action="store_true", help="the bare app (bench/echo_server.py, /echo) instead"
    )
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    script = (
        [str(args.server_dir / "bench" / "echo_server.py")]
        if args.echo
        else ["-m", "pos_app.server"]
    )
    with demo_server(args.server_dir, script) as (url, port, server):
        screens = []
        try:
            token, namespace = None, "/echo"
            if not args.echo:
                login = bench.http_json(f"{url}/api/v1/auth/login", "POST", {"pin": bench.COOK_PIN})
                token, namespace = login["token"], "/kds"
            offer = not args.no_offer

            def screen() -> Screen:
                return Screen(port, token, offer, namespace)

            screens = [screen() for _ in range(WARMUP)]
            time.sleep(1)
            before = rss_kb(server.pid)
            started = time.monotonic()
            screens += [screen() for _ in range(args.screens)]
            connect_s = time.monotonic() - started
            time.sleep(2)
            after = rss_kb(server.pid)
        finally:
            for screen in screens:
                screen.sock.close()
    result = {
        "server_dir": str(args.server_dir),
        "app": "echo" if args.echo else "pos_app.server",
        "screens": args.screens,
        "deflate_offered": offer,
        "deflate_accepted": screens[-1].deflate,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "kb_per_screen": round((after - before) / args.screens, 1),
        "connect_s": round(connect_s, 2),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
